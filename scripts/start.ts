// `npm start`: the whole federation in one process with demo data. With STAFFING_DATABASE_URL,
// FINANCE_DATABASE_URL, HR_DATABASE_URL and AUDIT_DATABASE_URL set it uses those PostgreSQL databases
// (seeding them only when empty); otherwise embedded PGlite in memory, seeded afresh.
import { openPglite, openPostgres, type Database } from '../lib/db.ts';
import { migrate } from '../lib/migrate.ts';
import { SUBGRAPH_NAMES, migrationsPath, type SubgraphName } from '../lib/subgraph.ts';
import { generate } from './seed/generate.ts';
import { load } from './seed/load.ts';
import { startFederation } from './monolith.ts';
import { AccessLog } from '../lib/access-log.ts';
import { createDemoAuth, describeDemoTokens } from '../gateway/authenticate.ts';
import { startTracing } from '../lib/tracing.ts';
import { exitOnSignals, shutdownFromEnv } from '../lib/lifecycle.ts';

const started = Date.now();
// The whole federation is one process here: one tracer provider, spans named by service.
startTracing({ serviceName: 'bianwai-monolith' });
const urls = SUBGRAPH_NAMES.map((n) => [n, process.env[`${n.toUpperCase()}_DATABASE_URL`]] as const);
const configured = urls.filter(([, u]) => u);
if (configured.length > 0 && configured.length < SUBGRAPH_NAMES.length) {
  const missing = urls.filter(([, u]) => !u).map(([n]) => `${n.toUpperCase()}_DATABASE_URL`);
  console.error(`Set all four bureau database URLs or none; missing: ${missing.join(', ')}`);
  process.exit(2);
}
const embedded = configured.length === 0;
const dbs = {} as Record<SubgraphName, Database>;
for (const [name, url] of urls) {
  dbs[name] = embedded ? await openPglite({ label: `embedded PGlite (${name}, in memory)` }) : openPostgres(url!);
  await migrate(dbs[name], migrationsPath(name));
}

const seed = Number(process.env.SEED ?? 42);
const existingUnits = (await dbs.staffing.query<{ n: number }>('SELECT count(*)::int AS n FROM unit'))[0]?.n ?? 0;
// The dashboard and the IDE's examples open on UI_MONTH if set, else on the month of the demo data just loaded, else last month.
let dataMonth: string | undefined;
if (existingUnits === 0) {
  const data = generate({ seed });
  await load(data, dbs);
  dataMonth = data.manifest.month;
  console.log(
    `Loaded demo data (seed ${seed}): ${data.manifest.counts.units} units, ${data.manifest.counts.people} people; ` +
      `${data.manifest.unreportedStaff.units.length} units with unreported staff in ${data.manifest.month}.`,
  );
} else {
  console.log(`Databases already hold data (${existingUnits} units): not seeding.`);
}

// The access log has a database of its own; embedded too when the bureaus' are.
const logUrl = process.env.ACCESS_LOG_DATABASE_URL;
const logDb = logUrl ? openPostgres(logUrl) : await openPglite({ label: 'embedded PGlite (access log, in memory)' });
const accessLog = await AccessLog.open(logDb);
// Demo mode: a key pair made now, and a token for each role, printed below.
const demo = await createDemoAuth();
const federation = await startFederation({
  dbs,
  ports: 'default',
  host: process.env.HOST ?? '127.0.0.1',
  auth: demo.config,
  accessLog,
  // Stack traces and field suggestions only when asked for (NODE_ENV=development).
  development: process.env.NODE_ENV === 'development',
  ui: dataMonth && !process.env.UI_MONTH ? { month: dataMonth } : undefined,
});
for (const name of SUBGRAPH_NAMES) console.log(`  ${name.padEnd(8)} ${federation.subgraphUrls[name]}  (${dbs[name].label})`);
console.log(`\nGateway ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${federation.gatewayUrl}`);
const site = federation.gatewayUrl.replace(/\/graphql$/, '');
console.log(`  query IDE (analysts):   ${site}/ide        sign in with a token below (e.g. ANALYST)`);
console.log(`  dashboard:              ${site}/dashboard  sign in as DASHBOARD; drill-down rows need ANALYST or an officer\n`);
console.log(`Every request needs a bearer token. Demo tokens, one per role (valid 12 hours):\n`);
console.log(describeDemoTokens(demo, { url: federation.gatewayUrl }));
console.log(`\nTry the flagship cross-bureau query (schema/operations/UnreportedStaff.graphql) as an auditor:
  curl -s ${federation.gatewayUrl} -H 'content-type: application/json' -H "authorization: Bearer ${demo.tokens.AUDITOR}" \\
    -d '{"query":"{ districtMonth(month: \\"2026-10\\") { unreportedStaff(first: 3) { totalCount nodes { unit { name openLeads { rule status } } people { name evidence { bureau kind } } } } } }"}'
`);

// The gateway stops first (its requests in flight finish), then the subgraphs, then the pools.
const shutdown = shutdownFromEnv();
exitOnSignals(
  'npm start',
  async () => {
    await federation.stop();
    await accessLog.close();
    await logDb.close();
    for (const db of Object.values(dbs)) await db.close();
  },
  2 * (shutdown.delayMs + shutdown.graceMs) + 5_000,
);
