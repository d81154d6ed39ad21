// Our gateway as shipped, in a process of its own, for `npm run bench`: startGateway (gateway/server.ts)
// with HS256 token checks, the access log on its own database and the default limits, except the rate
// limit (the load generator is one subject). `node --import tsx bench/targets/ours.ts` with BENCH_TARGET
// = {"port", "supergraphPath", "subgraphUrls", "signingKey" (hex), "hs256Secret", "issuer", "audience",
// "accessLogUrl"}.
import { AccessLog } from '../../lib/access-log.ts';
import { openPostgres } from '../../lib/db.ts';
import type { SubgraphName } from '../../lib/subgraph.ts';
import { startGateway } from '../../gateway/server.ts';
import { DEFAULT_LIMITS } from '../../gateway/limits.ts';
import { responseCacheFromEnv } from '../../gateway/response-cache.ts';

interface Config {
  port: number;
  supergraphPath: string;
  subgraphUrls: Record<SubgraphName, string>;
  signingKey: string;
  hs256Secret: string;
  issuer: string;
  audience: string;
  accessLogUrl: string;
  /** Kept answers (gateway/response-cache.ts): on as shipped; off for the comparison target. */
  keptAnswers?: boolean;
}

const config = JSON.parse(process.env.BENCH_TARGET ?? 'null') as Config | null;
if (!config) {
  console.error('bench: run by bench/run.ts (needs BENCH_TARGET)');
  process.exit(2);
}
const logDb = openPostgres(config.accessLogUrl);
const accessLog = await AccessLog.open(logDb, { migrate: false });
const server = await startGateway({
  supergraphPath: config.supergraphPath,
  subgraphUrls: config.subgraphUrls,
  port: config.port,
  host: '127.0.0.1',
  signingKey: Buffer.from(config.signingKey, 'hex'),
  auth: { hs256Secret: new TextEncoder().encode(config.hs256Secret), issuer: config.issuer, audience: config.audience },
  accessLog,
  limits: { ...DEFAULT_LIMITS, ratePerMinute: 10_000_000 },
  responseCache: { ...responseCacheFromEnv({}), enabled: config.keptAnswers !== false },
});
console.log(`ours: gateway on ${server.url}`);
const shutdown = async () => {
  await server.stop();
  await accessLog.close();
  await logDb.close();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
