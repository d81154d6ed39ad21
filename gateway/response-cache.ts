// Answers the gateway keeps while the bureaus' data they came from is unchanged. Every subgraph reports
// the data version it read an answer at (its database's count of committed writes, read before any of
// the answer's data); before the gateway serves a kept answer it asks each bureau the answer came from
// for its version now (GET /data-version, one statement there) and serves it only if none has moved.
// A write by any replica, any service or a DBA's SQL moves the version, so nothing stale is served. An
// answer is kept per document, variables and rights (scopes and town): one role's answer never reaches
// another. Only whole answers of queries are kept (no errors but the gateway's own access denials), and
// only from a question's second asking on: a one-off document costs nothing to keep.
import { subgraphFetch } from './transport.ts';

export interface KeptAnswer {
  result: { data?: Record<string, unknown> | null; errors?: readonly unknown[] };
  /** Subgraph → the data version its part of the answer was read at. */
  versions: ReadonlyMap<string, string>;
  /** ID numbers the answer shows unmasked (recorded in the access log at every serving). */
  unmaskedIdNumbers: readonly string[];
  /** Bureaus whose data the answer holds. */
  subgraphs: readonly string[];
  weight: number;
  until: number;
}

export interface ResponseCacheOptions {
  /** Off: every request goes to the subgraphs (GATEWAY_RESPONSE_CACHE=off). */
  enabled: boolean;
  /** Upper bound of the kept answers' JSON size, in bytes. */
  maxBytes: number;
  /** Longest time an answer is kept whatever the versions say (results that depend on the clock). */
  maxAgeMs: number;
}

export function responseCacheFromEnv(env: NodeJS.ProcessEnv = process.env): ResponseCacheOptions {
  const mb = Number(env.GATEWAY_RESPONSE_CACHE_MB ?? 64);
  const seconds = Number(env.GATEWAY_RESPONSE_CACHE_MAX_AGE_S ?? 300);
  return {
    enabled: env.GATEWAY_RESPONSE_CACHE !== 'off',
    maxBytes: Number.isFinite(mb) && mb >= 0 ? mb * 1024 * 1024 : 64 * 1024 * 1024,
    maxAgeMs: Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 300_000,
  };
}

/**
 * The data version of each subgraph, asked for at most once per moment: requests that arrive before a
 * question goes out share its answer. A question already under way is not joined, since a write may have
 * committed between its start and the request's arrival.
 */
class VersionProbe {
  private next: Promise<string | null> | null = null;

  constructor(private readonly url: string) {}

  current(): Promise<string | null> {
    if (this.next) return this.next;
    const probe = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      // From here on, later arrivals wait for the next probe.
      if (this.next === probe) this.next = null;
      try {
        const res = await subgraphFetch(this.url, { method: 'GET', timeout: 2_000 });
        if (!res.ok) {
          await res.text().catch(() => undefined);
          return null;
        }
        const body = (await res.json()) as { version?: unknown };
        return typeof body.version === 'string' ? body.version : null;
      } catch {
        return null;
      }
    });
    this.next = probe;
    return probe;
  }
}

/** How many recent questions are remembered, so that an answer is kept only when its question comes again. */
const SEEN_MAX = 20_000;

export class ResponseCache {
  private readonly kept = new Map<string, KeptAnswer>();
  /** Questions asked once lately: a one-off (an analyst's new document) is not worth keeping. */
  private readonly seen = new Set<string>();
  private bytes = 0;
  private readonly probes = new Map<string, VersionProbe>();
  hits = 0;
  misses = 0;

  constructor(
    readonly options: ResponseCacheOptions,
    /** A subgraph's GraphQL URL (they can change with a supergraph reload). */
    private readonly urlOf: (subgraph: string) => string,
  ) {}

  /** The kept answer, if every bureau it came from is still at the same data version. */
  async get(key: string): Promise<KeptAnswer | undefined> {
    const answer = this.kept.get(key);
    if (!answer) return undefined;
    if (answer.until < Date.now()) {
      this.drop(key);
      return undefined;
    }
    const checks = await Promise.all([...answer.versions].map(async ([subgraph, version]) => (await this.versionOf(subgraph)) === version));
    if (!checks.every(Boolean)) {
      if (this.kept.get(key) === answer) this.drop(key);
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Most recently used last: eviction drops the oldest.
    this.kept.delete(key);
    this.kept.set(key, answer);
    return answer;
  }

  set(key: string, answer: Omit<KeptAnswer, 'weight' | 'until'>): void {
    if (!this.seen.delete(key)) {
      this.seen.add(key);
      if (this.seen.size > SEEN_MAX) this.seen.delete(this.seen.values().next().value!);
      return;
    }
    const weight = JSON.stringify(answer.result).length + 256;
    if (weight > this.options.maxBytes / 4) return;
    this.drop(key);
    this.kept.set(key, { ...answer, weight, until: Date.now() + this.options.maxAgeMs });
    this.bytes += weight;
    while (this.bytes > this.options.maxBytes && this.kept.size > 0) this.drop(this.kept.keys().next().value!);
  }

  clear(): void {
    this.kept.clear();
    this.seen.clear();
    this.bytes = 0;
  }

  private drop(key: string) {
    const answer = this.kept.get(key);
    if (!answer) return;
    this.bytes -= answer.weight;
    this.kept.delete(key);
  }

  private versionOf(subgraph: string): Promise<string | null> {
    const url = new URL('/data-version', this.urlOf(subgraph)).toString();
    let probe = this.probes.get(url);
    if (!probe) this.probes.set(url, (probe = new VersionProbe(url)));
    return probe.current();
  }
}
