// State that gateway replicas behind one proxy must share, kept in Redis (REDIS_URL): the rate limit per
// subject, the circuit breakers, the automatic persisted queries, and the signatures of subgraphs' calls
// already accepted (so that a call replayed to the other replica is refused too). Without REDIS_URL each
// gateway keeps all of it in memory (gateway/limits.ts, gateway/resilience.ts, Apollo Server's own cache).
//
// When Redis stops answering, no request waits for it (commands fail at once while disconnected and
// after REDIS_COMMAND_TIMEOUT_MS otherwise): each replica counts rate limits and breaker failures on its
// own, persisted queries miss (clients send the full query again, as the protocol expects), and replays
// are refused per replica only. Shared state resumes when Redis answers again.
import { createHash } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { PersistedQueryOptions } from '@apollo/server';
import type { RateVerdict, SubjectRateLimiter } from './limits.ts';
import type { BreakerRecord, BreakerStore } from './resilience.ts';
import { consoleLogger, type Logger } from '../lib/lifecycle.ts';

/** Longest wait for one Redis command before the replica goes on alone. */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;
/** Persisted queries expire a day after their last registration (Redis keeps them across gateway restarts). */
export const PERSISTED_QUERY_TTL_SECONDS = 24 * 60 * 60;
/** How often each replica reads every breaker again, in case a change notice was lost. */
export const BREAKER_REFRESH_MS = 1_000;

export interface SharedStateOptions {
  /** Requests per subject per minute (limits.ratePerMinute). */
  ratePerMinute: number;
  /** Prefix of every key and channel: several deployments (or tests) can share one Redis. */
  prefix?: string;
  /** Signatures are remembered this long (the signature's accepted age, both ways). */
  replayWindowMs?: number;
  breakerRefreshMs?: number;
  logger?: Logger;
}

type PersistedQueryCache = NonNullable<PersistedQueryOptions['cache']>;

/** The gateway's shared state over one Redis connection (and one more for change notices). */
export class SharedState {
  readonly rateLimiter: SubjectRateLimiter;
  readonly breakerStore: RedisBreakerStore;
  readonly persistedQueries: PersistedQueryCache;
  readonly replayGuard: ReplayGuard;

  private constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    options: SharedStateOptions & { prefix: string; logger: Logger },
    breakerStore: RedisBreakerStore,
  ) {
    this.rateLimiter = new RedisRateLimiter(redis, options.ratePerMinute, options.prefix);
    this.breakerStore = breakerStore;
    this.persistedQueries = new RedisKeyValueCache(redis, `${options.prefix}apq:`, options.logger);
    this.replayGuard = new RedisReplayGuard(redis, `${options.prefix}signature:`, options.replayWindowMs ?? 120_000, options.logger);
  }

  /** Connects (refusing to start when Redis does not answer now) and reads the breakers' current state. */
  static async connect(url: string, options: SharedStateOptions): Promise<SharedState> {
    const settings: RedisOptions = {
      lazyConnect: true,
      // Nothing queues while Redis is away: the caller falls back at once.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
      connectTimeout: 5_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    };
    const redis = new Redis(url, settings);
    const subscriber = redis.duplicate();
    // Errors are reported through the commands that fail; ioredis reconnects by itself.
    let lastError: Error | undefined;
    const remember = (err: Error) => void (lastError = err);
    redis.on('error', remember);
    subscriber.on('error', remember);
    try {
      await redis.connect();
      await subscriber.connect();
    } catch (err) {
      redis.disconnect();
      subscriber.disconnect();
      throw new Error(`cannot reach Redis at ${redactRedisUrl(url)}: ${(lastError ?? (err as Error)).message}`);
    }
    const prefix = options.prefix ?? 'bianwai:';
    const logger = options.logger ?? consoleLogger;
    const store = new RedisBreakerStore(redis, subscriber, prefix, logger, options.breakerRefreshMs ?? BREAKER_REFRESH_MS);
    await store.start();
    return new SharedState(redis, subscriber, { ...options, prefix, logger }, store);
  }

  async close(): Promise<void> {
    this.breakerStore.stop();
    await Promise.allSettled([this.subscriber.quit(), this.redis.quit()]);
  }
}

/** redis://user:password@host:port/db without the password. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'REDIS_URL (unparseable)';
  }
}

// ---- rate limit --------------------------------------------------------------------------------------

/**
 * The memory RateLimiter's behaviour across replicas: a fixed one-minute window per subject starting at its
 * first request, refused with the seconds left in it. rate-limiter-flexible counts atomically in Redis
 * (SET NX EX + INCRBY in one script); while Redis is unreachable its insurance limiter counts in this
 * process.
 */
class RedisRateLimiter implements SubjectRateLimiter {
  private readonly limiter: RateLimiterRedis;

  constructor(redis: Redis, perMinute: number, prefix: string) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}rate`,
      points: perMinute,
      duration: 60,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points: perMinute, duration: 60 }),
    });
  }

  async take(subject: string): Promise<RateVerdict> {
    try {
      await this.limiter.consume(subject);
      return { ok: true };
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
    }
  }
}

// ---- automatic persisted queries ------------------------------------------------------------------------

/** Apollo Server's KeyValueCache over Redis strings; a Redis failure is a miss (the client sends the query again). */
class RedisKeyValueCache implements PersistedQueryCache {
  private failing = false;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.attempt(() => this.redis.get(this.prefix + key))) ?? undefined;
  }

  async set(key: string, value: string, options?: { ttl?: number | null }): Promise<void> {
    const ttl = options?.ttl ?? PERSISTED_QUERY_TTL_SECONDS;
    await this.attempt(() => this.redis.set(this.prefix + key, value, 'EX', Math.max(1, Math.ceil(ttl))));
  }

  async delete(key: string): Promise<boolean> {
    return ((await this.attempt(() => this.redis.del(this.prefix + key))) ?? 0) > 0;
  }

  private async attempt<T>(command: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await command();
      if (this.failing) this.logger.info('gateway: persisted query cache: Redis answers again');
      this.failing = false;
      return result;
    } catch (err) {
      if (!this.failing) this.logger.error(`gateway: persisted query cache: Redis failed (${(err as Error).message}); queries are not cached until it answers`);
      this.failing = true;
      return undefined;
    }
  }
}

// ---- replayed subgraph calls ------------------------------------------------------------------------------

/** Accepts each signed call once across the replicas (each replica's SignatureVerifier also refuses its own replays). */
export interface ReplayGuard {
  /** True the first time this signature is seen by any replica. */
  firstUse(signature: string): Promise<boolean>;
}

class RedisReplayGuard implements ReplayGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly windowMs: number,
    private readonly logger: Logger,
  ) {}

  async firstUse(signature: string): Promise<boolean> {
    // A signature holds a fresh nonce: the same header twice is a replay.
    const key = this.prefix + createHash('sha256').update(signature).digest('base64url');
    try {
      return (await this.redis.set(key, '1', 'PX', this.windowMs, 'NX')) === 'OK';
    } catch (err) {
      this.logger.error(`gateway: replay guard: Redis failed (${(err as Error).message}); replays are refused by this replica only`);
      return true;
    }
  }
}

// ---- circuit breakers -------------------------------------------------------------------------------------

interface MirroredRecord extends BreakerRecord {
  probeUntil: number;
  /** Redis TIME in µs at the change, made strictly increasing per breaker; survives a Redis restart. */
  version: number;
}

type BreakerOp = 'fail' | 'open' | 'reset' | 'probe';

// KEYS: the breaker's hash, the set of breaker names. ARGV: channel, subgraph, op, until (ms), now (ms).
// Answers { granted, failures, openUntil, probeUntil, version }; a refused probe changes nothing.
const CHANGE_SCRIPT = `
local r = redis.call('HMGET', KEYS[1], 'f', 'o', 'p', 'v')
local f, o, p, v = tonumber(r[1]) or 0, tonumber(r[2]) or 0, tonumber(r[3]) or 0, tonumber(r[4]) or 0
local op, untilMs, now = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
if op == 'probe' and p > now then return { 0, f, o, p, v } end
if op == 'fail' then f = f + 1
elseif op == 'open' then o = untilMs; p = 0
elseif op == 'reset' then f = 0; o = 0; p = 0
elseif op == 'probe' then p = untilMs end
local t = redis.call('TIME')
v = math.max(tonumber(t[1]) * 1000000 + tonumber(t[2]), v + 1)
redis.call('HSET', KEYS[1], 'f', f, 'o', o, 'p', p, 'v', v)
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('PUBLISH', ARGV[1], ARGV[2])
return { 1, f, o, p, v }
`;

type ScriptedRedis = Redis & {
  breakerChange(breakerKey: string, namesKey: string, channel: string, subgraph: string, op: BreakerOp, until: number, now: number): Promise<number[]>;
};

/**
 * Circuit breakers shared by the replicas. Every change is one atomic script in Redis, which also publishes
 * the breaker's name; read() answers from a local mirror (it is on every subgraph request and must not
 * wait), which each replica keeps current from those notices and re-reads every breakerRefreshMs.
 *
 * Consistency: failures count across the replicas (threshold consecutive failures seen by any of them
 * open the breaker; a success anywhere closes it), and one probe is let through by all of them together.
 * Another replica's change reaches this mirror after one Redis round trip, or at the next refresh if the
 * notice was lost; until then this replica may send a request or two the other would have failed fast,
 * or fail fast a little longer. Each record carries a version (Redis time) so that an older answer never
 * overwrites a newer one. While Redis is unreachable, this replica's changes are made in its mirror only.
 */
export class RedisBreakerStore implements BreakerStore {
  private readonly records = new Map<string, MirroredRecord>();
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private readonly redis: ScriptedRedis;
  private readonly namesKey: string;
  private readonly channel: string;

  constructor(
    redis: Redis,
    private readonly subscriber: Redis,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly refreshMs: number,
  ) {
    redis.defineCommand('breakerChange', { numberOfKeys: 2, lua: CHANGE_SCRIPT });
    this.redis = redis as ScriptedRedis;
    this.namesKey = `${prefix}breakers`;
    this.channel = `${prefix}breaker-changed`;
  }

  /** Subscribes to change notices and reads every breaker once. */
  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, subgraph: string) => {
      if (channel === this.channel) void this.refresh([subgraph]);
    });
    await this.subscriber.subscribe(this.channel);
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  read(subgraph: string): BreakerRecord {
    return this.records.get(subgraph) ?? CLOSED;
  }

  async addFailure(subgraph: string): Promise<number> {
    return (await this.change(subgraph, 'fail')).failures;
  }

  async open(subgraph: string, until: number): Promise<void> {
    await this.change(subgraph, 'open', until);
  }

  async reset(subgraph: string): Promise<void> {
    await this.change(subgraph, 'reset');
  }

  async claimProbe(subgraph: string, until: number): Promise<boolean> {
    return (await this.change(subgraph, 'probe', until)).granted;
  }

  /** Reads the named breakers (all of them by default) from Redis into the mirror. */
  async refresh(names?: string[]): Promise<void> {
    try {
      const list = names ?? (await this.redis.smembers(this.namesKey));
      if (list.length === 0) return;
      const pipeline = this.redis.pipeline();
      for (const name of list) pipeline.hmget(this.key(name), 'f', 'o', 'p', 'v');
      const rows = (await pipeline.exec()) ?? [];
      list.forEach((name, i) => {
        const [err, fields] = rows[i] ?? [];
        if (err || !Array.isArray(fields) || fields[3] == null) return;
        const [f, o, p, v] = (fields as (string | null)[]).map(Number) as [number, number, number, number];
        this.mirror(name, { failures: f, openUntil: o, probeUntil: p, version: v });
      });
      this.answered();
    } catch (err) {
      this.failed(err);
    }
  }

  private async change(subgraph: string, op: BreakerOp, until = 0): Promise<MirroredRecord & { granted: boolean }> {
    try {
      const [granted, f, o, p, v] = await this.redis.breakerChange(this.key(subgraph), this.namesKey, this.channel, subgraph, op, until, Date.now());
      this.answered();
      return { ...this.mirror(subgraph, { failures: f!, openUntil: o!, probeUntil: p!, version: v! }), granted: granted === 1 };
    } catch (err) {
      this.failed(err);
      return this.changeLocally(subgraph, op, until);
    }
  }

  /** MemoryBreakerStore's rules, applied to the mirror alone (its version stays: Redis's next answer wins). */
  private changeLocally(subgraph: string, op: BreakerOp, until: number): MirroredRecord & { granted: boolean } {
    const r = { ...(this.records.get(subgraph) ?? { ...CLOSED, probeUntil: 0, version: 0 }) };
    let granted = true;
    if (op === 'fail') r.failures++;
    else if (op === 'open') Object.assign(r, { openUntil: until, probeUntil: 0 });
    else if (op === 'reset') Object.assign(r, { failures: 0, openUntil: 0, probeUntil: 0 });
    else if (r.probeUntil > Date.now()) granted = false;
    else r.probeUntil = until;
    this.records.set(subgraph, r);
    return { ...r, granted };
  }

  /** Keeps the newer of the mirrored and the given record; answers the one kept. */
  private mirror(subgraph: string, record: MirroredRecord): MirroredRecord {
    const current = this.records.get(subgraph);
    if (current && current.version > record.version) return current;
    this.records.set(subgraph, record);
    return record;
  }

  private key(subgraph: string): string {
    return `${this.prefix}breaker:${subgraph}`;
  }

  private answered(): void {
    if (this.failing) this.logger.info('gateway: breaker store: Redis answers again; breakers shared again');
    this.failing = false;
  }

  private failed(err: unknown): void {
    if (!this.failing) this.logger.error(`gateway: breaker store: Redis failed (${(err as Error).message}); this replica keeps its breakers alone until it answers`);
    this.failing = true;
  }
}

const CLOSED: BreakerRecord = Object.freeze({ failures: 0, openUntil: 0 });
