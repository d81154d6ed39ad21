// The federation gateway: serves the composed supergraph file (no introspection of running subgraphs)
// and plans each operation across the four bureaus' subgraphs.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import express from 'express';
import cors from 'cors';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { SUPERGRAPH_PATH } from '../lib/supergraph.ts';
import type { RunningServer, SubgraphName } from '../lib/subgraph.ts';

export interface GatewayOptions {
  /** Path of the composed supergraph file. */
  supergraphPath?: string;
  /** Subgraph URLs that replace the ones in the supergraph file. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  port?: number;
  host?: string;
}

export async function startGateway(options: GatewayOptions = {}): Promise<RunningServer> {
  const supergraphSdl = readFileSync(options.supergraphPath ?? SUPERGRAPH_PATH, 'utf8');
  const overrides = options.subgraphUrls ?? {};
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => new RemoteGraphQLDataSource({ url: overrides[name as SubgraphName] ?? url }),
  });
  const app = express();
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer({
    gateway,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
    includeStacktraceInErrorResponses: process.env.NODE_ENV === 'development',
  });
  await apollo.start();
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway' });
  });
  app.use('/graphql', cors(), express.json({ limit: '1mb' }), expressMiddleware(apollo));
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}/graphql`,
    port,
    async stop() {
      await apollo.stop();
    },
  };
}

/** Subgraph URL overrides from <NAME>_URL environment variables. */
export function subgraphUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<SubgraphName, string>> {
  const urls: Partial<Record<SubgraphName, string>> = {};
  for (const name of ['staffing', 'finance', 'hr', 'audit'] as const) {
    const url = env[`${name.toUpperCase()}_URL`];
    if (url) urls[name] = url;
  }
  return urls;
}
