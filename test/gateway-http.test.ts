// What a client sees of the gateway over HTTP: errors for bad requests, nulls for unknown keys,
// and one query joining all four bureaus.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { makeCreditCode } from '../lib/ids.ts';
import { startTestFederation, type TestFederation } from './support/federation.ts';

let data: GeneratedData;
let fed: TestFederation;

beforeAll(async () => {
  data = generate({ seed: 11, units: 60, people: 600, plantedUnits: 6 });
  fed = await startTestFederation(data);
});

afterAll(async () => {
  await fed?.stop();
});

describe('gateway over HTTP', () => {
  it('answers a malformed query with HTTP 400 and a GraphQL error', async () => {
    const res = await fed.query('{ unit(code: "x") { name ');
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('answers a query against fields that do not exist with HTTP 400', async () => {
    const res = await fed.query('{ districtMonth(month: "2026-10") { hrRoster } }');
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers an unknown unit code with null, not an error', async () => {
    const res = await fed.query('query($c: String!) { unit(code: $c) { code name openLeads { id } budget(year: 2026) { amount } } }', {
      c: makeCreditCode('1', '330109', '99999999Y'),
    });
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ unit: null });
  });

  it('answers a code with a wrong check character with BAD_USER_INPUT', async () => {
    const good = makeCreditCode('1', '330109', '99999999Y');
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const res = await fed.query('query($c: String!) { unit(code: $c) { name } }', { c: bad });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.data?.unit ?? null).toBeNull();
  });

  it('joins all four bureaus on one unit in one operation', async () => {
    const unit = data.manifest.unreportedStaff.units[0]!;
    const res = await fed.query(
      `query($c: String!) { unit(code: $c) {
        name category quotaHistory { year quota } registeredHeadcount(month: "${data.manifest.month}")
        budget(year: 2026) { headcountBasis amount } payrollTotal(month: "${data.manifest.month}") { people grossPay }
        contracts(activeIn: "${data.manifest.month}") { id kind }
        openLeads { id status }
      } }`,
      { c: unit.code },
    );
    expect(res.errors).toBeUndefined();
    const u = res.data!.unit;
    expect(u.name).toBe(unit.name);
    expect(u.quotaHistory.length).toBeGreaterThan(0);
    expect(u.registeredHeadcount).toBeGreaterThan(0);
    expect(u.payrollTotal.people).toBeGreaterThan(0);
    expect(u.contracts.length).toBeGreaterThan(0);
    expect(u.openLeads.map((l: any) => l.id)).toEqual(unit.openLeadIds);
  });

  it('reports health', async () => {
    const res = await fetch(fed.gatewayUrl.replace('/graphql', '/health'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', service: 'gateway' });
  });

  it('does not name its server software, nor do the subgraphs', async () => {
    const answers = [
      await fetch(fed.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }),
      await fetch(fed.gatewayUrl.replace('/graphql', '/health')),
      ...(await Promise.all(Object.values(fed.subgraphUrls).map((url) => fetch(url.replace('/graphql', '/health'))))),
    ];
    expect(answers).toHaveLength(6);
    for (const res of answers) {
      await res.arrayBuffer();
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });
});
