// The federation gateway: serves the composed supergraph file (no introspection of running subgraphs)
// and plans each operation across the four bureaus' subgraphs.
import http from 'node:http';
import express from 'express';
import cors from 'cors';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { createHash } from 'node:crypto';
import { ApolloGateway } from '@apollo/gateway';
import type { ApolloServerPlugin, PersistedQueryOptions } from '@apollo/server';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError, Kind, print, printSchema, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { SUPERGRAPH_PATH } from '../lib/supergraph.ts';
import { listen, requestCounter, type RunningServer, type SubgraphName } from '../lib/subgraph.ts';
import type { Identity } from '../lib/auth/identity.ts';
import { SIGNATURE_HEADER, SignatureVerifier, signRequest, type SigningKey } from '../lib/auth/signing.ts';
import { redactVariables, type AccessLog, type AccessLogEntry } from '../lib/access-log.ts';
import { withInputField } from '../lib/errors.ts';
import { createAuthenticator, type AuthConfig } from './authenticate.ts';
import { correlationHeaders, createLogger, observationPlugin, observeRequests } from '../lib/observability.ts';
import { serverSpans } from '../lib/tracing.ts';
import { metricsHandler } from '../lib/metrics.ts';
import { namedOperations } from '../lib/operations.ts';
import { GatewayMetrics } from './metrics.ts';
import { jsonError, serveLeadExport } from './export.ts';
import { EXPORT_OPERATIONS } from '../lib/lead-export.ts';
import { authorizeDocument, denialError, type Denial } from './authorize.ts';
import { RateLimiter, TrustedDocuments, checkOperation, limitError, limitsFromEnv, withoutSuggestions, type LimitConfig, type SubjectRateLimiter } from './limits.ts';
import type { ReplayGuard } from './shared-state.ts';
import type { SubgraphResponse } from './transport.ts';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { Breakers, ResilientDataSource, resilienceFromEnv, type CircuitBreaker, type ResilienceConfig } from './resilience.ts';
import { SupergraphSource, prepareSupergraph, sha256, type ReloadOutcome } from './supergraph-source.ts';
import { readiness } from './health.ts';
import { Drain, consoleLogger, shutdownFromEnv, type Logger, type ShutdownConfig } from '../lib/lifecycle.ts';
import { uiOptionsFromEnv, uiRouter, type UiOptions } from './ui/serve.ts';
import { installOperationMemo } from './operation-memo.ts';
import { installFastResultShaping } from './result-shaping.ts';
import { ResponseCache, responseCacheFromEnv, type ResponseCacheOptions } from './response-cache.ts';
import { rightsKey } from '../lib/versioned-cache.ts';

type RawBodyRequest = http.IncomingMessage & { rawBody?: Buffer };

export interface GatewayOptions {
  /** Path of the composed supergraph file. */
  supergraphPath?: string;
  /** Subgraph URLs that replace the ones in the supergraph file. */
  subgraphUrls?: Partial<Record<SubgraphName, string>>;
  port?: number;
  host?: string;
  /** Key the gateway signs subgraph requests with (and checks subgraphs' own calls with). */
  signingKey: SigningKey;
  /** Token verification keys. */
  auth: AuthConfig;
  limits?: LimitConfig;
  /** Where every operation is recorded; null only where nothing may be recorded (never in production). */
  accessLog: AccessLog | null;
  /** Development mode: introspection and field suggestions on. */
  development?: boolean;
  /** Timeouts, retries and circuit breakers per subgraph (default: from the environment). */
  resilience?: ResilienceConfig;
  /** Serve a new supergraph file as soon as it is written (default: true). */
  watchSupergraph?: boolean;
  shutdown?: ShutdownConfig;
  logger?: Logger;
  /** What the query IDE and the dashboard open on; unset parts from UI_MONTH and UI_DISTRICT (uiOptionsFromEnv). */
  ui?: Partial<UiOptions>;
  /** Answers kept while the bureaus' data versions hold (default: from the environment, on). */
  responseCache?: ResponseCacheOptions;
  /** Replicas share these through Redis (gateway/shared-state.ts); by default each is this process's own. */
  rateLimiter?: SubjectRateLimiter;
  persistedQueries?: PersistedQueryOptions;
  replayGuard?: ReplayGuard;
}

export interface RunningGateway extends RunningServer {
  /** Reads the supergraph file again (as a change of the file does). */
  reloadSupergraph(): Promise<ReloadOutcome>;
}

/** What the gateway knows about one request, from authentication to the access log. */
export interface GatewayContext {
  identity: Identity;
  subgraphs: Set<string>;
  unmaskedIdNumbers: Set<string>;
  denials: Denial[];
  /** Subgraph → the data version its answers were read at (null: one came without, or two differed). */
  versions: Map<string, string | null>;
}

/**
 * A subgraph's HTTP error reaches the client as a GraphQL error: the client's own mistakes (a bad
 * variable, BAD_USER_INPUT) keep their message and code; anything else names the bureau but never
 * carries the subgraph's response body, which may hold internal detail. Every request is signed with
 * the caller's identity; the ID numbers a subgraph returned unmasked are collected for the access log.
 */
export class BureauDataSource extends ResilientDataSource<GatewayContext> {
  constructor(
    private readonly bureau: string,
    url: string,
    private readonly signingKey: SigningKey,
    breaker: CircuitBreaker,
    private readonly metrics?: GatewayMetrics,
  ) {
    super(bureau, url, breaker);
  }

  protected override headersFor(body: string, context: GatewayContext): Record<string, string> {
    context.subgraphs?.add(this.bureau);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    // The signature covers the exact body sent, and the caller's identity travels only inside it.
    if (context.identity) headers[SIGNATURE_HEADER] = signRequest(this.signingKey, body, context.identity);
    // Request id and traceparent: headers, outside the signature.
    return correlationHeaders(headers);
  }

  protected override exchange() {
    return this.metrics?.subgraphRequest(this.bureau);
  }

  protected override received(response: GatewayGraphQLResponse, context: GatewayContext): GatewayGraphQLResponse {
    const ids = response.extensions?.unmaskedIdNumbers;
    if (Array.isArray(ids)) for (const id of ids) context.unmaskedIdNumbers?.add(String(id));
    if (context.versions) {
      const reported = response.extensions?.dataVersion;
      const version = typeof reported === 'string' ? reported : null;
      const seen = context.versions.get(this.bureau);
      context.versions.set(this.bureau, seen === undefined || seen === version ? version : null);
    }
    return response;
  }

  protected override async errorFromResponse(response: SubgraphResponse): Promise<GraphQLError> {
    const body = (await response.json().catch(() => null)) as { errors?: { message?: string; extensions?: { code?: string } }[] } | null;
    const first = body?.errors?.[0];
    if (response.status === 400 && first?.extensions?.code === 'BAD_USER_INPUT' && first.message) {
      return new GraphQLError(first.message, { extensions: { code: 'BAD_USER_INPUT' } });
    }
    // A literal the client wrote that only the owning bureau's scalar can judge (a month "2026-13" in the
    // query text): the gateway's schema passes custom scalars through, so the subgraph's validation says so.
    if (response.status === 400 && first?.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && first.message && LITERAL_SCALAR_ERROR.test(first.message)) {
      return new GraphQLError(first.message, { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return new GraphQLError(`The ${this.bureau} subgraph failed (HTTP ${response.status}).`, {
      extensions: { code: 'SUBGRAPH_ERROR', subgraph: this.bureau },
    });
  }
}

/** The message of a literal one of the bureaus' scalars refused (lib/scalars.ts), as graphql-js passes it on. */
const LITERAL_SCALAR_ERROR = /^(?:Month|Date|DateTime) must be /;

/** A bounded map that forgets its oldest entry when full. */
class Bounded<K, V> extends Map<K, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: K, value: V): this {
    if (this.size >= this.max && !this.has(key)) this.delete(this.keys().next().value!);
    return super.set(key, value);
  }
}

interface Authorized {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  queryHash: string;
  source: string;
  denials: Denial[];
}

/** The gateway with @requiresScopes / @authenticated / @policy applied before planning. */
function authorizingGateway(gateway: ApolloGateway, supergraph: SupergraphSource, answers: ResponseCache): GatewayInterface {
  // Per document and per set of rights (scopes, town scope): what to plan and what was denied. It holds
  // documents, never data, so one role's answer cannot reach another.
  let decided = new Bounded<string, Authorized | null>(5_000);
  let decidedUnder = supergraph.current;
  return {
    async load(options) {
      const loaded = await gateway.load(options);
      return {
        schema: loaded.schema,
        executor: async (requestContext) => {
          const context = requestContext.context as unknown as GatewayContext;
          const identity = context.identity;
          const version = supergraph.current;
          // A new supergraph brings new rules: decisions made under the old ones go.
          if (version !== decidedUnder) {
            decided = new Bounded(5_000);
            decidedUnder = version;
          }
          const key = `${requestContext.queryHash}|${requestContext.operationName ?? ''}|${identity.scopes.join(' ')}|${identity.town ? 'town' : ''}`;
          let authorized = decided.get(key);
          if (authorized === undefined) {
            const { document, denials } = authorizeDocument(requestContext.document, requestContext.schema, version.rules, identity);
            authorized = null;
            if (denials.length > 0) {
              const operation = document.definitions.find(
                (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!requestContext.operationName || d.name?.value === requestContext.operationName),
              )!;
              const source = print(document);
              // A pruned document is another query: its plan is cached under its own hash.
              authorized = { document, operation, source, queryHash: createHash('sha256').update(source).digest('hex'), denials };
            }
            decided.set(key, authorized);
          }
          if (authorized !== null) context.denials.push(...authorized.denials);
          // A kept answer, per document as authorized, variables and rights (never another role's).
          const keep = answers.options.enabled && requestContext.operation?.operation === 'query';
          const answerKey = keep
            ? `${authorized?.queryHash ?? requestContext.queryHash}|${requestContext.operationName ?? ''}|${rightsKey(identity)}|${JSON.stringify(requestContext.request.variables ?? {})}`
            : '';
          if (keep) {
            const kept = await answers.get(answerKey);
            if (kept) {
              for (const id of kept.unmaskedIdNumbers) context.unmaskedIdNumbers.add(id);
              for (const name of kept.subgraphs) context.subgraphs.add(name);
              return kept.result as never;
            }
          }
          let result;
          if (authorized === null) {
            result = await loaded.executor(requestContext);
          } else {
            const pruned = Object.assign(Object.create(Object.getPrototypeOf(requestContext)), requestContext, {
              document: authorized.document,
              operation: authorized.operation,
              queryHash: authorized.queryHash,
              source: authorized.source,
            });
            const executed = await loaded.executor(pruned);
            result = { ...executed, errors: [...authorized.denials.map(denialError), ...(executed.errors ?? [])] };
          }
          // Whole answers only (the gateway's own denials aside), each part at a known data version.
          const executionErrors = (result.errors?.length ?? 0) - (authorized?.denials.length ?? 0);
          const versions = [...context.versions];
          if (keep && executionErrors === 0 && versions.length > 0 && versions.every(([, v]) => v !== null)) {
            answers.set(answerKey, {
              result,
              versions: new Map(versions as [string, string][]),
              unmaskedIdNumbers: [...context.unmaskedIdNumbers],
              subgraphs: [...context.subgraphs],
            });
          }
          return result;
        },
      };
    },
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
  };
}

const ACCESS_LOG_UNAVAILABLE = new GraphQLError('the access log cannot record this request, so nothing is returned; try again shortly', {
  extensions: { code: 'ACCESS_LOG_UNAVAILABLE' },
});

export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const logger = options.logger ?? consoleLogger;
  const overrides = options.subgraphUrls ?? {};
  const limits = options.limits ?? limitsFromEnv();
  const development = options.development ?? process.env.NODE_ENV === 'development';
  const authenticate = createAuthenticator(options.auth);
  const verifier = new SignatureVerifier(options.signingKey);
  const rateLimiter = options.rateLimiter ?? new RateLimiter(limits.ratePerMinute);
  const trusted = TrustedDocuments.fromOperationsDir();
  const trustedSeen = new Bounded<string, boolean>(1_000);
  const isTrusted = (query: string): boolean => {
    let known = trustedSeen.get(query);
    if (known === undefined) trustedSeen.set(query, (known = trusted.isTrusted(query)));
    return known;
  };
  const accessLog = options.accessLog;
  // Everything derived from the supergraph (rules, URLs, the gateway's schema) switches together on reload.
  const supergraph = new SupergraphSource(options.supergraphPath ?? SUPERGRAPH_PATH, (path, sdl) => prepareSupergraph(path, sdl, (schema) => trusted.invalidUnder(schema)), {
    watch: options.watchSupergraph ?? true,
    logger,
  });
  const urlOf = (name: string) => overrides[name as SubgraphName] ?? supergraph.current.subgraphUrls[name]!;
  const townUnits = new TownUnits(() => urlOf('staffing'), options.signingKey);
  const breakers = new Breakers(options.resilience ?? resilienceFromEnv(), logger);
  const log = createLogger('gateway');
  const metrics = new GatewayMetrics(
    new Set([...namedOperations(), ...EXPORT_OPERATIONS, 'LeadExport']),
    () => ({ access_log: accessLog?.poolStats() }),
    () => [...breakers.all()].map((b) => [b.subgraph, b.view().state] as const),
  );
  // @apollo/gateway otherwise exports usage data to Apollo's servers: nothing may leave a government network.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  installOperationMemo();
  installFastResultShaping();
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.hook,
    buildService: ({ name, url }) => new BureauDataSource(name, overrides[name as SubgraphName] ?? url!, options.signingKey, breakers.get(name), metrics),
  });
  const shutdown = options.shutdown ?? shutdownFromEnv();
  const drain = new Drain(shutdown.delayMs);
  const answers = new ResponseCache(options.responseCache ?? responseCacheFromEnv(), urlOf);
  // The API schema as SDL (no @inaccessible internals), for the query IDE: it stands in for introspection.
  let apiSdl = '';
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => void (apiSdl = printSchema(apiSchema)));

  /** One entry per request, whatever happened to it; false when it could not be recorded. */
  const record = async (entry: Partial<AccessLogEntry> & Pick<AccessLogEntry, 'decision'>, context?: Partial<GatewayContext>): Promise<boolean> => {
    if (!accessLog) return true;
    const identity = context?.identity;
    return accessLog
      .append({
        at: new Date(),
        subject: identity?.subject ?? null,
        role: identity?.role ?? null,
        town: identity?.town ?? null,
        operationName: null,
        operationHash: null,
        variables: null,
        rule: null,
        subgraphs: [...(context?.subgraphs ?? [])],
        unmaskedIdNumbers: [...(context?.unmaskedIdNumbers ?? [])],
        ...entry,
      })
      .then(
        () => true,
        (err: Error) => {
          log.error({ err: err.message }, 'access log: cannot append');
          return false;
        },
      );
  };

  const accessControl: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart({ contextValue }) {
      return {
        async didResolveOperation({ document, operationName, schema, request, source }) {
          const refusal = checkOperation(document, operationName, schema, request.variables, limits);
          if (refusal) throw refusal;
          // source: the query sent, or the persisted query a hash named.
          if (limits.trustedDocumentRoles.includes(contextValue.identity.role) && !isTrusted(source)) {
            throw limitError('TRUSTED_DOCUMENT_REQUIRED', `role ${contextValue.identity.role} may run only the named operations under schema/operations (${trusted.names().length} of them)`);
          }
        },
        async willSendResponse({ response, request, operationName, errors, source }) {
          const body = response.body.kind === 'single' ? response.body.singleResult : null;
          const all = [...(body?.errors ?? errors ?? [])];
          // A subgraph's refusal (row scope, masking guard) counts as a denial like the gateway's own.
          const refused = all.find((e) => e.extensions?.code === 'FORBIDDEN');
          const decision = body?.data == null && all.length > 0 ? 'DENIED' : contextValue.denials.length || refused ? 'PARTIAL' : 'ALLOWED';
          const rule =
            contextValue.denials[0]?.rule ??
            (refused ? String(refused.extensions?.rule ?? refused.extensions?.scope ?? 'FORBIDDEN') : null) ??
            (decision === 'DENIED' ? String(all[0]?.extensions?.code ?? 'ERROR') : null);
          const recorded = await record(
            {
              decision,
              rule,
              operationName: operationName ?? request.operationName ?? null,
              operationHash: source ? sha256(source) : null,
              variables: request.variables ? redactVariables(request.variables) : null,
            },
            contextValue,
          );
          // Fail closed: what cannot be recorded is not returned.
          if (!recorded && response.body.kind === 'single') {
            response.body.singleResult = { errors: [{ message: ACCESS_LOG_UNAVAILABLE.message, extensions: ACCESS_LOG_UNAVAILABLE.extensions }] };
            response.http.status = 503;
          }
        },
      };
    },
  };

  const app = express();
  // Nothing tells a caller which server software answers.
  app.disable('x-powered-by');
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<GatewayContext>({
    gateway: authorizingGateway(gateway, supergraph, answers),
    persistedQueries: options.persistedQueries,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: shutdown.graceMs }), accessControl, observationPlugin],
    includeStacktraceInErrorResponses: development,
    // Shutdown is the process's (lib/lifecycle.ts): Apollo's own signal handler would close at once.
    stopOnTerminationSignals: false,
    // Introspection is refused by checkOperation (INTROSPECTION_DISABLED) unless limits allow it.
    introspection: true,
    parseOptions: { maxTokens: limits.maxTokens },
    formatError: (formatted) => {
      // A variable the GraphQL layer rejects (unknown enum value, impossible Date) names its field too.
      let error = withInputField(development ? formatted : withoutSuggestions(formatted));
      if (/Document contains more th(?:an|at) \d+ tokens/.test(error.message)) {
        error = { ...error, extensions: { ...error.extensions, code: 'TOKEN_LIMIT_EXCEEDED' } };
      }
      return error;
    },
  });
  await apollo.start();
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway' });
  });
  app.get('/metrics', metricsHandler(metrics.registry));
  const ready = readiness({ draining: () => drain.draining, supergraph, breakers, urlOf });
  app.get('/ready', async (_req, res) => {
    const { httpStatus, body } = await ready();
    res.status(httpStatus).json(body);
  });
  const observe = [observeRequests(log, (observation) => metrics.observe(observation)), serverSpans('gateway')];

  /**
   * Who is asking: a bearer token, or (where signed is true) a subgraph's own signed call (lead sweep,
   * suspension check); then the rate limit. Refusals are answered and recorded here.
   */
  const admit =
    (signed: boolean, operationName: (req: express.Request) => string | null = bodyOperationName): express.RequestHandler =>
    async (req, res, next) => {
      let identity: Identity;
      const signature = signed ? req.get(SIGNATURE_HEADER) : undefined;
      if (signature) {
        let verdict = verifier.verify(signature, (req as RawBodyRequest).rawBody ?? Buffer.alloc(0));
        // Another replica may have accepted this very call already.
        if (verdict.ok && options.replayGuard && !(await options.replayGuard.firstUse(signature))) verdict = { ok: false, status: 403, reason: 'replayed request' };
        if (!verdict.ok) {
          const error = new GraphQLError(verdict.reason, { extensions: { code: verdict.status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN' } });
          await record({ decision: 'DENIED', rule: String(error.extensions.code) });
          jsonError(res, verdict.status, error);
          return;
        }
        identity = verdict.identity;
      } else {
        try {
          identity = await authenticate(req.get('authorization'));
          // A town officer's row scope reaches every bureau as the town's unit codes, inside the signature.
          if (identity.town) identity = { ...identity, units: await townUnits.of(identity) };
        } catch (err) {
          const error = err instanceof GraphQLError ? err : new GraphQLError('authentication failed', { extensions: { code: 'UNAUTHENTICATED' } });
          await record({ decision: 'DENIED', rule: `UNAUTHENTICATED:${String(error.extensions.reason ?? '')}`, operationName: operationName(req) });
          if (error.extensions.code === 'SERVICE_UNAVAILABLE') jsonError(res, 503, error);
          else jsonError(res, 401, error, { 'www-authenticate': 'Bearer error="invalid_token"' });
          return;
        }
      }
      const allowed = await rateLimiter.take(identity.subject);
      if (!allowed.ok) {
        await record({ decision: 'DENIED', rule: 'RATE_LIMITED', operationName: operationName(req) }, { identity });
        jsonError(res, 429, limitError('RATE_LIMITED', `more than ${limits.ratePerMinute} requests a minute by ${identity.subject}; retry in ${allowed.retryAfterSeconds} s`), {
          'retry-after': String(allowed.retryAfterSeconds),
        });
        return;
      }
      res.locals.identity = identity;
      next();
    };

  const counter = requestCounter();
  // The API schema for the query IDE, to any authenticated caller; recorded like every request.
  const SCHEMA_REQUEST = 'GET /schema.graphql';
  app.get('/schema.graphql', ...observe, counter.middleware, admit(false, () => SCHEMA_REQUEST), async (_req, res) => {
    if (!(await record({ decision: 'ALLOWED', operationName: SCHEMA_REQUEST }, { identity: res.locals.identity as Identity }))) {
      jsonError(res, 503, ACCESS_LOG_UNAVAILABLE);
      return;
    }
    res.setHeader('cache-control', 'no-store');
    res.type('text/plain; charset=utf-8').send(apiSdl);
  });
  app.use(uiRouter({ ...uiOptionsFromEnv(), ...options.ui }));

  app.use(
    '/graphql',
    ...observe,
    counter.middleware,
    cors(),
    express.json({ limit: limits.maxBodyBytes, verify: (req, _res, buf) => void ((req as RawBodyRequest).rawBody = buf) }),
    admit(true),
    async (req, res, next) => {
      const variables = (req.body as { variables?: unknown } | undefined)?.variables;
      if (variables !== undefined && Buffer.byteLength(JSON.stringify(variables)) > limits.maxVariablesBytes) {
        await record({ decision: 'DENIED', rule: 'VARIABLES_TOO_LARGE', operationName: bodyOperationName(req) }, { identity: res.locals.identity as Identity });
        jsonError(res, 400, limitError('VARIABLES_TOO_LARGE', `variables are ${Buffer.byteLength(JSON.stringify(variables))} bytes; the limit is ${limits.maxVariablesBytes}`));
        return;
      }
      next();
    },
    expressMiddleware(apollo, {
      context: async ({ res }): Promise<GatewayContext> => ({
        identity: res.locals.identity as Identity,
        subgraphs: new Set(),
        unmaskedIdNumbers: new Set(),
        denials: [],
        versions: new Map(),
      }),
    }),
  );
  // Lead export: the caller's own GraphQL requests, paged, streamed into a file (lib/lead-export.ts).
  let ownUrl = '';
  app.get('/exports/leads', ...observe, cors(), admit(false, () => 'LeadExport'), (req, res) =>
    serveLeadExport(req, res, {
      graphqlUrl: ownUrl,
      identity: res.locals.identity as Identity,
      record: (entry) => record({ ...entry, operationName: 'LeadExport' }, { identity: res.locals.identity as Identity }),
      log,
    }),
  );
  // An oversized or unreadable body is refused before anything else, and recorded.
  app.use(async (err: Error & { type?: string; status?: number }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (err.type === 'entity.too.large') {
      await record({ decision: 'DENIED', rule: 'BODY_TOO_LARGE' });
      jsonError(res, 413, limitError('BODY_TOO_LARGE', `request body larger than ${limits.maxBodyBytes} bytes`));
      return;
    }
    if (err.type === 'entity.parse.failed') {
      await record({ decision: 'DENIED', rule: 'BAD_REQUEST' });
      jsonError(res, 400, new GraphQLError('request body is not valid JSON', { extensions: { code: 'BAD_REQUEST' } }));
      return;
    }
    next(err);
  });
  const address = await listen(httpServer, options.port ?? 0, options.host ?? '127.0.0.1');
  // The export asks this gateway itself: over loopback when it listens on every interface.
  ownUrl = ['0.0.0.0', '::'].includes(options.host ?? '') ? `http://127.0.0.1:${address.port}/graphql` : address.url;
  return {
    ...address,
    requests: counter.count,
    // Stopping the gateway also stops watching the supergraph file (the hook's cleanup).
    stop: () => drain.stop(() => apollo.stop()),
    reloadSupergraph: () => supergraph.reload(),
  };
}

/** The unit codes of a town, from the establishment office, cached for a few minutes. */
class TownUnits {
  private readonly cache = new Map<string, { codes: Promise<string[]>; until: number }>();
  constructor(
    private readonly staffingUrl: () => string,
    private readonly signingKey: SigningKey,
  ) {}

  of(identity: Identity): Promise<string[]> {
    const town = identity.town!;
    const hit = this.cache.get(town);
    if (hit && hit.until > Date.now()) return hit.codes;
    const codes = this.load(identity).catch((err: Error) => {
      this.cache.delete(town);
      throw new GraphQLError(`cannot determine the units of town ${town}: ${err.message}`, { extensions: { code: 'SERVICE_UNAVAILABLE' } });
    });
    this.cache.set(town, { codes, until: Date.now() + 5 * 60_000 });
    return codes;
  }

  private async load(identity: Identity): Promise<string[]> {
    const codes: string[] = [];
    let after: string | null = null;
    do {
      // Staffing scopes units to the town of the identity it receives.
      const body = JSON.stringify({ query: 'query($after: String) { units(first: 1000, after: $after) { nodes { code } pageInfo { hasNextPage endCursor } } }', variables: { after } });
      const res = await fetch(this.staffingUrl(), {
        method: 'POST',
        headers: correlationHeaders({ 'content-type': 'application/json', [SIGNATURE_HEADER]: signRequest(this.signingKey, body, identity) }),
        body,
      });
      const json = (await res.json()) as { data?: { units: { nodes: { code: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } };
      if (!res.ok || !json.data) throw new Error(`staffing answered HTTP ${res.status}`);
      codes.push(...json.data.units.nodes.map((n) => n.code));
      after = json.data.units.pageInfo.hasNextPage ? json.data.units.pageInfo.endCursor : null;
    } while (after);
    return codes;
  }
}

function bodyOperationName(req: express.Request): string | null {
  const name = (req.body as { operationName?: unknown } | undefined)?.operationName;
  return typeof name === 'string' ? name.slice(0, 200) : null;
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
