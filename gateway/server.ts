// The federation gateway: serves the composed supergraph file (no introspection of running subgraphs)
// and plans each operation across the four bureaus' subgraphs.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import express from 'express';
import cors from 'cors';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { createHash } from 'node:crypto';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayInterface } from '@apollo/server-gateway-interface';
import { GraphQLError, Kind, print, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { SUPERGRAPH_PATH } from '../lib/supergraph.ts';
import { listen, requestCounter, type RunningServer, type SubgraphName } from '../lib/subgraph.ts';
import type { Identity } from '../lib/auth/identity.ts';
import { SIGNATURE_HEADER, SignatureVerifier, signRequest, type SigningKey } from '../lib/auth/signing.ts';
import { redactVariables, type AccessLog, type AccessLogEntry } from '../lib/access-log.ts';
import { withInputField } from '../lib/errors.ts';
import { createAuthenticator, type AuthConfig } from './authenticate.ts';
import { AccessRules, authorizeDocument, denialError, withoutSecurityFeatures, type Denial } from './authorize.ts';
import { RateLimiter, TrustedDocuments, checkOperation, limitError, limitsFromEnv, withoutSuggestions, type LimitConfig } from './limits.ts';

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
}

/** What the gateway knows about one request, from authentication to the access log. */
export interface GatewayContext {
  identity: Identity;
  subgraphs: Set<string>;
  unmaskedIdNumbers: Set<string>;
  denials: Denial[];
}

const PENDING_IDENTITY = 'x-bianwai-pending-identity';

/**
 * A subgraph's HTTP error reaches the client as a GraphQL error: the client's own mistakes (a bad
 * variable, BAD_USER_INPUT) keep their message and code; anything else names the bureau but never
 * carries the subgraph's response body, which may hold internal detail. Every request is signed with
 * the caller's identity; the ID numbers a subgraph returned unmasked are collected for the access log.
 */
export class BureauDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly bureau: string,
    url: string,
    signingKey: SigningKey,
  ) {
    super({ url });
    const fetcher = this.fetcher;
    // The signature covers the exact body sent, which only the fetcher sees.
    this.fetcher = ((input: string, init: { headers: Record<string, string>; body: string }) => {
      const identity = init.headers[PENDING_IDENTITY];
      delete init.headers[PENDING_IDENTITY];
      if (identity) init.headers[SIGNATURE_HEADER] = signRequest(signingKey, init.body, JSON.parse(identity) as Identity);
      return fetcher(input, init as never);
    }) as never;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (context.identity) request.http?.headers.set(PENDING_IDENTITY, JSON.stringify(context.identity));
    context.subgraphs?.add(this.bureau);
  }

  override didReceiveResponse({ response, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>>[0]) {
    const ids = response.extensions?.unmaskedIdNumbers;
    if (Array.isArray(ids)) for (const id of ids) context.unmaskedIdNumbers?.add(String(id));
    return response;
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
function authorizingGateway(gateway: ApolloGateway, rules: AccessRules): GatewayInterface {
  // Per document and per set of rights (scopes, town scope): what to plan and what was denied. It holds
  // documents, never data, so one role's answer cannot reach another.
  const decided = new Bounded<string, Authorized | null>(5_000);
  return {
    async load(options) {
      const loaded = await gateway.load(options);
      return {
        schema: loaded.schema,
        executor: async (requestContext) => {
          const context = requestContext.context as unknown as GatewayContext;
          const identity = context.identity;
          const key = `${requestContext.queryHash}|${requestContext.operationName ?? ''}|${identity.scopes.join(' ')}|${identity.town ? 'town' : ''}`;
          let authorized = decided.get(key);
          if (authorized === undefined) {
            const { document, denials } = authorizeDocument(requestContext.document, requestContext.schema, rules, identity);
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
          if (authorized === null) return loaded.executor(requestContext);
          context.denials.push(...authorized.denials);
          const pruned = Object.assign(Object.create(Object.getPrototypeOf(requestContext)), requestContext, {
            document: authorized.document,
            operation: authorized.operation,
            queryHash: authorized.queryHash,
            source: authorized.source,
          });
          const result = await loaded.executor(pruned);
          return { ...result, errors: [...authorized.denials.map(denialError), ...(result.errors ?? [])] };
        },
      };
    },
    onSchemaLoadOrUpdate: (callback) => gateway.onSchemaLoadOrUpdate(callback),
    stop: () => gateway.stop(),
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function jsonError(res: express.Response, status: number, error: GraphQLError, headers: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).json({ errors: [{ message: error.message, extensions: { ...error.extensions, http: undefined } }] });
}

export async function startGateway(options: GatewayOptions): Promise<RunningServer> {
  const supergraphSdl = readFileSync(options.supergraphPath ?? SUPERGRAPH_PATH, 'utf8');
  const overrides = options.subgraphUrls ?? {};
  const limits = options.limits ?? limitsFromEnv();
  const development = options.development ?? process.env.NODE_ENV === 'development';
  const authenticate = createAuthenticator(options.auth);
  const verifier = new SignatureVerifier(options.signingKey);
  const rateLimiter = new RateLimiter(limits.ratePerMinute);
  const trusted = TrustedDocuments.fromOperationsDir();
  const trustedSeen = new Bounded<string, boolean>(1_000);
  const isTrusted = (query: string): boolean => {
    let known = trustedSeen.get(query);
    if (known === undefined) trustedSeen.set(query, (known = trusted.isTrusted(query)));
    return known;
  };
  const accessLog = options.accessLog;
  const rules = AccessRules.fromSupergraph(supergraphSdl);
  const staffingUrl = overrides.staffing ?? /STAFFING @join__graph\(name: "staffing", url: "([^"]+)"\)/.exec(supergraphSdl)?.[1];
  const townUnits = new TownUnits(staffingUrl!, options.signingKey);
  const gateway = new ApolloGateway({
    supergraphSdl: withoutSecurityFeatures(supergraphSdl),
    buildService: ({ name, url }) => new BureauDataSource(name, overrides[name as SubgraphName] ?? url!, options.signingKey),
  });

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
          console.error(`access log: cannot append: ${err.message}`);
          return false;
        },
      );
  };

  const accessControl: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart({ contextValue }) {
      return {
        async didResolveOperation({ document, operationName, schema, request }) {
          const refusal = checkOperation(document, operationName, schema, request.variables, limits);
          if (refusal) throw refusal;
          if (limits.trustedDocumentRoles.includes(contextValue.identity.role) && !isTrusted(request.query ?? '')) {
            throw limitError('TRUSTED_DOCUMENT_REQUIRED', `role ${contextValue.identity.role} may run only the named operations under schema/operations (${trusted.names().length} of them)`);
          }
        },
        async willSendResponse({ response, request, operationName, errors }) {
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
              operationHash: request.query ? sha256(request.query) : null,
              variables: request.variables ? redactVariables(request.variables) : null,
            },
            contextValue,
          );
          // Fail closed: what cannot be recorded is not returned.
          if (!recorded && response.body.kind === 'single') {
            response.body.singleResult = {
              errors: [{ message: 'the access log cannot record this request, so nothing is returned; try again shortly', extensions: { code: 'ACCESS_LOG_UNAVAILABLE' } }],
            };
            response.http.status = 503;
          }
        },
      };
    },
  };

  const app = express();
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<GatewayContext>({
    gateway: authorizingGateway(gateway, rules),
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), accessControl],
    includeStacktraceInErrorResponses: development,
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
  const counter = requestCounter();
  app.use(
    '/graphql',
    counter.middleware,
    cors(),
    express.json({ limit: limits.maxBodyBytes, verify: (req, _res, buf) => void ((req as RawBodyRequest).rawBody = buf) }),
    // Authentication: a bearer token, or a subgraph's own signed call (lead sweep, suspension check).
    async (req, res, next) => {
      let identity: Identity;
      const signature = req.get(SIGNATURE_HEADER);
      if (signature) {
        const verdict = verifier.verify(signature, (req as RawBodyRequest).rawBody ?? Buffer.alloc(0));
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
          await record({ decision: 'DENIED', rule: `UNAUTHENTICATED:${String(error.extensions.reason ?? '')}`, operationName: bodyOperationName(req) });
          if (error.extensions.code === 'SERVICE_UNAVAILABLE') jsonError(res, 503, error);
          else jsonError(res, 401, error, { 'www-authenticate': 'Bearer error="invalid_token"' });
          return;
        }
      }
      const allowed = rateLimiter.take(identity.subject);
      if (!allowed.ok) {
        await record({ decision: 'DENIED', rule: 'RATE_LIMITED', operationName: bodyOperationName(req) }, { identity });
        jsonError(res, 429, limitError('RATE_LIMITED', `more than ${limits.ratePerMinute} requests a minute by ${identity.subject}; retry in ${allowed.retryAfterSeconds} s`), {
          'retry-after': String(allowed.retryAfterSeconds),
        });
        return;
      }
      const variables = (req.body as { variables?: unknown } | undefined)?.variables;
      if (variables !== undefined && Buffer.byteLength(JSON.stringify(variables)) > limits.maxVariablesBytes) {
        await record({ decision: 'DENIED', rule: 'VARIABLES_TOO_LARGE', operationName: bodyOperationName(req) }, { identity });
        jsonError(res, 400, limitError('VARIABLES_TOO_LARGE', `variables are ${Buffer.byteLength(JSON.stringify(variables))} bytes; the limit is ${limits.maxVariablesBytes}`));
        return;
      }
      res.locals.identity = identity;
      next();
    },
    expressMiddleware(apollo, {
      context: async ({ res }): Promise<GatewayContext> => ({ identity: res.locals.identity as Identity, subgraphs: new Set(), unmaskedIdNumbers: new Set(), denials: [] }),
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
  return {
    ...address,
    requests: counter.count,
    async stop() {
      await apollo.stop();
    },
  };
}

/** The unit codes of a town, from the establishment office, cached for a few minutes. */
class TownUnits {
  private readonly cache = new Map<string, { codes: Promise<string[]>; until: number }>();
  constructor(
    private readonly staffingUrl: string,
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
      const res = await fetch(this.staffingUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signRequest(this.signingKey, body, identity) },
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
