// What every bureau's subgraph is, and how one is served over HTTP. Each subgraph folder builds a
// `Subgraph`; this file turns it into an Apollo server, the same way for all four.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { parse, type GraphQLSchema } from 'graphql';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { GatewayClient } from './gateway-client.ts';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Identity } from './auth/identity.ts';
import { applyMasking } from './auth/masking.ts';
import { SIGNATURE_HEADER, SignatureVerifier, type SigningKey } from './auth/signing.ts';
import type { AccessLog } from './access-log.ts';
import { NO_CACHE, VersionedCache, type RequestCache } from './versioned-cache.ts';
import type { Database } from './db.ts';
import { createLogger, observationPlugin, observeError, observeRequests } from './observability.ts';
import { SubgraphMetrics, metricsHandler } from './metrics.ts';
import { serverSpans } from './tracing.ts';
import { Drain, shutdownFromEnv, type ShutdownConfig } from './lifecycle.ts';
import { withInputField } from './errors.ts';

type RawBodyRequest = http.IncomingMessage & { rawBody?: Buffer };

/** A mutation document, as the gateway sends one (it may start with comments). */
const MUTATION = /^\s*(?:#[^\n]*\n\s*)*mutation\b/;

export const SUBGRAPH_NAMES = ['staffing', 'finance', 'hr', 'audit'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

export const DEFAULT_PORTS: Record<SubgraphName | 'gateway', number> = {
  gateway: 4000,
  staffing: 4001,
  finance: 4002,
  hr: 4003,
  audit: 4004,
};

export interface Subgraph<Context extends RequestAccess = RequestAccess> {
  readonly name: SubgraphName;
  readonly schema: GraphQLSchema;
  /** A fresh context per request, for the identity the gateway signed: its DataLoaders must not outlive the request. */
  /**
   * A fresh context per request, for the identity the gateway signed. `writes`: the request is a mutation,
   * whose answer must show its own change: it reads past the versioned cache.
   */
  createContext(identity: Identity, options?: { writes?: boolean }): Context;
  /** SQL statements run so far (for N+1 checks and benchmarks). */
  sqlStatements(): number;
  /** What it derives from its database, valid for one data version. */
  readonly cache: VersionedCache;
  /** Database readiness, for /ready. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What a subgraph may be given besides its database. */
export interface SubgraphOptions {
  /** For questions to the whole graph (lead sweep, suspension check). */
  gateway?: GatewayClient;
  /** The access log, for the audit bureau's queries of it (read only). */
  accessLog?: AccessLog | null;
}

/** What every subgraph's request context carries: who asks (from the gateway's signature). */
export interface RequestAccess {
  identity: Identity;
  /** ID numbers returned unmasked by this request, reported to the gateway for the access log. */
  unmaskedIdNumbers: Set<string>;
  /**
   * Set by a resolver whose answer does not come from this bureau's database alone (the access log):
   * the answer then carries no data version, and the gateway does not keep it.
   */
  volatile?: boolean;
  /** The subgraph's versioned cache, as this request sees it (one data-version read at most). */
  cache: RequestCache;
}

export function requestAccess(identity: Identity, cache: RequestCache): RequestAccess {
  return { identity, unmaskedIdNumbers: new Set(), cache };
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Requests received so far: GraphQL requests, and on subgraphs data-version checks (constant-requests checks, benchmark). */
  requests(): number;
  /** Graceful: /ready answers 503, then no new connections, and the requests in flight finish. */
  stop(): Promise<void>;
}

/** Counts the requests a server receives (gateway and subgraphs alike). */
export function requestCounter(): { middleware: express.RequestHandler; count: () => number } {
  let n = 0;
  return {
    middleware: (_req, _res, next) => {
      n++;
      next();
    },
    count: () => n,
  };
}

/** Listens and returns the GraphQL URL clients use (port 0: the OS picks one). */
export async function listen(httpServer: http.Server, port: number, host: string): Promise<{ url: string; port: number }> {
  // Idle connections outlive the clients' (the gateway's pool drops them after 30 s, gateway/transport.ts):
  // a server closing one after Node's 5 s raced with its reuse, which under load showed as ECONNRESET.
  httpServer.keepAliveTimeout = 120_000;
  httpServer.headersTimeout = 121_000;
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    // A burst of clients connecting at once must not overflow Node's default accept queue (511).
    httpServer.listen({ port, host, backlog: 2048 }, () => resolve());
  });
  const actual = (httpServer.address() as AddressInfo).port;
  return { url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${actual}/graphql`, port: actual };
}

/**
 * Reports to the gateway the ID numbers a request returned unmasked (the access log records them) and the
 * data version it read at (the gateway may keep the answer while that version holds).
 */
const reportUnmasked: ApolloServerPlugin<RequestAccess> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        if (response.body.kind !== 'single') return;
        const result = response.body.singleResult;
        if (contextValue.unmaskedIdNumbers?.size) result.extensions = { ...result.extensions, unmaskedIdNumbers: [...contextValue.unmaskedIdNumbers] };
        if (contextValue.cache && contextValue.cache !== NO_CACHE && !contextValue.volatile) {
          result.extensions = { ...result.extensions, dataVersion: await contextValue.cache.version() };
        }
      },
    };
  },
};

export async function serveSubgraph(
  subgraph: Subgraph<RequestAccess>,
  options: { port?: number; host?: string; signingKey: SigningKey; accessLog?: AccessLog | null; database?: Database; shutdown?: ShutdownConfig },
): Promise<RunningServer> {
  const log = createLogger(subgraph.name);
  const metrics = new SubgraphMetrics(subgraph.name, { sqlStatements: () => subgraph.sqlStatements(), poolStats: options.database && (() => options.database!.poolStats()) });
  const app = express();
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const shutdown = options.shutdown ?? shutdownFromEnv();
  const drain = new Drain(shutdown.delayMs);
  const apollo = new ApolloServer({
    schema: subgraph.schema,
    // Inline tracing (ftv1) would cost every request; no Apollo Studio reads it here.
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: shutdown.graceMs }),
      ApolloServerPluginInlineTraceDisabled(),
      reportUnmasked,
      observationPlugin,
    ],
    // Errors reach the gateway with their code; stack traces stay here.
    includeStacktraceInErrorResponses: process.env.NODE_ENV === 'development',
    // Shutdown is the process's (lib/lifecycle.ts): Apollo's own signal handler would close at once.
    stopOnTerminationSignals: false,
    formatError: (formatted) => withInputField(formatted),
  });
  await apollo.start();
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', subgraph: subgraph.name });
  });
  app.get('/ready', async (_req, res) => {
    if (drain.draining) {
      res.status(503).json({ status: 'shutting down', subgraph: subgraph.name });
      return;
    }
    try {
      await subgraph.ping();
      res.json({ status: 'ready', subgraph: subgraph.name, database: 'up' });
    } catch {
      res.status(503).json({ status: 'unavailable', subgraph: subgraph.name, database: 'down' });
    }
  });
  app.get('/metrics', metricsHandler(metrics.registry));
  const counter = requestCounter();
  // The bureau's data version (a count of committed writes, nothing else): the gateway checks it before it
  // serves an answer it keeps (gateway/response-cache.ts). Read from the database on every call.
  app.get('/data-version', counter.middleware, async (_req, res) => {
    try {
      res.setHeader('cache-control', 'no-store');
      res.json({ version: await subgraph.cache.currentVersion() });
    } catch {
      res.status(503).json({ status: 'unavailable', subgraph: subgraph.name, database: 'down' });
    }
  });
  const verifier = new SignatureVerifier(options.signingKey);
  app.use(
    '/graphql',
    observeRequests(log, (observation) => metrics.observe(observation)),
    serverSpans(subgraph.name),
    counter.middleware,
    // The raw body is what the gateway signed.
    express.json({ limit: '50mb', verify: (req, _res, buf) => void ((req as RawBodyRequest).rawBody = buf) }),
    async (req, res, next) => {
      const verdict = verifier.verify(req.get(SIGNATURE_HEADER), (req as RawBodyRequest).rawBody ?? Buffer.alloc(0));
      if (!verdict.ok) {
        // Someone went around the gateway: on record, like every access.
        await options.accessLog
          ?.append({
            at: new Date(), subject: null, role: null, town: null, operationName: null, operationHash: null, variables: null,
            decision: 'DENIED', rule: `SUBGRAPH_SIGNATURE:${verdict.reason}`, subgraphs: [subgraph.name], unmaskedIdNumbers: [],
          })
          .catch((err: Error) => log.error({ err: err.message }, 'access log: cannot append'));
        const code = verdict.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN';
        observeError(code);
        res.status(verdict.status).json({
          errors: [{ message: verdict.reason, extensions: { code } }],
        });
        return;
      }
      res.locals.identity = verdict.identity;
      next();
    },
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const context = subgraph.createContext(res.locals.identity as Identity, { writes: MUTATION.test(String((req.body as { query?: unknown } | undefined)?.query ?? '')) });
        // Before any data is read: the version the answer will be reported at (reportVersion) is then never
        // newer than the data in it.
        if (context.cache !== NO_CACHE) await context.cache.version();
        return context;
      },
    }),
  );
  const address = await listen(httpServer, options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    ...address,
    requests: counter.count,
    stop: () => drain.stop(() => apollo.stop()),
  };
}

/** The slice of a generated Prisma client the shared code needs. */
export interface PrismaLike {
  $on(event: 'query', listener: () => void): void;
  $queryRawUnsafe(sql: string): Promise<unknown>;
  $disconnect(): Promise<void>;
}

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

export function sdlPath(name: SubgraphName): string {
  return join(REPO_ROOT, 'schema', `${name}.graphql`);
}

export function migrationsPath(name: SubgraphName): string {
  return join(REPO_ROOT, 'subgraphs', name, 'prisma', 'migrations');
}

/** Builds a subgraph the same way for every bureau: SDL from schema/, resolvers, a per-request context. */
export function buildSubgraph<Context extends RequestAccess>(options: {
  name: SubgraphName;
  prisma: PrismaLike;
  resolvers: GraphQLResolverMap<Context>;
  createContext: (identity: Identity, cache: RequestCache) => Context;
}): Subgraph<Context> {
  const typeDefs = parse(readFileSync(sdlPath(options.name), 'utf8'));
  let statements = 0;
  options.prisma.$on('query', () => {
    statements++;
  });
  const cache = new VersionedCache(async () => {
    const rows = (await options.prisma.$queryRawUnsafe("SELECT instance || '.' || version AS v FROM data_version")) as { v: string }[];
    return rows[0]?.v ?? '0';
  });
  return {
    name: options.name,
    schema: applyMasking(buildSubgraphSchema({ typeDefs, resolvers: options.resolvers as GraphQLResolverMap<unknown> })),
    cache,
    createContext: (identity, context) => options.createContext(identity, context?.writes ? NO_CACHE : cache.forRequest()),
    sqlStatements: () => statements,
    ping: async () => {
      await options.prisma.$queryRawUnsafe('SELECT 1');
    },
    close: () => options.prisma.$disconnect(),
  };
}
