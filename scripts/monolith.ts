// "Monolith mode": the four subgraphs and the gateway in one process, each on its own port and its own
// database, talking HTTP exactly as in production. Used by `npm start` and by the end-to-end tests.
import type { Database } from '../lib/db.ts';
import { DEFAULT_PORTS, SUBGRAPH_NAMES, serveSubgraph, type RunningServer, type Subgraph, type SubgraphName, type SubgraphOptions } from '../lib/subgraph.ts';
import { GatewayClient } from '../lib/gateway-client.ts';
import { SERVICE_IDENTITIES } from '../lib/auth/identity.ts';
import { randomSigningKey, type SigningKey } from '../lib/auth/signing.ts';
import type { AccessLog } from '../lib/access-log.ts';
import type { AuthConfig } from '../gateway/authenticate.ts';
import type { LimitConfig } from '../gateway/limits.ts';
import { startGateway } from '../gateway/server.ts';
import type { ResponseCacheOptions } from '../gateway/response-cache.ts';
import type { UiOptions } from '../gateway/ui/serve.ts';
import { createSubgraph as createStaffing } from '../subgraphs/staffing/index.ts';
import { createSubgraph as createFinance } from '../subgraphs/finance/index.ts';
import { createSubgraph as createHr } from '../subgraphs/hr/index.ts';
import { createSubgraph as createAudit } from '../subgraphs/audit/index.ts';

export const SUBGRAPH_FACTORIES: Record<SubgraphName, (db: Database, options?: SubgraphOptions) => Subgraph> = {
  staffing: createStaffing,
  finance: createFinance,
  hr: createHr,
  audit: createAudit,
};

export interface Federation {
  readonly gatewayUrl: string;
  readonly subgraphUrls: Record<SubgraphName, string>;
  readonly subgraphs: Record<SubgraphName, Subgraph>;
  /** SQL statements each subgraph has run so far. */
  sqlStatements(): Record<SubgraphName, number>;
  /** GraphQL requests each subgraph has received so far. */
  subgraphRequests(): Record<SubgraphName, number>;
  /** Stops one subgraph's server, as if the bureau went down (its database stays open). */
  stopSubgraph(name: SubgraphName): Promise<void>;
  /** Serves a stopped subgraph again, on the port it had. */
  restartSubgraph(name: SubgraphName): Promise<void>;
  stop(): Promise<void>;
}

export async function startFederation(options: {
  dbs: Record<SubgraphName, Database>;
  /** 'default' uses ports 4000-4004 (overridable by <NAME>_PORT / GATEWAY_PORT); 'ephemeral' lets the OS choose. */
  ports?: 'default' | 'ephemeral';
  host?: string;
  supergraphPath?: string;
  /** Token verification keys (demo mode: createDemoAuth). */
  auth: AuthConfig;
  /** Where every operation is recorded. */
  accessLog: AccessLog | null;
  /** Shared by the gateway and the subgraphs; a fresh random key when not given. */
  signingKey?: SigningKey;
  limits?: LimitConfig;
  development?: boolean;
  /** What the query IDE and the dashboard open on. */
  ui?: Partial<UiOptions>;
  /** The gateway's kept answers (default: from the environment, on). */
  responseCache?: ResponseCacheOptions;
}): Promise<Federation> {
  const signingKey = options.signingKey ?? randomSigningKey();
  const portOf = (name: SubgraphName | 'gateway') => {
    if (options.ports !== 'default') return 0;
    const env = process.env[`${name.toUpperCase()}_PORT`];
    return env ? Number(env) : DEFAULT_PORTS[name];
  };
  const subgraphs = {} as Record<SubgraphName, Subgraph>;
  const servers = {} as Record<SubgraphName, RunningServer>;
  const running = new Set<SubgraphName>();
  // The subgraphs ask the whole graph through the gateway, which starts last.
  let gatewayUrl: string | undefined;
  const clientOf = (name: SubgraphName) =>
    new GatewayClient(() => gatewayUrl, { signingKey, identity: SERVICE_IDENTITIES[name as keyof typeof SERVICE_IDENTITIES] ?? SERVICE_IDENTITIES.audit });
  const serve = async (name: SubgraphName, port: number) => {
    servers[name] = await serveSubgraph(subgraphs[name], { port, host: options.host, signingKey, accessLog: options.accessLog, database: options.dbs[name] });
    running.add(name);
  };
  const stopServers = async (names: Iterable<SubgraphName>) => {
    await Promise.all(
      [...names].map(async (name) => {
        running.delete(name);
        await servers[name].stop();
      }),
    );
  };
  try {
    for (const name of SUBGRAPH_NAMES) {
      subgraphs[name] = SUBGRAPH_FACTORIES[name](options.dbs[name], { gateway: clientOf(name), accessLog: options.accessLog });
      await serve(name, portOf(name));
    }
    const subgraphUrls = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, servers[n].url])) as Record<SubgraphName, string>;
    const gateway = await startGateway({
      subgraphUrls,
      port: portOf('gateway'),
      host: options.host,
      supergraphPath: options.supergraphPath,
      signingKey,
      auth: options.auth,
      accessLog: options.accessLog,
      limits: options.limits,
      development: options.development,
      ui: options.ui,
      responseCache: options.responseCache,
    });
    gatewayUrl = gateway.url;
    return {
      gatewayUrl: gateway.url,
      subgraphUrls,
      subgraphs,
      sqlStatements: () =>
        Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, subgraphs[n].sqlStatements()])) as Record<SubgraphName, number>,
      subgraphRequests: () => Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, servers[n].requests()])) as Record<SubgraphName, number>,
      stopSubgraph: (name) => stopServers([name]),
      async restartSubgraph(name) {
        if (!running.has(name)) await serve(name, servers[name].port);
      },
      async stop() {
        await gateway.stop();
        await stopServers(running);
        for (const name of SUBGRAPH_NAMES) await subgraphs[name].close();
      },
    };
  } catch (err) {
    await stopServers(running).catch(() => undefined);
    throw err;
  }
}
