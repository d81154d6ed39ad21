// /health and /ready of the gateway and the subgraphs, and graceful shutdown: not ready first, then
// no new connections, and the requests in flight answered in full.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { startTestFederation, type TestFederation } from './support/federation.ts';
import { startProxy } from './support/proxy.ts';
import { freshDatabase } from './support/databases.ts';
import { SUBGRAPH_NAMES, serveSubgraph } from '../lib/subgraph.ts';
import { SUPERGRAPH_PATH } from '../lib/supergraph.ts';
import { SUBGRAPH_FACTORIES } from '../scripts/monolith.ts';
import { sha256 } from '../gateway/supergraph-source.ts';
import { readyUrl } from '../gateway/health.ts';
import { SIGNATURE_HEADER, signRequest } from '../lib/auth/signing.ts';
import { identityOf } from '../lib/auth/identity.ts';

const UNIT = `query($c: String!, $m: Month!) { unit(code: $c) { name payrollTotal(month: $m) { people } contracts(activeIn: $m) { id } openLeads { id } } }`;

let data: GeneratedData;
let fed: TestFederation;
let vars: { c: string; m: string };

beforeAll(async () => {
  data = generate({ seed: 11, units: 40, people: 400, plantedUnits: 6 });
  // Every request must reach the subgraphs here: the gateway keeps no answers (test/response-cache.test.ts covers those).
  fed = await startTestFederation(data, { responseCache: { enabled: false } });
  const unit = data.manifest.unreportedStaff.units.find((u) => u.openLeadIds.length > 0)!;
  vars = { c: unit.code, m: data.manifest.month };
});

afterAll(async () => {
  await fed?.stop();
});

const get = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as any };
};
const at = (graphqlUrl: string, path: string) => graphqlUrl.replace(/\/graphql$/, path);
const closedBreaker = { state: 'closed', failures: 0, openUntil: null };

async function until<T>(attempt: () => Promise<T>, done: (t: T) => boolean, attempts = 200): Promise<T> {
  for (let i = 0; i < attempts; i++) {
    const t = await attempt();
    if (done(t)) return t;
    await sleep(25);
  }
  throw new Error('condition not reached');
}

describe('health and readiness', () => {
  it('gateway: /health while the process is up; /ready names the supergraph and every subgraph with its database and breaker', async () => {
    expect(await get(at(fed.gatewayUrl, '/health'))).toEqual({ status: 200, body: { status: 'ok', service: 'gateway' } });
    // A subgraph's first /ready may take longer than the gateway waits (2 s) on a busy machine: poll.
    const ready = await until(() => get(at(fed.gatewayUrl, '/ready')), (r) => Object.values(r.body.subgraphs).every((s: any) => s.ready));
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.supergraph).toMatchObject({ path: SUPERGRAPH_PATH, hash: sha256(readFileSync(SUPERGRAPH_PATH, 'utf8')) });
    expect(Object.keys(ready.body.subgraphs).sort()).toEqual([...SUBGRAPH_NAMES].sort());
    for (const name of SUBGRAPH_NAMES) expect([name, ready.body.subgraphs[name]]).toEqual([name, { ready: true, database: 'up', breaker: closedBreaker }]);
  });

  it('subgraphs: /health, and /ready with their database', async () => {
    for (const name of SUBGRAPH_NAMES) {
      expect(await get(at(fed.subgraphUrls[name], '/health'))).toEqual({ status: 200, body: { status: 'ok', subgraph: name } });
      expect(await get(readyUrl(fed.subgraphUrls[name]))).toEqual({ status: 200, body: { status: 'ready', subgraph: name, database: 'up' } });
    }
  });

  it('a subgraph whose database is gone answers /ready with 503 and database down', async () => {
    const tdb = await freshDatabase('hr');
    const subgraph = SUBGRAPH_FACTORIES.hr(tdb.db);
    const server = await serveSubgraph(subgraph, { signingKey: fed.signingKey });
    try {
      expect((await get(readyUrl(server.url))).body.database).toBe('up');
      await tdb.drop();
      expect(await get(readyUrl(server.url))).toEqual({ status: 503, body: { status: 'unavailable', subgraph: 'hr', database: 'down' } });
    } finally {
      await server.stop();
      await subgraph.close().catch(() => undefined);
    }
  });

  it('gateway /ready stays 200 while a bureau is down (partial answers), and shows it', async () => {
    await fed.stopSubgraph('hr');
    try {
      // The subgraphs are asked at most once a second: poll.
      const ready = await until(() => get(at(fed.gatewayUrl, '/ready')), (r) => r.body.subgraphs.hr.ready === false);
      expect(ready.status).toBe(200);
      expect(ready.body.subgraphs.hr).toMatchObject({ ready: false, database: null });
      expect(ready.body.subgraphs.staffing.ready).toBe(true);
    } finally {
      await fed.restartSubgraph('hr');
    }
    await until(() => get(at(fed.gatewayUrl, '/ready')), (r) => r.body.subgraphs.hr.ready === true);
  });
});

describe('graceful shutdown', () => {
  it('gateway: /ready 503 while shutting down, the request in flight answered in full, then no new connections', async () => {
    const proxy = await startProxy(fed.subgraphUrls.audit);
    try {
      const gateway = await fed.startGateway({
        subgraphUrls: { ...fed.subgraphUrls, audit: proxy.url },
        shutdown: { delayMs: 1_000, graceMs: 10_000 },
      });
      const whole = await fed.queryAt(gateway.url, 'AUDITOR', UNIT, vars);
      expect(whole.errors).toBeUndefined();

      proxy.hang();
      const inFlight = fed.queryAt(gateway.url, 'AUDITOR', UNIT, vars);
      await until(async () => proxy.held(), (n) => n === 1);
      const stopped = gateway.stop();
      const draining = await until(() => get(at(gateway.url, '/ready')), (r) => r.status === 503);
      expect(draining.body.status).toBe('shutting down');
      // Then it stops accepting connections, while the request in flight still waits for audit ...
      await until(() => fetch(at(gateway.url, '/health')).then(() => false, () => true), Boolean);
      expect(proxy.held()).toBe(1);
      // ... and gets its whole answer once audit answers.
      proxy.forward();
      proxy.release();
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual(whole.data);
      await stopped;
    } finally {
      await proxy.stop();
    }
  });

  it('subgraph: /ready 503 while shutting down, a request still answered, then no new connections', async () => {
    const server = await serveSubgraph(fed.subgraphs.finance, { signingKey: fed.signingKey, shutdown: { delayMs: 1_000, graceMs: 10_000 } });
    const stopped = server.stop();
    expect(await get(readyUrl(server.url))).toEqual({ status: 503, body: { status: 'shutting down', subgraph: 'finance' } });
    const body = JSON.stringify({ query: '{ _service { sdl } }' });
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signRequest(fed.signingKey, body, identityOf('test:auditor', 'AUDITOR')) },
      body,
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).data._service.sdl).toContain('payrollTotal');
    await stopped;
    await expect(fetch(readyUrl(server.url))).rejects.toThrow();
  });
});
