// Test databases: a real PostgreSQL server when one is configured (TEST_DATABASE_URL) or answers on
// 127.0.0.1:5432, otherwise embedded PGlite. Each caller gets fresh, migrated databases of its own.
import { randomBytes } from 'node:crypto';
import { ACCESS_LOG_MIGRATIONS } from '../../lib/access-log.ts';
import { createPostgresDatabase, dropPostgresDatabase, openPglite, openPostgres, postgresReachable, type Database } from '../../lib/db.ts';
import { migrate } from '../../lib/migrate.ts';
import { migrationsPath, type SubgraphName } from '../../lib/subgraph.ts';

export const DEFAULT_TEST_SERVER = 'postgresql://postgres@127.0.0.1:5432/postgres';

export type Backend = { kind: 'postgres'; serverUrl: string } | { kind: 'pglite' };

let chosen: Promise<Backend> | undefined;

/** Decided once per process; global setup exports its choice in TEST_DB_BACKEND. */
export function testBackend(): Promise<Backend> {
  chosen ??= (async (): Promise<Backend> => {
    const forced = process.env.TEST_DB_BACKEND;
    const serverUrl = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_SERVER;
    if (forced === 'pglite') return { kind: 'pglite' };
    if (forced === 'postgres' || (await postgresReachable(serverUrl))) return { kind: 'postgres', serverUrl };
    return { kind: 'pglite' };
  })();
  return chosen;
}

export interface TestDatabase {
  db: Database;
  drop(): Promise<void>;
}

/** A fresh database for one subgraph, migrated. */
export async function freshDatabase(name: SubgraphName | 'accesslog', tag = randomBytes(4).toString('hex')): Promise<TestDatabase> {
  const backend = await testBackend();
  let db: Database;
  let drop: () => Promise<void>;
  if (backend.kind === 'postgres') {
    const dbName = `bw_test_${name}_${tag}`;
    const url = await createPostgresDatabase(backend.serverUrl, dbName);
    db = openPostgres(url, { max: 4 });
    drop = async () => {
      await db.close();
      await dropPostgresDatabase(backend.serverUrl, dbName);
    };
  } else {
    db = await openPglite();
    drop = () => db.close();
  }
  await migrate(db, name === 'accesslog' ? ACCESS_LOG_MIGRATIONS : migrationsPath(name));
  return { db, drop };
}
