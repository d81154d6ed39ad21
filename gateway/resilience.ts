// What the gateway does when a bureau's subgraph is slow or down: a timeout per subgraph request,
// retries with back-off for queries (never mutations), and a circuit breaker per subgraph that fails
// fast while the bureau is down and lets one probe through to find out when it is back. A failed
// fetch becomes one GraphQL error naming the subgraph and the fields it left out; the other bureaus'
// data still comes back. What a subgraph says about its own failure never reaches the client.
import { GraphQLError, Kind, parse, type SelectionSetNode } from 'graphql';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLRequest, GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { setTimeout as sleep } from 'node:timers/promises';
import { consoleLogger, nonNegativeInt, type Logger } from '../lib/lifecycle.ts';
import { isTransportTimeout, subgraphFetch, type SubgraphResponse } from './transport.ts';

export interface SubgraphPolicy {
  /** Longest wait for one subgraph request: for the answer's headers, then for its body (0: none). */
  timeoutMs: number;
  /** Further attempts of a query after a connection failure or HTTP 502/503/504 (mutations: none). */
  retries: number;
  /** Wait before the first retry; it doubles for each further one (with jitter). */
  retryBackoffMs: number;
  /** Consecutive failures that open the breaker. */
  breakerThreshold: number;
  /** How long an open breaker fails fast before it lets one probe request through. */
  breakerOpenMs: number;
}

export interface ResilienceConfig {
  defaults: SubgraphPolicy;
  /** Per subgraph, e.g. a slower bureau's longer timeout. */
  subgraphs?: Partial<Record<string, Partial<SubgraphPolicy>>>;
  /** Where breaker state is kept: in this process unless given (a shared store for several gateway replicas). */
  store?: BreakerStore;
}

export const DEFAULT_POLICY: SubgraphPolicy = { timeoutMs: 30_000, retries: 2, retryBackoffMs: 50, breakerThreshold: 5, breakerOpenMs: 2_000 };

/**
 * SUBGRAPH_TIMEOUT_MS, SUBGRAPH_RETRIES, SUBGRAPH_RETRY_BACKOFF_MS, SUBGRAPH_BREAKER_THRESHOLD and
 * SUBGRAPH_BREAKER_OPEN_MS for every subgraph; <NAME>_TIMEOUT_MS (e.g. HR_TIMEOUT_MS) for one.
 */
export function resilienceFromEnv(env: NodeJS.ProcessEnv = process.env): ResilienceConfig {
  const d = DEFAULT_POLICY;
  const defaults: SubgraphPolicy = {
    timeoutMs: nonNegativeInt(env, 'SUBGRAPH_TIMEOUT_MS', d.timeoutMs),
    retries: nonNegativeInt(env, 'SUBGRAPH_RETRIES', d.retries),
    retryBackoffMs: nonNegativeInt(env, 'SUBGRAPH_RETRY_BACKOFF_MS', d.retryBackoffMs),
    breakerThreshold: Math.max(1, nonNegativeInt(env, 'SUBGRAPH_BREAKER_THRESHOLD', d.breakerThreshold)),
    breakerOpenMs: nonNegativeInt(env, 'SUBGRAPH_BREAKER_OPEN_MS', d.breakerOpenMs),
  };
  const subgraphs: Record<string, Partial<SubgraphPolicy>> = {};
  for (const key of Object.keys(env)) {
    const m = /^([A-Z][A-Z0-9_]*)_TIMEOUT_MS$/.exec(key);
    if (m && m[1] !== 'SUBGRAPH') subgraphs[m[1]!.toLowerCase()] = { timeoutMs: nonNegativeInt(env, key, d.timeoutMs) };
  }
  return { defaults, subgraphs };
}

// ---- circuit breaker -------------------------------------------------------------------------------

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerRecord {
  /** Consecutive failures. */
  readonly failures: number;
  /** Epoch ms until which the breaker fails fast; 0 while closed. Past it, the breaker is half-open. */
  readonly openUntil: number;
}

/**
 * Where breaker state lives. read() is on every subgraph request and must answer from memory (a store
 * shared by several gateways, e.g. Redis, keeps a local copy current); the changes may be asynchronous.
 */
export interface BreakerStore {
  read(subgraph: string): BreakerRecord;
  /** One more consecutive failure; answers the count so far. */
  addFailure(subgraph: string): number | Promise<number>;
  /** Fails fast until `until` (epoch ms); a probe claimed before is over. */
  open(subgraph: string, until: number): void | Promise<void>;
  /** Closed, no failures. */
  reset(subgraph: string): void | Promise<void>;
  /** While half-open: true for the one caller that may probe the subgraph, until `until` (epoch ms). */
  claimProbe(subgraph: string, until: number): boolean | Promise<boolean>;
}

const CLOSED: BreakerRecord = Object.freeze({ failures: 0, openUntil: 0 });

/** Breaker state of one gateway process. */
export class MemoryBreakerStore implements BreakerStore {
  private readonly records = new Map<string, { failures: number; openUntil: number; probeUntil: number }>();

  read(subgraph: string): BreakerRecord {
    return this.records.get(subgraph) ?? CLOSED;
  }
  addFailure(subgraph: string): number {
    return ++this.entry(subgraph).failures;
  }
  open(subgraph: string, until: number): void {
    const r = this.entry(subgraph);
    r.openUntil = until;
    r.probeUntil = 0;
  }
  reset(subgraph: string): void {
    this.records.delete(subgraph);
  }
  claimProbe(subgraph: string, until: number): boolean {
    const r = this.entry(subgraph);
    if (r.probeUntil > Date.now()) return false;
    r.probeUntil = until;
    return true;
  }
  private entry(subgraph: string) {
    let r = this.records.get(subgraph);
    if (!r) this.records.set(subgraph, (r = { failures: 0, openUntil: 0, probeUntil: 0 }));
    return r;
  }
}

export interface BreakerView {
  state: BreakerState;
  failures: number;
  /** While open: when the next probe may go. */
  openUntil: string | null;
}

export class CircuitBreaker {
  /** Last state reported to the log, so that each change is logged once. */
  private reported: BreakerState = 'closed';

  constructor(
    readonly subgraph: string,
    readonly policy: SubgraphPolicy,
    private readonly store: BreakerStore,
    private readonly logger: Logger,
  ) {}

  /** Closed: nothing to wait for (the common case, synchronous). */
  get closed(): boolean {
    return this.store.read(this.subgraph).openUntil === 0;
  }

  view(now = Date.now()): BreakerView {
    const r = this.store.read(this.subgraph);
    const state: BreakerState = r.openUntil === 0 ? 'closed' : now < r.openUntil ? 'open' : 'half-open';
    return { state, failures: r.failures, openUntil: r.openUntil ? new Date(r.openUntil).toISOString() : null };
  }

  /** Not closed: whether this request may go (as the half-open probe). */
  async admit(): Promise<boolean> {
    const now = Date.now();
    const r = this.store.read(this.subgraph);
    if (r.openUntil === 0) return true;
    if (now < r.openUntil) return false;
    return this.store.claimProbe(this.subgraph, now + (this.policy.timeoutMs || this.policy.breakerOpenMs));
  }

  success(): void {
    const r = this.store.read(this.subgraph);
    if (r.failures === 0 && r.openUntil === 0) return;
    void this.settle(this.store.reset(this.subgraph));
    if (this.reported !== 'closed') this.logger.info(`gateway: ${this.subgraph} subgraph answers again: circuit breaker closed`);
    this.reported = 'closed';
  }

  /** Counts a failure; answers whether the breaker is now open (fail fast, no retry). */
  async failure(reason: string): Promise<boolean> {
    const wasProbing = this.store.read(this.subgraph).openUntil !== 0;
    let failures: number;
    try {
      failures = await this.store.addFailure(this.subgraph);
    } catch (err) {
      this.logger.error(`gateway: breaker store: ${(err as Error).message}`);
      return false;
    }
    if (!wasProbing && failures < this.policy.breakerThreshold) return false;
    await this.settle(this.store.open(this.subgraph, Date.now() + this.policy.breakerOpenMs));
    if (this.reported === 'closed') {
      this.logger.warn(
        `gateway: ${this.subgraph} subgraph failed ${failures} times in a row (last: ${reason}): circuit breaker open, failing fast and probing every ${this.policy.breakerOpenMs} ms`,
      );
    }
    this.reported = 'open';
    return true;
  }

  private async settle(change: void | Promise<void>): Promise<void> {
    try {
      await change;
    } catch (err) {
      this.logger.error(`gateway: breaker store: ${(err as Error).message}`);
    }
  }
}

/** One breaker per subgraph name, kept across supergraph reloads. */
export class Breakers {
  private readonly byName = new Map<string, CircuitBreaker>();
  private readonly store: BreakerStore;

  constructor(
    private readonly config: ResilienceConfig,
    private readonly logger: Logger = consoleLogger,
  ) {
    this.store = config.store ?? new MemoryBreakerStore();
  }

  /** The breakers made so far (one per subgraph the gateway has called or been built for). */
  all(): IterableIterator<CircuitBreaker> {
    return this.byName.values();
  }

  get(subgraph: string): CircuitBreaker {
    let breaker = this.byName.get(subgraph);
    if (!breaker) {
      const policy = { ...this.config.defaults, ...this.config.subgraphs?.[subgraph] };
      this.byName.set(subgraph, (breaker = new CircuitBreaker(subgraph, policy, this.store, this.logger)));
    }
    return breaker;
  }
}

// ---- failures and the errors clients see -----------------------------------------------------------

type FailureKind = 'timeout' | 'unavailable' | 'error' | 'open';

const CODES: Record<FailureKind, string> = {
  timeout: 'SUBGRAPH_TIMEOUT',
  unavailable: 'SUBGRAPH_UNAVAILABLE',
  open: 'SUBGRAPH_UNAVAILABLE',
  error: 'SUBGRAPH_ERROR',
};

/** A subgraph request that failed for the subgraph's reasons (not the client's). */
class SubgraphFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    /** Short and safe to show: no addresses, no subgraph text. */
    readonly reason: string,
    readonly retryable: boolean,
  ) {
    super(reason);
  }
}

const PROBLEM: Record<FailureKind, string> = {
  timeout: 'did not answer in time',
  unavailable: 'is unavailable',
  open: 'is unavailable',
  error: 'failed',
};

const missingCache = new Map<string, string[][]>();

/** The response keys a subgraph operation would have filled, from the operation's own position. */
function missingPaths(query: string, at: readonly (string | number)[]): string[][] {
  let fields = missingCache.get(query);
  if (!fields) {
    fields = [];
    try {
      const op = parse(query, { noLocation: true }).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
      const root = op?.kind === Kind.OPERATION_DEFINITION ? op.selectionSet : undefined;
      const entities = root?.selections.find((s) => s.kind === Kind.FIELD && s.name.value === '_entities');
      collectKeys(entities?.kind === Kind.FIELD ? entities.selectionSet : root, fields, []);
    } catch {
      // A query the gateway made is always valid; if not, the error names the position only.
    }
    if (missingCache.size >= 1_000) missingCache.clear();
    missingCache.set(query, fields);
  }
  const prefix = at.map(String);
  return fields.length ? fields.map((f) => [...prefix, ...f]) : [prefix];
}

function collectKeys(set: SelectionSetNode | undefined, into: string[][], within: string[]): void {
  for (const s of set?.selections ?? []) {
    if (s.kind === Kind.FIELD && s.name.value !== '__typename') into.push([...within, s.alias?.value ?? s.name.value]);
    else if (s.kind === Kind.INLINE_FRAGMENT) collectKeys(s.selectionSet, into, within);
  }
}

/** `unit.budget`, `districtMonth.unreportedStaff.nodes[].unit.openLeads` ('@' is every element of a list). */
function dotted(path: string[]): string {
  return path.join('.').replaceAll('.@', '[]');
}

function failureError(subgraph: string, failure: SubgraphFailure, options: GraphQLDataSourceProcessOptions): GraphQLError {
  const at = ('pathInIncomingRequest' in options ? options.pathInIncomingRequest : undefined) ?? [];
  const paths = options.request.query ? missingPaths(options.request.query, at) : [];
  const missing = paths.map(dotted).filter(Boolean);
  const first = paths[0];
  return new GraphQLError(
    `The ${subgraph} subgraph ${PROBLEM[failure.kind]} (${failure.reason})${missing.length ? `; missing: ${missing.join(', ')}` : ''}`,
    {
      // A GraphQL path names one concrete field; one inside a list has none (see extensions.missing).
      path: first?.length && !first.includes('@') ? first : undefined,
      extensions: { code: CODES[failure.kind], subgraph, missing, ...(failure.kind === 'open' ? { breaker: 'open' } : {}) },
    },
  );
}

/**
 * Errors a subgraph answered with: its deliberate ones (with a code of their own: BAD_USER_INPUT,
 * FORBIDDEN, ...) pass; an internal failure's text (a database message, say) is replaced.
 */
function withoutInternalText(errors: NonNullable<GatewayGraphQLResponse['errors']>, subgraph: string): GatewayGraphQLResponse['errors'] {
  if (!errors.some(isInternal)) return errors;
  return errors.map((e) =>
    isInternal(e)
      ? {
          message: `The ${subgraph} subgraph failed to resolve this field (internal error)`,
          path: e.path,
          // rolledBack (a write undone, lib/writes.ts) is a fact for the caller, not internal text.
          extensions: { code: 'INTERNAL_SERVER_ERROR', subgraph, ...(e.extensions?.rolledBack === true ? { rolledBack: true } : {}) },
        }
      : e,
  );
}

function isInternal(e: { extensions?: Record<string, unknown> }): boolean {
  const code = e.extensions?.code;
  return code === undefined || code === 'INTERNAL_SERVER_ERROR';
}

// ---- the data source -------------------------------------------------------------------------------

const RETRY_STATUSES = new Set([502, 503, 504]);

/** What the gateway sends: RemoteGraphQLDataSource's body (the request without its http part). */
function requestBody(request: GatewayGraphQLRequest): string {
  const { http: _http, ...withoutHttp } = request;
  return JSON.stringify(withoutHttp);
}

/**
 * The gateway's data source for one subgraph: a request with a deadline, retries for queries and the
 * subgraph's breaker in front, over the gateway's own keep-alive transport (gateway/transport.ts).
 * It implements GraphQLDataSource itself rather than extending RemoteGraphQLDataSource, whose
 * make-fetch-happen fetcher and per-call node-fetch objects were the largest cost in the gateway after
 * JSON. The deadline is the transport's own timeout (until the answer's headers, then for its body),
 * not an AbortSignal, whose listeners cost about 15 µs a request; a closed breaker costs one Map lookup.
 * Subclasses add headers (signature, correlation), read what comes back and turn HTTP 4xx into errors.
 */
export class ResilientDataSource<Context extends Record<string, any>> implements GraphQLDataSource<Context> {
  private readonly timedOut: SubgraphFailure;

  constructor(
    readonly subgraph: string,
    readonly url: string,
    private readonly breaker: CircuitBreaker,
  ) {
    this.timedOut = new SubgraphFailure('timeout', `no answer within ${breaker.policy.timeoutMs} ms`, false);
  }

  /** Headers of a request with this body (subclasses sign it). */
  protected headersFor(_body: string, _context: Context): Record<string, string> {
    return { 'content-type': 'application/json' };
  }

  /** Called as an HTTP exchange starts; what it returns is called with its outcome (a status, or the error when none came): metrics. */
  protected exchange(): ((outcome: number | Error) => void) | undefined {
    return undefined;
  }

  /** What a subgraph's answer means before it joins the plan's results (subclasses collect from it). */
  protected received(response: GatewayGraphQLResponse, _context: Context): GatewayGraphQLResponse {
    return response;
  }

  /** An HTTP 4xx: the subgraph is up and refused this request. */
  protected async errorFromResponse(response: SubgraphResponse): Promise<GraphQLError> {
    await response.text().catch(() => undefined);
    return new GraphQLError(`The ${this.subgraph} subgraph refused the request (HTTP ${response.status}).`, { extensions: { code: 'SUBGRAPH_ERROR', subgraph: this.subgraph } });
  }

  private async send(request: GatewayGraphQLRequest, context: Context): Promise<GatewayGraphQLResponse> {
    const body = requestBody(request);
    const headers = this.headersFor(body, context);
    const done = this.exchange();
    let response: SubgraphResponse;
    try {
      response = await subgraphFetch(this.url, { method: 'POST', headers, body, timeout: this.breaker.policy.timeoutMs });
    } catch (err) {
      done?.(err as Error);
      if (isTransportTimeout(err)) throw this.timedOut;
      const code = (err as { code?: string }).code;
      throw new SubgraphFailure('unavailable', `connection failed${code && /^E[A-Z]+$/.test(code) ? `: ${code}` : ''}`, true);
    }
    done?.(response.status);
    if (response.status >= 500) {
      response.text().catch(() => undefined);
      const retryable = RETRY_STATUSES.has(response.status);
      throw new SubgraphFailure(retryable ? 'unavailable' : 'error', `HTTP ${response.status}`, retryable);
    }
    if (!response.ok) throw await this.errorFromResponse(response);
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch (err) {
      throw isTransportTimeout(err) ? this.timedOut : new SubgraphFailure('error', 'unreadable answer', false);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SubgraphFailure('error', 'unreadable answer', false);
    return this.received(parsed as GatewayGraphQLResponse, context);
  }

  async process(options: GraphQLDataSourceProcessOptions<Context>): Promise<GatewayGraphQLResponse> {
    const breaker = this.breaker;
    if (!breaker.closed && !(await breaker.admit())) {
      throw failureError(this.subgraph, new SubgraphFailure('open', 'circuit breaker open after repeated failures; failing fast', false), options);
    }
    const retries = options.request.query?.startsWith('mutation') ? 0 : breaker.policy.retries;
    for (let attempt = 0; ; attempt++) {
      let response: GatewayGraphQLResponse;
      try {
        response = await this.send(options.request, options.context as Context);
      } catch (err) {
        if (err instanceof GraphQLError) {
          // An HTTP 4xx: the subgraph is up and refused this request.
          breaker.success();
          throw err;
        }
        const failure = err instanceof SubgraphFailure ? err : new SubgraphFailure('error', 'unexpected answer', false);
        const open = await breaker.failure(failure.reason);
        if (failure.retryable && attempt < retries && !open) {
          await sleep(breaker.policy.retryBackoffMs * 2 ** attempt * (0.5 + Math.random() / 2));
          continue;
        }
        throw failureError(this.subgraph, failure, options);
      }
      breaker.success();
      if (response.errors) response.errors = withoutInternalText(response.errors, this.subgraph);
      return response;
    }
  }
}
