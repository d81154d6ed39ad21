// A subgraph's cache of what it derives from its own database (rosters, rule hits), valid for one data
// version. Every bureau's database counts its committed writes in `data_version` (bumped at commit by a
// trigger on every table: the migrations named data_version), so an entry is served only while no write has
// committed since it was computed, whichever process or replica wrote. A request reads the version once.
import DataLoader from 'dataloader';
import type { Identity } from './auth/identity.ts';

interface Entry {
  version: string;
  value: Promise<unknown>;
  weight: number;
}

export interface VersionedCacheOptions {
  /** Upper bound of the summed weights (by default a value weighs 1; strings weigh their length). */
  maxWeight?: number;
  enabled?: boolean;
}

export class VersionedCache {
  private readonly entries = new Map<string, Entry>();
  private weight = 0;
  private readonly maxWeight: number;
  /** Off: every request computes afresh (tests that count SQL statements per request, or SUBGRAPH_CACHE=off). */
  enabled: boolean;
  hits = 0;
  misses = 0;

  constructor(
    private readonly readVersion: () => Promise<string>,
    options: VersionedCacheOptions = {},
  ) {
    this.maxWeight = options.maxWeight ?? 64 * 1024 * 1024;
    this.enabled = options.enabled ?? process.env.SUBGRAPH_CACHE !== 'off';
  }

  /** The database's data version now (a statement of its own). */
  currentVersion(): Promise<string> {
    return this.readVersion();
  }

  /** A view for one request: the data version is read at most once, on the first get. */
  forRequest(): RequestCache {
    if (!this.enabled) return NO_CACHE;
    let version: Promise<string> | undefined;
    const current = () => (version ??= this.readVersion());
    return {
      version: current,
      get: async <T>(key: string, compute: () => Promise<T>, weigh?: (value: T) => number): Promise<T> => {
        const v = await current();
        const hit = this.entries.get(key);
        if (hit && hit.version === v) {
          this.hits++;
          // Most recently used last, so that eviction drops the oldest.
          this.entries.delete(key);
          this.entries.set(key, hit);
          return hit.value as Promise<T>;
        }
        this.misses++;
        // The version was read before the data, so the value is at least as new as `v`: never older data under a newer version.
        const value = compute();
        const entry: Entry = { version: v, value, weight: 1 };
        this.put(key, entry);
        value.then(
          (resolved) => {
            if (this.entries.get(key) !== entry) return;
            const w = weigh ? weigh(resolved) : typeof resolved === 'string' ? resolved.length : 1;
            this.weight += w - entry.weight;
            entry.weight = w;
            this.evict();
          },
          // A failure is not remembered.
          () => {
            if (this.entries.get(key) === entry) this.remove(key);
          },
        );
        return value;
      },
    };
  }

  clear(): void {
    this.entries.clear();
    this.weight = 0;
  }

  private put(key: string, entry: Entry) {
    if (this.entries.has(key)) this.remove(key);
    this.entries.set(key, entry);
    this.weight += entry.weight;
    this.evict();
  }

  private remove(key: string) {
    const e = this.entries.get(key);
    if (!e) return;
    this.weight -= e.weight;
    this.entries.delete(key);
  }

  private evict() {
    while (this.weight > this.maxWeight && this.entries.size > 1) this.remove(this.entries.keys().next().value!);
  }
}

export interface RequestCache {
  /** The database's data version as this request first saw it. */
  version(): Promise<string>;
  /** `compute()` for `key`, shared by every request at the same data version. Keys must carry the caller's rights where the value depends on them. */
  get<T>(key: string, compute: () => Promise<T>, weigh?: (value: T) => number): Promise<T>;
}

/** What a cached value may depend on in the caller's identity: row scope (town) and scopes. */
export function rightsKey(identity: Identity): string {
  return `${identity.town ?? '*'}:${[...identity.scopes].sort().join(',')}`;
}

/** A cache that never holds anything (subgraph unit tests without a database version). */
export const NO_CACHE: RequestCache = {
  version: async () => '0',
  get: (_key, compute) => compute(),
};

/** What one cached loader entry is taken to weigh (a few rows), against VersionedCache's maxWeight. */
const LOADER_ENTRY_WEIGHT = 2048;

/**
 * A per-request DataLoader whose results are also kept key by key in the subgraph's versioned cache:
 * while the bureau's data has not changed, a repeated lookup costs no statement beyond the request's
 * one data-version read. The keys missing from the cache still go to the database in one batch. `name`
 * must say what the values depend on besides the key (the caller's row scope, say).
 */
export function versionedLoader<K, V>(
  cache: RequestCache,
  name: string,
  batch: (keys: readonly K[]) => Promise<(V | Error)[]>,
  cacheKey: (key: K) => string = String,
): DataLoader<K, V, string> {
  const misses = new DataLoader<K, V, string>(batch, { cacheKeyFn: cacheKey });
  if (cache === NO_CACHE) return misses;
  return new DataLoader<K, V, string>(
    (keys) => Promise.all(keys.map((k) => cache.get(`loader|${name}|${cacheKey(k)}`, () => misses.load(k), () => LOADER_ENTRY_WEIGHT).catch((err: Error) => err))),
    { cacheKeyFn: cacheKey },
  );
}

/**
 * Base of each subgraph's per-request data access: it holds the request's cache before the subclass's
 * loader fields are initialised (they are built from it).
 */
export class CachedData {
  constructor(
    protected readonly cache: RequestCache = NO_CACHE,
    /** What the loaded values depend on in the caller (a town officer's row scope); part of every cache key. */
    protected readonly rowScope = '*',
  ) {}
}
