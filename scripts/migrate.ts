// `npm run migrate`: applies each bureau's SQL migrations to the database named by its
// <BUREAU>_DATABASE_URL (only the bureaus whose variable is set), recording Prisma's ledger.
import { openPostgres } from '../lib/db.ts';
import { migrate } from '../lib/migrate.ts';
import { SUBGRAPH_NAMES, migrationsPath } from '../lib/subgraph.ts';

const targets = SUBGRAPH_NAMES.filter((name) => process.env[`${name.toUpperCase()}_DATABASE_URL`]);
if (targets.length === 0) {
  console.error(`set at least one of ${SUBGRAPH_NAMES.map((n) => `${n.toUpperCase()}_DATABASE_URL`).join(', ')}`);
  process.exit(2);
}
let failed = false;
for (const name of targets) {
  const db = openPostgres(process.env[`${name.toUpperCase()}_DATABASE_URL`]!);
  try {
    const { applied, alreadyApplied } = await migrate(db, migrationsPath(name));
    console.log(`${name} (${db.label}): applied ${applied.length ? applied.join(', ') : 'nothing'}; ${alreadyApplied.length} already applied`);
  } catch (err) {
    failed = true;
    console.error(`${name} (${db.label}): migration failed: ${(err as Error).message}`);
  } finally {
    await db.close();
  }
}
process.exitCode = failed ? 1 : 0;
