// One bureau's subgraph in a process of its own, for `npm run bench` (bench/run.ts starts four):
// `node --import tsx bench/targets/subgraph.ts` with BENCH_SUBGRAPH = {"name", "databaseUrl",
// "signingKey" (hex)}. Talks to its parent over the IPC channel: sends {ready, url} once listening and
// answers {stats} with its SQL statement and request counters.
import { openPostgres } from '../../lib/db.ts';
import { serveSubgraph, type SubgraphName } from '../../lib/subgraph.ts';
import { SUBGRAPH_FACTORIES } from '../../scripts/monolith.ts';

interface Config {
  name: SubgraphName;
  databaseUrl: string;
  signingKey: string;
}

const config = JSON.parse(process.env.BENCH_SUBGRAPH ?? 'null') as Config | null;
if (!config || !process.send) {
  console.error('bench subgraph: run by bench/run.ts (needs BENCH_SUBGRAPH and an IPC channel)');
  process.exit(2);
}
const db = openPostgres(config.databaseUrl);
const subgraph = SUBGRAPH_FACTORIES[config.name](db, { accessLog: null });
const server = await serveSubgraph(subgraph, { port: 0, host: '127.0.0.1', signingKey: Buffer.from(config.signingKey, 'hex'), accessLog: null });
process.on('message', (message: { type?: string }) => {
  if (message?.type === 'stats') process.send!({ type: 'stats', sql: subgraph.sqlStatements(), requests: server.requests() });
});
const shutdown = async () => {
  await server.stop();
  await subgraph.close();
  await db.close();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('disconnect', shutdown);
process.send({ type: 'ready', url: server.url });
