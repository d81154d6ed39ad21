// Applies a subgraph's SQL migrations (Prisma's folder layout) and records them in Prisma's
// `_prisma_migrations` table, so that `prisma migrate deploy` agrees where the schema engine can run.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Database } from './db.ts';

const LEDGER = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: string[];
}

export async function migrate(db: Database, migrationsDir: string): Promise<MigrationResult> {
  const names = (await readdir(migrationsDir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  await db.exec(LEDGER);
  const done = new Map(
    (await db.query<{ migration_name: string; checksum: string }>(
      'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    )).map((r) => [r.migration_name, r.checksum]),
  );
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  for (const name of names) {
    const sql = await readFile(join(migrationsDir, name, 'migration.sql'), 'utf8');
    const checksum = createHash('sha256').update(sql).digest('hex');
    const recorded = done.get(name);
    if (recorded !== undefined) {
      if (recorded !== checksum) throw new Error(`migration ${name} was changed after it was applied (checksum differs)`);
      result.alreadyApplied.push(name);
      continue;
    }
    // One transaction per migration: a failed migration leaves the database as it was.
    await db.exec(`BEGIN;\n${sql}\n;INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
      VALUES ('${randomUUID()}', '${checksum}', '${name.replace(/'/g, "''")}', now(), 1);\nCOMMIT;`).catch(async (err) => {
      await db.exec('ROLLBACK').catch(() => undefined);
      throw new Error(`migration ${name} failed: ${(err as Error).message}`);
    });
    result.applied.push(name);
  }
  return result;
}
