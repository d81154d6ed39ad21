// `npm run migrate`: applies each bureau's SQL migrations to the database named by its
// <BUREAU>_DATABASE_URL, and the access log's to ACCESS_LOG_DATABASE_URL (only those whose variable is
// set), recording Prisma's ledger. The deployment runs it once for the access log before the gateways
// and subgraphs start (docker-compose.yml, accesslog-migrate): subgraphs only append to that log.
import { openPostgres } from '../lib/db.ts';
import { migrate } from '../lib/migrate.ts';
import { ACCESS_LOG_MIGRATIONS } from '../lib/access-log.ts';
import { SUBGRAPH_NAMES, migrationsPath } from '../lib/subgraph.ts';

const databases = [
  ...SUBGRAPH_NAMES.map((name) => ({ name, variable: `${name.toUpperCase()}_DATABASE_URL`, migrations: migrationsPath(name) })),
  { name: 'access log', variable: 'ACCESS_LOG_DATABASE_URL', migrations: ACCESS_LOG_MIGRATIONS },
];
const targets = databases.filter((d) => process.env[d.variable]);
if (targets.length === 0) {
  console.error(`set at least one of ${databases.map((d) => d.variable).join(', ')}`);
  process.exit(2);
}
let failed = false;
for (const { name, variable, migrations } of targets) {
  const db = openPostgres(process.env[variable]!);
  try {
    const { applied, alreadyApplied } = await migrate(db, migrations);
    console.log(`${name} (${db.label}): applied ${applied.length ? applied.join(', ') : 'nothing'}; ${alreadyApplied.length} already applied`);
  } catch (err) {
    failed = true;
    console.error(`${name} (${db.label}): migration failed: ${(err as Error).message}`);
  } finally {
    await db.close();
  }
}
process.exitCode = failed ? 1 : 0;
