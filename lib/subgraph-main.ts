// Entry point shared by every subgraph process: database from the environment, migrations, HTTP server.
import { openPostgres } from './db.ts';
import { startTracing } from './tracing.ts';
import { migrate } from './migrate.ts';
import { DEFAULT_PORTS, migrationsPath, serveSubgraph, type Subgraph, type SubgraphName, type SubgraphOptions } from './subgraph.ts';
import { GatewayClient } from './gateway-client.ts';
import { SERVICE_IDENTITIES } from './auth/identity.ts';
import { signingKeyFromEnv } from './auth/signing.ts';
import { AccessLog } from './access-log.ts';
import type { Database } from './db.ts';
import { exitOnSignals, shutdownFromEnv } from './lifecycle.ts';
import { describeMissing, missingToStart } from './service-env.ts';

export async function runSubgraphProcess(name: SubgraphName, create: (db: Database, options: SubgraphOptions) => Subgraph): Promise<void> {
  // Before the database opens: its SQL spans need the provider (OTEL_EXPORTER_OTLP_ENDPOINT).
  startTracing({ serviceName: name });
  // Refuses to run unprotected or without its database.
  const missing = missingToStart(name);
  if (missing.length) {
    console.error(`${name}: ${describeMissing(missing)}. For a zero-setup demo run \`npm start\`.`);
    process.exit(2);
  }
  const db = openPostgres((process.env[`${name.toUpperCase()}_DATABASE_URL`] || process.env.DATABASE_URL)!);
  if (process.env.MIGRATE_ON_START !== 'false') {
    const { applied } = await migrate(db, migrationsPath(name));
    if (applied.length) console.log(`${name}: applied migrations ${applied.join(', ')}`);
  }
  // GATEWAY_URL: where this subgraph asks the whole graph (lead sweep, suspension check).
  const signingKey = signingKeyFromEnv()!;
  // Calls that go around the gateway are recorded in the access log when this subgraph can reach it
  // (and audit serves it to auditors).
  const logDb = process.env.ACCESS_LOG_DATABASE_URL ? openPostgres(process.env.ACCESS_LOG_DATABASE_URL) : null;
  const accessLog = logDb ? await AccessLog.open(logDb, { migrate: false }) : null;
  const subgraph = create(db, { accessLog, gateway: GatewayClient.fromEnv(SERVICE_IDENTITIES[name as keyof typeof SERVICE_IDENTITIES] ?? SERVICE_IDENTITIES.audit) });
  const port = Number(process.env[`${name.toUpperCase()}_PORT`] ?? process.env.PORT ?? DEFAULT_PORTS[name]);
  const shutdown = shutdownFromEnv();
  const server = await serveSubgraph(subgraph, { port, host: process.env.HOST ?? '0.0.0.0', signingKey, accessLog, database: db, shutdown });
  console.log(`${name} subgraph on ${server.url} (database ${db.label})`);
  // Pools close only after the last request in flight has finished.
  exitOnSignals(
    `${name} subgraph`,
    async () => {
      await server.stop();
      await subgraph.close();
      await db.close();
      await accessLog?.close();
      await logDb?.close();
    },
    shutdown.delayMs + shutdown.graceMs + 5_000,
  );
}
