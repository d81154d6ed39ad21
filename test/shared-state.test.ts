// Two gateway replicas sharing Redis, as behind the proxy in docker-compose.yml: a rate limit counted
// across both, a circuit breaker opened by one and failing fast on the other, an automatic persisted
// query registered through one and served by the other, a signed call replayed to the other refused.
// Uses the Redis at TEST_REDIS_URL (default 127.0.0.1:6379), under a key prefix of its own.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { startTestFederation, type TestFederation } from './support/federation.ts';
import { SharedState } from '../gateway/shared-state.ts';
import { limitsFromEnv } from '../gateway/limits.ts';
import type { SubgraphPolicy } from '../gateway/resilience.ts';
import type { RunningGateway } from '../gateway/server.ts';
import { SIGNATURE_HEADER, signRequest } from '../lib/auth/signing.ts';
import { SERVICE_IDENTITIES } from '../lib/auth/identity.ts';
import { readOperation } from '../lib/operations.ts';
import type { Logger } from '../lib/lifecycle.ts';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `bianwai-test-${randomBytes(4).toString('hex')}:`;
const RATE_PER_MINUTE = 5;
const POLICY: SubgraphPolicy = { timeoutMs: 10_000, retries: 0, retryBackoffMs: 0, breakerThreshold: 2, breakerOpenMs: 600_000 };
const UNIT = `query($c: String!, $m: Month!) { unit(code: $c) { name payrollTotal(month: $m) { people } } }`;
const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

let data: GeneratedData;
let fed: TestFederation;
const states: SharedState[] = [];
let a: RunningGateway;
let b: RunningGateway;

async function connect(prefix = PREFIX): Promise<SharedState> {
  const state = await SharedState.connect(REDIS_URL, { ratePerMinute: RATE_PER_MINUTE, prefix, logger: quiet });
  states.push(state);
  return state;
}

/** A port nothing listens on: connections to it are refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A replica: its own connection to the shared Redis, as another process would have. */
async function replica(overrides: Parameters<TestFederation['startGateway']>[0] = {}): Promise<RunningGateway> {
  const state = await connect();
  return fed.startGateway({
    limits: { ...limitsFromEnv({}), ratePerMinute: RATE_PER_MINUTE },
    resilience: { defaults: POLICY, store: state.breakerStore },
    rateLimiter: state.rateLimiter,
    persistedQueries: { cache: state.persistedQueries },
    replayGuard: state.replayGuard,
    logger: quiet,
    ...overrides,
  });
}

beforeAll(async () => {
  data = generate({ seed: 23, units: 30, people: 300, plantedUnits: 4 });
  // Every request must reach the subgraphs here: the gateway keeps no answers (test/response-cache.test.ts covers those).
  fed = await startTestFederation(data, { responseCache: { enabled: false } });
  // Replica A cannot reach finance (its breaker opens there); B can.
  a = await replica({ subgraphUrls: { ...fed.subgraphUrls, finance: `http://127.0.0.1:${await closedPort()}/graphql` } });
  b = await replica();
});

afterAll(async () => {
  await fed?.stop();
  for (const state of states) await state.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

/** Polls until `done` (for a change that travels through Redis, never for timing). */
async function until<T>(attempt: () => Promise<T>, done: (t: T) => boolean, attempts = 200): Promise<T> {
  let last: T;
  for (let i = 0; i < attempts; i++) {
    last = await attempt();
    if (done(last)) return last;
    await sleep(25);
  }
  throw new Error(`condition not reached; last: ${JSON.stringify(last!)}`);
}

async function post(url: string, token: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, any> }[] } };
}

const subjectToken = (role: string) => fed.signToken({ sub: `replica-test:${randomBytes(4).toString('hex')}`, role });

async function breakerOf(gateway: RunningGateway, subgraph: string): Promise<string> {
  const res = await fetch(gateway.url.replace(/\/graphql$/, '/ready'));
  const body = (await res.json()) as { subgraphs: Record<string, { breaker: { state: string } }> };
  return body.subgraphs[subgraph]!.breaker.state;
}

describe('gateway replicas sharing Redis', () => {
  it('count one rate limit per subject across both replicas, with Retry-After', async () => {
    const token = await subjectToken('ANALYST');
    const query = { query: '{ units(first: 1) { totalCount } }' };
    const statuses = [];
    for (let i = 0; i < RATE_PER_MINUTE; i++) statuses.push((await post((i % 2 ? b : a).url, token, query)).status);
    expect(statuses).toEqual(Array(RATE_PER_MINUTE).fill(200));
    // One more in the minute, to the replica that has seen fewer than the limit itself.
    const refused = await post(b.url, token, query);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await post(a.url, token, query)).status).toBe(429);
    // Another subject has a window of its own.
    expect((await post(b.url, await subjectToken('ANALYST'), query)).status).toBe(200);
  });

  it('see a circuit breaker opened by one replica open on the other', async () => {
    const token = await subjectToken('AUDITOR');
    const unit = data.manifest.unreportedStaff.units[0]!;
    const vars = { c: unit.code, m: data.manifest.month };
    const whole = await post(b.url, token, { query: UNIT, variables: vars });
    expect(whole.body.errors).toBeUndefined();
    expect(whole.body.data.unit.payrollTotal).not.toBeNull();
    // Replica A finds finance unreachable twice (the threshold): its breaker opens.
    for (let i = 0; i < POLICY.breakerThreshold; i++) {
      const failed = await post(a.url, token, { query: UNIT, variables: vars });
      expect(failed.body.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'finance' });
    }
    expect(await breakerOf(a, 'finance')).toBe('open');
    // Replica B, which reaches finance, learns it through Redis and fails fast too.
    await until(() => breakerOf(b, 'finance'), (state) => state === 'open');
    const fast = await post(b.url, token, { query: UNIT, variables: vars });
    expect(fast.body.data.unit).toEqual({ name: whole.body.data.unit.name, payrollTotal: null });
    expect(fast.body.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'finance', breaker: 'open' });
    // Finance itself answers: a gateway keeping its breakers to itself still gets its data.
    expect((await fed.query(UNIT, vars)).data?.unit.payrollTotal).toEqual(whole.body.data.unit.payrollTotal);
  });

  it('serve an automatic persisted query registered through the other replica', async () => {
    const token = await subjectToken('AUDITOR');
    const query = 'query PersistedUnits { units(first: 2) { nodes { code name } } }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const persisted = { extensions: { persistedQuery: { version: 1, sha256Hash } } };
    const unknown = await post(b.url, token, persisted);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post(a.url, token, { query, ...persisted });
    expect(registered.body.errors).toBeUndefined();
    expect(registered.body.data.units.nodes).toHaveLength(2);
    const served = await post(b.url, token, persisted);
    expect(served.status).toBe(200);
    expect(served.body).toEqual(registered.body);
    // The access log names the persisted query's hash, as for the query sent in full.
    const { entries } = await fed.accessLog.query({ first: 1 });
    expect(entries[0]).toMatchObject({ decision: 'ALLOWED', operationName: 'PersistedUnits', operationHash: sha256Hash });
  });

  it('let the dashboard run a trusted operation by its persisted hash only', async () => {
    const query = readOperation('LeadsPage');
    const persisted = { extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } } };
    const registered = await post(a.url, fed.tokens.DASHBOARD, { query, ...persisted });
    expect(registered.status).toBe(200);
    const served = await post(b.url, fed.tokens.DASHBOARD, persisted);
    expect(served.body.errors?.map((e) => e.extensions?.code) ?? []).not.toContain('TRUSTED_DOCUMENT_REQUIRED');
    expect(served.body).toEqual(registered.body);
    // A document outside schema/operations stays refused, persisted or not.
    const other = 'query Other { leads(first: 1) { totalCount } }';
    const refused = await post(b.url, fed.tokens.DASHBOARD, { query: other, extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(other).digest('hex') } } });
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
  });

  it("refuse a subgraph's signed call replayed to the other replica", async () => {
    const body = JSON.stringify({ query: '{ units(first: 1) { totalCount } }' });
    const signature = signRequest(fed.signingKey, body, SERVICE_IDENTITIES.audit);
    const send = (gateway: RunningGateway) =>
      fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature }, body });
    expect((await send(a)).status).toBe(200);
    const replayed = await send(b);
    expect(replayed.status).toBe(403);
    expect(((await replayed.json()) as any).errors[0].message).toContain('replayed');
  });
});

describe('the Redis breaker store', () => {
  it('lets one probe through across replicas, and a success on either closes the breaker for both', async () => {
    const prefix = `${PREFIX}probe:`;
    const [one, two] = [await connect(prefix), await connect(prefix)];
    await one.breakerStore.open('hr', Date.now() - 1); // open, and already due for a probe
    await until(async () => two.breakerStore.read('hr').openUntil, (openUntil) => openUntil > 0);
    expect(await one.breakerStore.claimProbe('hr', Date.now() + 60_000)).toBe(true);
    expect(await two.breakerStore.claimProbe('hr', Date.now() + 60_000)).toBe(false);
    await two.breakerStore.reset('hr');
    await until(async () => one.breakerStore.read('hr'), (r) => r.openUntil === 0 && r.failures === 0);
  });

  it('keeps breakers, rate limits and the persisted-query cache working in the replica alone when Redis is gone', async () => {
    const state = await connect(`${PREFIX}gone:`);
    await state.persistedQueries.set('h', '{ x }');
    expect(await state.persistedQueries.get('h')).toBe('{ x }');
    await state.close();
    // Nothing waits for Redis: breakers count here, the limiter counts here, the cache misses.
    expect(await state.breakerStore.addFailure('audit')).toBe(1);
    expect(await state.breakerStore.addFailure('audit')).toBe(2);
    await state.breakerStore.open('audit', Date.now() + 60_000);
    expect(state.breakerStore.read('audit')).toMatchObject({ failures: 2 });
    expect(state.breakerStore.read('audit').openUntil).toBeGreaterThan(Date.now());
    const verdicts = [];
    for (let i = 0; i <= RATE_PER_MINUTE; i++) verdicts.push((await state.rateLimiter.take('someone')).ok);
    expect(verdicts).toEqual([...Array(RATE_PER_MINUTE).fill(true), false]);
    expect(await state.persistedQueries.get('h')).toBeUndefined();
    expect(await state.replayGuard.firstUse('v1.signature')).toBe(true);
  });
});
