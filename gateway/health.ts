// The gateway's readiness: which supergraph it serves and how each subgraph is doing (its breaker and
// its own /ready, which includes its database). A bureau being down does not make the gateway unready:
// it still answers, with that bureau's fields null and named in an error. Only shutting down does.
import type { Breakers, BreakerView } from './resilience.ts';
import type { SupergraphSource } from './supergraph-source.ts';

export interface SubgraphReadiness {
  /** The subgraph's own /ready answered 200. */
  ready: boolean;
  /** As the subgraph reports it ('up' / 'down'), or null when it did not answer. */
  database: string | null;
  breaker: BreakerView;
}

export interface Readiness {
  status: 'ready' | 'shutting down';
  supergraph: { path: string; hash: string; loadedAt: string };
  subgraphs: Record<string, SubgraphReadiness>;
}

/** A subgraph's /ready next to its GraphQL endpoint. */
export function readyUrl(graphqlUrl: string): string {
  const url = new URL(graphqlUrl);
  url.pathname = url.pathname.replace(/\/graphql\/?$/, '') + '/ready';
  return url.toString();
}

async function probe(url: string, timeoutMs: number): Promise<Pick<SubgraphReadiness, 'ready' | 'database'>> {
  try {
    const res = await fetch(readyUrl(url), { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await res.json().catch(() => null)) as { database?: unknown } | null;
    return { ready: res.ok, database: typeof body?.database === 'string' ? body.database : null };
  } catch {
    return { ready: false, database: null };
  }
}

/**
 * The gateway's /ready. The subgraphs' own /ready are asked at most once a second, however often
 * /ready is called (it needs no token).
 */
export function readiness(options: {
  draining: () => boolean;
  supergraph: SupergraphSource;
  breakers: Breakers;
  /** Where the gateway sends each subgraph's requests. */
  urlOf: (subgraph: string) => string;
  probeTimeoutMs?: number;
}): () => Promise<{ httpStatus: number; body: Readiness }> {
  let probed: { at: number; names: string[]; results: Promise<Pick<SubgraphReadiness, 'ready' | 'database'>[]> } | undefined;
  return async () => {
    const version = options.supergraph.current;
    const names = Object.keys(version.subgraphUrls);
    if (!probed || Date.now() - probed.at > 1_000 || probed.names.join() !== names.join()) {
      probed = { at: Date.now(), names, results: Promise.all(names.map((name) => probe(options.urlOf(name), options.probeTimeoutMs ?? 2_000))) };
    }
    const results = await probed.results;
    const subgraphs = Object.fromEntries(names.map((name, i) => [name, { ...results[i]!, breaker: options.breakers.get(name).view() }]));
    const draining = options.draining();
    return {
      httpStatus: draining ? 503 : 200,
      body: {
        status: draining ? 'shutting down' : 'ready',
        supergraph: { path: version.path, hash: version.hash, loadedAt: version.loadedAt.toISOString() },
        subgraphs,
      },
    };
  };
}
