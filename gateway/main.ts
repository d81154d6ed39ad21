// Runs the gateway as its own process (the production shape): `npm run start:gateway [-- --supergraph FILE]`.
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS } from '../lib/subgraph.ts';
import { startGateway, subgraphUrlsFromEnv } from './server.ts';

const { values } = parseArgs({ options: { supergraph: { type: 'string' }, port: { type: 'string' } } });
const server = await startGateway({
  supergraphPath: values.supergraph ?? process.env.SUPERGRAPH_PATH,
  subgraphUrls: subgraphUrlsFromEnv(),
  port: Number(values.port ?? process.env.GATEWAY_PORT ?? process.env.PORT ?? DEFAULT_PORTS.gateway),
  host: process.env.HOST ?? '0.0.0.0',
});
console.log(`gateway on ${server.url}`);
const shutdown = async () => {
  await server.stop();
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
