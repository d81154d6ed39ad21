// Runs the gateway as its own process (the production shape): `npm run start:gateway [-- --supergraph FILE]`.
// The supergraph file (--supergraph, else SUPERGRAPH_PATH, else schema/supergraph.graphql) is watched:
// a new one is served without a restart; SIGHUP reads it again too.
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS } from '../lib/subgraph.ts';
import { startGateway, subgraphUrlsFromEnv } from './server.ts';
import { authConfigFromEnv } from './authenticate.ts';
import { signingKeyFromEnv } from '../lib/auth/signing.ts';
import { AccessLog } from '../lib/access-log.ts';
import { openPostgres } from '../lib/db.ts';
import { startTracing } from '../lib/tracing.ts';
import { exitOnSignals, shutdownFromEnv } from '../lib/lifecycle.ts';
import { resilienceFromEnv } from './resilience.ts';
import { closeSubgraphPools } from './transport.ts';
import { uiAssets } from './ui/build.ts';
import { limitsFromEnv } from './limits.ts';
import { SharedState } from './shared-state.ts';
import { describeMissing, missingToStart } from '../lib/service-env.ts';

startTracing({ serviceName: 'gateway' });
const { values } = parseArgs({ options: { supergraph: { type: 'string' }, port: { type: 'string' } } });
// Fail closed: no keys, no log, no gateway.
const fail = (message: string): never => {
  console.error(`gateway: ${message}`);
  process.exit(2);
};
const missing = missingToStart('gateway');
if (missing.length) fail(describeMissing(missing));
const signingKey = signingKeyFromEnv()!;
const auth = authConfigFromEnv()!;
const logUrl = process.env.ACCESS_LOG_DATABASE_URL!;
const { shutdown, resilience, limits } = (() => {
  try {
    return { shutdown: shutdownFromEnv(), resilience: resilienceFromEnv(), limits: limitsFromEnv() };
  } catch (err) {
    return fail((err as Error).message);
  }
})();
// Replicas behind one proxy share rate limits, breakers, persisted queries and accepted signatures.
const shared = process.env.REDIS_URL
  ? await SharedState.connect(process.env.REDIS_URL, { ratePerMinute: limits.ratePerMinute }).catch((err: Error) => fail(err.message))
  : null;
const logDb = openPostgres(logUrl);
const accessLog = await AccessLog.open(logDb);
const server = await startGateway({
  signingKey,
  auth,
  accessLog,
  supergraphPath: values.supergraph ?? process.env.SUPERGRAPH_PATH,
  subgraphUrls: subgraphUrlsFromEnv(),
  port: Number(values.port ?? process.env.GATEWAY_PORT ?? process.env.PORT ?? DEFAULT_PORTS.gateway),
  host: process.env.HOST ?? '0.0.0.0',
  resilience: shared ? { ...resilience, store: shared.breakerStore } : resilience,
  limits,
  shutdown,
  ...(shared && { rateLimiter: shared.rateLimiter, persistedQueries: { cache: shared.persistedQueries }, replayGuard: shared.replayGuard }),
}).catch((err: Error) => fail(err.message));
console.log(`gateway on ${server.url}`);
// Bundle the IDE and the dashboard now rather than on the first visit.
uiAssets().catch((err: Error) => console.error(`gateway: cannot bundle the IDE and dashboard pages: ${err.message}`));
process.on('SIGHUP', () => void server.reloadSupergraph());
exitOnSignals(
  'gateway',
  async () => {
    await server.stop();
    await closeSubgraphPools();
    await shared?.close();
    await accessLog.close();
    await logDb.close();
  },
  shutdown.delayMs + shutdown.graceMs + 5_000,
);
