// How the gateway talks HTTP to a subgraph: a pool of keep-alive connections (undici) per subgraph.
// @apollo/gateway's default fetcher (make-fetch-happen over minipass-fetch and @npmcli/agent) builds
// several objects per request and inspects a stack trace to choose its agent; profiled under the
// dashboard mix it was the largest cost in the gateway after JSON itself.
import { Pool, errors } from 'undici';

/** The part of a fetch Response that RemoteGraphQLDataSource and our data sources read. */
export interface SubgraphResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<unknown>;
}

export interface SubgraphRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Longest wait for the answer's headers, and then for its body (ms; 0: none). */
  timeout?: number;
}

/** What a timed-out request throws, recognisable by its code like make-fetch-happen's. */
export const TIMEOUT_ERROR_CODES = ['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'] as const;

const pools = new Map<string, Pool>();

function poolFor(origin: string): Pool {
  let pool = pools.get(origin);
  if (!pool) {
    // Idle connections are dropped before the subgraphs' own keep-alive (65 s) ends them.
    pools.set(origin, (pool = new Pool(origin, { connections: 128, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 30_000, pipelining: 1 })));
  }
  return pool;
}

/** A fetcher for RemoteGraphQLDataSource: POSTs over the subgraph's connection pool. */
export async function subgraphFetch(url: string, init: SubgraphRequestInit = {}): Promise<SubgraphResponse> {
  const target = new URL(url);
  const timeout = init.timeout ?? 0;
  const res = await poolFor(target.origin).request({
    path: target.pathname + target.search,
    method: (init.method ?? 'POST') as 'POST',
    headers: init.headers,
    body: init.body,
    headersTimeout: timeout,
    bodyTimeout: timeout,
  });
  const headers = res.headers;
  let consumed: Promise<string> | undefined;
  const text = () => (consumed ??= res.body.text());
  return {
    ok: res.statusCode >= 200 && res.statusCode < 300,
    status: res.statusCode,
    statusText: '',
    url,
    headers: {
      get(name: string) {
        const v = headers[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
    },
    text,
    json: async () => JSON.parse(await text()),
  };
}

/** Whether an error from subgraphFetch is a timeout. */
export function isTransportTimeout(err: unknown): boolean {
  return err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError;
}

/** Closes every pool (gateway shutdown). */
export async function closeSubgraphPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close().catch(() => undefined)));
}
