// A bureau failing while requests run through the gateway: the other bureaus' data still comes back,
// with an error naming the bureau and what is missing; timeouts, the circuit breaker per subgraph,
// retries for queries only; a subgraph's own error text never reaches the client.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { startTestFederation, type GraphQLResponse, type TestFederation } from './support/federation.ts';
import { startProxy, type SubgraphProxy } from './support/proxy.ts';
import { Breakers, DEFAULT_POLICY, resilienceFromEnv, type SubgraphPolicy } from '../gateway/resilience.ts';
import type { Logger } from '../lib/lifecycle.ts';

const UNIT = `query($c: String!, $m: Month!) { unit(code: $c) {
  name registeredHeadcount(month: $m) payrollTotal(month: $m) { people grossPay } contracts(activeIn: $m) { id } openLeads { id }
} }`;

let data: GeneratedData;
let fed: TestFederation;
let vars: { c: string; m: string };
let whole: Record<string, unknown>;
const proxies: SubgraphProxy[] = [];

beforeAll(async () => {
  data = generate({ seed: 11, units: 40, people: 400, plantedUnits: 6 });
  // Every request must reach the subgraphs here: the gateway keeps no answers (test/response-cache.test.ts covers those).
  fed = await startTestFederation(data, { responseCache: { enabled: false } });
  const unit = data.manifest.unreportedStaff.units.find((u) => u.openLeadIds.length > 0)!;
  vars = { c: unit.code, m: data.manifest.month };
  const res = await fed.query(UNIT, vars);
  expect(res.errors).toBeUndefined();
  whole = res.data!.unit;
  // Every bureau contributes to this unit, so a missing one shows.
  expect((whole.payrollTotal as { people: number }).people).toBeGreaterThan(0);
  expect((whole.contracts as unknown[]).length).toBeGreaterThan(0);
  expect((whole.openLeads as unknown[]).length).toBeGreaterThan(0);
});

afterAll(async () => {
  for (const p of proxies) await p.stop();
  await fed?.stop();
});

/** Polls until `done` (at most `attempts` times): for conditions reached through other requests, never for timing. */
async function until<T>(attempt: () => Promise<T>, done: (t: T) => boolean, attempts = 200, pauseMs = 50): Promise<T> {
  let last: T;
  for (let i = 0; i < attempts; i++) {
    last = await attempt();
    if (done(last)) return last;
    await sleep(pauseMs);
  }
  throw new Error(`condition not reached after ${attempts} attempts; last: ${JSON.stringify(last!)}`);
}

const isWhole = (r: GraphQLResponse) => r.status === 200 && r.errors === undefined && JSON.stringify(r.data?.unit) === JSON.stringify(whole);

/** The other bureaus' fields as when all answer; the failed bureau's field null with one error naming it. */
function expectOnlyMissing(r: GraphQLResponse, subgraph: string, field: string, codes: string[]) {
  expect(r.status).toBe(200);
  const unit = r.data?.unit as Record<string, unknown> | null;
  if (!unit) throw new Error(`no unit in ${JSON.stringify(r)}`);
  for (const [key, value] of Object.entries(whole)) expect([key, unit[key]]).toEqual([key, key === field ? null : value]);
  expect(r.errors).toHaveLength(1);
  const error = r.errors![0]!;
  expect(codes).toContain(error.extensions?.code);
  expect(error.extensions?.subgraph).toBe(subgraph);
  expect(error.extensions?.missing).toEqual([`unit.${field}`]);
  expect(error.path).toEqual(['unit', field]);
  expect(error.message).toContain(`The ${subgraph} subgraph`);
  expect(error.message).toContain(`unit.${field}`);
  // The gateway's own words only: no addresses of the bureaus' services.
  expect(error.message).not.toMatch(/127\.0\.0\.1|localhost|:\d{2,5}\b/);
  return error;
}

function recordingLogger(lines: string[]): Logger {
  return { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };
}

async function gatewayBehindProxy(subgraph: 'audit', policy: Partial<SubgraphPolicy>, logger?: Logger) {
  const proxy = await startProxy(fed.subgraphUrls[subgraph]);
  proxies.push(proxy);
  const gateway = await fed.startGateway({
    subgraphUrls: { ...fed.subgraphUrls, [subgraph]: proxy.url },
    resilience: { defaults: { ...DEFAULT_POLICY, ...policy } },
    ...(logger ? { logger } : {}),
  });
  return { proxy, gateway, query: () => fed.queryAt(gateway.url, 'AUDITOR', UNIT, vars) };
}

describe('a bureau down while requests run', () => {
  it('keeps the gateway up and the other bureaus answering, names finance as missing, and answers whole again within 5 s of its return', async () => {
    const responses: GraphQLResponse[] = [];
    let phase: 'up' | 'down' | 'back' = 'up';
    let whileDown = 0;
    let running = true;
    const worker = async () => {
      while (running) {
        const before = phase;
        const r = await fed.query(UNIT, vars);
        responses.push(r);
        if (before === 'down' && phase === 'down') whileDown++;
        await sleep(10);
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    try {
      await until(async () => responses.length, (n) => n >= 8);
      await fed.stopSubgraph('finance');
      phase = 'down';
      await until(async () => whileDown, (n) => n >= 20);
      const health = await fetch(fed.gatewayUrl.replace('/graphql', '/health'));
      expect(health.status).toBe(200);
      await fed.restartSubgraph('finance');
      phase = 'back';
      const back = Date.now();
      const recovered = await until(() => fed.query(UNIT, vars), (r) => isWhole(r) || Date.now() - back > 5_000, 500, 100);
      expect(isWhole(recovered)).toBe(true);
    } finally {
      running = false;
      await Promise.all(workers);
    }
    const partial = responses.filter((r) => !isWhole(r));
    expect(partial.length).toBeGreaterThanOrEqual(20);
    const errors = partial.map((r) => expectOnlyMissing(r, 'finance', 'payrollTotal', ['SUBGRAPH_UNAVAILABLE']));
    // Once the breaker opened, finance was not asked at all until it was probed.
    expect(errors.some((e) => e.extensions?.breaker === 'open')).toBe(true);
    expect(errors.find((e) => e.extensions?.breaker === 'open')?.message).toContain('circuit breaker open');
  }, 60_000);
});

describe('a bureau that hangs', () => {
  it('answers with SUBGRAPH_TIMEOUT, opens the breaker (failing fast without calling audit), and closes it after recovery', async () => {
    const logs: string[] = [];
    const { proxy, gateway, query } = await gatewayBehindProxy('audit', { timeoutMs: 500, breakerThreshold: 2, breakerOpenMs: 1_000 }, recordingLogger(logs));
    expect(isWhole(await query())).toBe(true);

    proxy.hang();
    const timedOut = await query();
    expect(expectOnlyMissing(timedOut, 'audit', 'openLeads', ['SUBGRAPH_TIMEOUT']).message).toContain('no answer within 500 ms');
    // A timeout is not retried: one request reached audit.
    expect(proxy.held()).toBe(1);

    // The second consecutive failure opens the breaker; then requests fail fast, audit not asked.
    let received = 0;
    const fast = await until(
      async () => {
        received = proxy.received();
        return query();
      },
      (r) => r.errors?.[0]?.extensions?.breaker === 'open',
      20,
    );
    expectOnlyMissing(fast, 'audit', 'openLeads', ['SUBGRAPH_UNAVAILABLE']);
    expect(proxy.received()).toBe(received);
    expect(logs.some((l) => /audit subgraph failed 2 times in a row .*circuit breaker open/.test(l))).toBe(true);
    const open = (await (await fetch(gateway.url.replace('/graphql', '/ready'))).json()) as any;
    expect(open.subgraphs.audit.breaker).toMatchObject({ state: expect.stringMatching(/^(open|half-open)$/), failures: expect.any(Number) });

    // Audit answers again: after the open period one probe goes through and closes the breaker.
    proxy.forward();
    await until(query, isWhole, 100, 100);
    const closed = (await (await fetch(gateway.url.replace('/graphql', '/ready'))).json()) as any;
    expect(closed.subgraphs.audit).toEqual({ ready: true, database: 'up', breaker: { state: 'closed', failures: 0, openUntil: null } });
    expect(logs.some((l) => /audit subgraph answers again: circuit breaker closed/.test(l))).toBe(true);
  }, 60_000);
});

describe('retries', () => {
  const failure = JSON.stringify({ errors: [{ message: 'upstream connect error or disconnect/reset before headers' }] });

  it('retries a query after HTTP 503 and answers whole', async () => {
    const { proxy, query } = await gatewayBehindProxy('audit', { retries: 2, retryBackoffMs: 5 });
    proxy.answer(503, failure, 2);
    const before = proxy.received();
    expect(isWhole(await query())).toBe(true);
    expect(proxy.received() - before).toBe(3);
  });

  it('never retries a mutation: one attempt, SUBGRAPH_UNAVAILABLE, the lead unchanged', async () => {
    const { proxy, gateway } = await gatewayBehindProxy('audit', { retries: 2, retryBackoffMs: 5 });
    const [lead] = await fed.dbs.audit.query<{ id: number; status: string; version: number }>(`SELECT id, status::text, version FROM issue_lead WHERE status IN ('OPEN', 'ROUTED') ORDER BY id LIMIT 1`);
    proxy.answer(503, failure, 1);
    const before = proxy.received();
    const res = await fed.queryAt(gateway.url, 'AUDITOR', 'mutation($id: ID!, $v: Int!) { closeLead(id: $id, note: "retry test", version: $v) { id status } }', { id: String(lead!.id), v: lead!.version });
    expect(proxy.received() - before).toBe(1);
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'audit', missing: ['closeLead'] });
    const [after] = await fed.dbs.audit.query<{ status: string }>('SELECT status::text FROM issue_lead WHERE id = $1', [lead!.id]);
    expect(after!.status).toBe(lead!.status);
  });
});

describe("a subgraph's own error text", () => {
  it('does not reach the client from an HTTP 500 or from an internal error in a 200 answer; BAD_USER_INPUT still does', async () => {
    const { proxy, query } = await gatewayBehindProxy('audit', {});
    const secret = 'password authentication failed for user "audit" at 10.1.2.3:5432';
    proxy.answer(500, JSON.stringify({ errors: [{ message: secret, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] }), 1);
    const http500 = await query();
    expect(expectOnlyMissing(http500, 'audit', 'openLeads', ['SUBGRAPH_ERROR']).message).toContain('HTTP 500');
    expect(JSON.stringify(http500)).not.toContain('10.1.2.3');

    const internal = { message: `Invalid prisma.issueLead.findMany() invocation: ${secret}`, path: ['_entities', 0, 'openLeads'], extensions: { code: 'INTERNAL_SERVER_ERROR' } };
    proxy.answer(200, JSON.stringify({ data: { _entities: [{ __typename: 'Unit', openLeads: null }] }, errors: [internal] }), 1);
    const in200 = await query();
    expect(JSON.stringify(in200)).not.toMatch(/10\.1\.2\.3|prisma|password/);
    expect(in200.errors?.[0]).toMatchObject({ path: ['unit', 'openLeads'], extensions: { code: 'INTERNAL_SERVER_ERROR', subgraph: 'audit' } });
    expect((in200.data!.unit as Record<string, unknown>).name).toBe(whole.name);

    proxy.answer(400, JSON.stringify({ errors: [{ message: 'Month must be YYYY-MM', extensions: { code: 'BAD_USER_INPUT' } }] }), 1);
    const bad = await query();
    expect(bad.errors?.[0]).toMatchObject({ message: 'Month must be YYYY-MM', extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('configuration', () => {
  it('reads the policy from the environment, a timeout per bureau, and refuses a malformed value', () => {
    const breakers = new Breakers(resilienceFromEnv({ SUBGRAPH_TIMEOUT_MS: '8000', HR_TIMEOUT_MS: '60000', SUBGRAPH_RETRIES: '0', SUBGRAPH_BREAKER_OPEN_MS: '500' }));
    expect(breakers.get('hr').policy).toEqual({ ...DEFAULT_POLICY, timeoutMs: 60_000, retries: 0, breakerOpenMs: 500 });
    expect(breakers.get('finance').policy).toEqual({ ...DEFAULT_POLICY, timeoutMs: 8_000, retries: 0, breakerOpenMs: 500 });
    expect(() => resilienceFromEnv({ AUDIT_TIMEOUT_MS: '2s' })).toThrow('AUDIT_TIMEOUT_MS must be a whole number ≥ 0, not "2s"');
  });
});
