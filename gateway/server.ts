// The federation gateway: serves the composed supergraph file (no introspection of running subgraphs)
// and plans each operation across the four bureaus' subgraphs.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import express from 'express';
import cors from 'cors';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { SUPERGRAPH_PATH } from '../lib/supergraph.ts';
import { listen, requestCounter, type RunningServer, type SubgraphName } from '../lib/subgraph.ts';

export interface GatewayOptions {
  /** Path of the composed supergraph file. */
  supergraphPath?: string;
  /** Subgraph URLs that replace the ones in the supergraph file. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  port?: number;
  host?: string;
}

/**
 * A subgraph's HTTP error reaches the client as a GraphQL error: the client's own mistakes (a bad
 * variable, BAD_USER_INPUT) keep their message and code; anything else names the bureau but never
 * carries the subgraph's response body, which may hold internal detail.
 */
export class BureauDataSource extends RemoteGraphQLDataSource {
  constructor(
    private readonly bureau: string,
    url: string,
  ) {
    super({ url });
  }

  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]) {
    const body = (await response.json().catch(() => null)) as { errors?: { message?: string; extensions?: { code?: string } }[] } | null;
    const first = body?.errors?.[0];
    if (response.status === 400 && first?.extensions?.code === 'BAD_USER_INPUT' && first.message) {
      return new GraphQLError(first.message, { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return new GraphQLError(`The ${this.bureau} subgraph failed (HTTP ${response.status}).`, {
      extensions: { code: 'SUBGRAPH_ERROR', subgraph: this.bureau },
    });
  }
}

export async function startGateway(options: GatewayOptions = {}): Promise<RunningServer> {
  const supergraphSdl = readFileSync(options.supergraphPath ?? SUPERGRAPH_PATH, 'utf8');
  const overrides = options.subgraphUrls ?? {};
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => new BureauDataSource(name, overrides[name as SubgraphName] ?? url!),
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
  const counter = requestCounter();
  app.use(
    '/graphql',
    counter.middleware,
    cors(),
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo),
  );
  const address = await listen(httpServer, options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    ...address,
    requests: counter.count,
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
