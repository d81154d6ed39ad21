// A whole federation for one test file: fresh databases per bureau, demo data loaded, four subgraph
// servers and the gateway on ephemeral ports. Queries go over HTTP, the way users send them.
import { SUBGRAPH_NAMES, type SubgraphName } from '../../lib/subgraph.ts';
import type { Database } from '../../lib/db.ts';
import { startFederation, type Federation } from '../../scripts/monolith.ts';
import { load } from '../../scripts/seed/load.ts';
import type { GeneratedData } from '../../scripts/seed/generate.ts';
import { freshDatabase, type TestDatabase } from './databases.ts';
import { AccessLog } from '../../lib/access-log.ts';
import type { Role } from '../../lib/auth/identity.ts';
import { createDemoAuth } from '../../gateway/authenticate.ts';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { randomSigningKey, type SigningKey } from '../../lib/auth/signing.ts';
import { limitsFromEnv, type LimitConfig } from '../../gateway/limits.ts';
import { responseCacheFromEnv, type ResponseCacheOptions } from '../../gateway/response-cache.ts';
import { startGateway, type GatewayOptions, type RunningGateway } from '../../gateway/server.ts';
import type { UiOptions } from '../../gateway/ui/serve.ts';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestFederation extends Federation {
  dbs: Record<SubgraphName, Database>;
  /** The access log, and its own database. */
  accessLog: AccessLog;
  accessLogDb: Database;
  /** A valid demo token for each role. */
  tokens: Record<Role, string>;
  /** The key the gateway and the subgraphs share (to forge or replay calls in attack tests). */
  signingKey: SigningKey;
  /** Signs a token with the development HS256 secret the gateway also trusts. */
  signToken(claims: Record<string, unknown>, options?: { expiresIn?: string | number; notBefore?: string | number; issuer?: string; audience?: string }): Promise<string>;
  /** Runs an operation as an auditor (who may see everything). */
  query<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Runs an operation as the given role. */
  queryAs<T = Record<string, any>>(role: Role, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** SQL statements per subgraph run by one operation. */
  countStatements<T>(run: () => Promise<T>): Promise<{ result: T; statements: Record<SubgraphName, number> }>;
  /** Another gateway in front of the same subgraphs, keys and access log (stopped with the federation). */
  startGateway(options?: Partial<GatewayOptions>): Promise<RunningGateway>;
  /** Runs an operation as the given role through the gateway at `url`. */
  queryAt<T = Record<string, any>>(url: string, role: Role, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
}

export async function postGraphQL<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: res.status, ...json };
}

export async function startTestFederation(
  data: GeneratedData,
  options: { limits?: Partial<LimitConfig>; development?: boolean; ui?: Partial<UiOptions>; responseCache?: Partial<ResponseCacheOptions> } = {},
): Promise<TestFederation> {
  const tdbs = {} as Record<SubgraphName, TestDatabase>;
  for (const name of SUBGRAPH_NAMES) tdbs[name] = await freshDatabase(name);
  const logDb = await freshDatabase('accesslog');
  const dbs = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, tdbs[n].db])) as Record<SubgraphName, Database>;
  await load(data, dbs);
  const accessLog = await AccessLog.open(logDb.db);
  const demo = await createDemoAuth();
  const hs256Secret = new Uint8Array(randomBytes(32));
  const signingKey = randomSigningKey();
  const auth = { ...demo.config, hs256Secret };
  const limits = { ...limitsFromEnv({}), ...options.limits };
  const responseCache = { ...responseCacheFromEnv({}), ...options.responseCache };
  const federation = await startFederation({
    dbs,
    ports: 'ephemeral',
    signingKey,
    auth,
    accessLog,
    limits,
    development: options.development ?? false,
    ui: options.ui,
    responseCache,
  });
  const bearer = (role: Role) => ({ authorization: `Bearer ${demo.tokens[role]}` });
  const gateways: RunningGateway[] = [];
  return {
    ...federation,
    dbs,
    accessLog,
    accessLogDb: logDb.db,
    tokens: demo.tokens,
    signingKey,
    async signToken(claims, options = {}) {
      let jwt = new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setIssuer(options.issuer ?? demo.config.issuer)
        .setAudience(options.audience ?? demo.config.audience)
        .setExpirationTime(options.expiresIn ?? '1h');
      if (options.notBefore !== undefined) jwt = jwt.setNotBefore(options.notBefore);
      return jwt.sign(hs256Secret);
    },
    query: (query, variables) => postGraphQL(federation.gatewayUrl, { query, variables }, bearer('AUDITOR')),
    queryAs: (role, query, variables) => postGraphQL(federation.gatewayUrl, { query, variables }, bearer(role)),
    async countStatements(run) {
      const before = federation.sqlStatements();
      const result = await run();
      const after = federation.sqlStatements();
      const statements = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, after[n] - before[n]])) as Record<SubgraphName, number>;
      return { result, statements };
    },
    async startGateway(gatewayOptions = {}) {
      const gateway = await startGateway({ subgraphUrls: federation.subgraphUrls, signingKey, auth, accessLog, limits, responseCache, development: false, ...gatewayOptions });
      gateways.push(gateway);
      return gateway;
    },
    queryAt: (url, role, query, variables) => postGraphQL(url, { query, variables }, bearer(role)),
    async stop() {
      for (const gateway of gateways) await gateway.stop();
      await federation.stop();
      await accessLog.close();
      for (const name of SUBGRAPH_NAMES) await tdbs[name].drop();
      await logDb.drop();
    },
  };
}
