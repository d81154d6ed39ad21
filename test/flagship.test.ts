// The flagship cross-bureau question through the gateway over HTTP: units with unreported staff
// (未纳入实名制的编外人员) and their open audit leads, compared with the generator's manifest.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { readOperation } from '../lib/operations.ts';
import { startTestFederation, type TestFederation } from './support/federation.ts';

const FLAGSHIP = readOperation('UnreportedStaff');

let data: GeneratedData;
let fed: TestFederation;

type Expected = GeneratedData['manifest']['unreportedStaff']['units'];

/** The answer reduced to what the manifest states. */
function answerOf(nodes: any[]) {
  return nodes.map((n) => ({
    code: n.unit.code,
    name: n.unit.name,
    people: n.people.map((p: any) => ({ idNumber: p.person.idNumber, name: p.name, evidence: p.evidence })),
    openLeadIds: n.unit.openLeads.map((l: any) => l.id),
  }));
}

function expectedOf(units: Expected) {
  return units.map((u) => ({ code: u.code, name: u.name, people: u.people, openLeadIds: u.openLeadIds }));
}

function unitColumn(column: string): Map<string, unknown> {
  const table = data.staffing.unit!;
  const code = table.columns.indexOf('code');
  const col = table.columns.indexOf(column);
  return new Map(table.rows.map((r) => [r[code] as string, r[col]]));
}

async function flagship(variables: Record<string, unknown>) {
  const res = await fed.query(FLAGSHIP, variables);
  expect(res.errors).toBeUndefined();
  expect(res.status).toBe(200);
  return res.data!.districtMonth.unreportedStaff;
}

beforeAll(async () => {
  data = generate({ seed: 7 });
  fed = await startTestFederation(data);
});

afterAll(async () => {
  await fed?.stop();
});

describe('UnreportedStaff (schema/operations/UnreportedStaff.graphql) through the gateway', () => {
  it('returns exactly the planted units and people, with evidence per person and open leads per unit', async () => {
    const expected = expectedOf(data.manifest.unreportedStaff.units);
    expect(expected.length).toBeGreaterThanOrEqual(20);
    const answer = await flagship({ month: data.manifest.month, first: 1000 });
    expect(answer.totalCount).toBe(expected.length);
    expect(answer.totalPeople).toBe(expected.reduce((n, u) => n + u.people.length, 0));
    expect(answer.pageInfo.hasNextPage).toBe(false);
    expect(answerOf(answer.nodes)).toEqual(expected);
  });

  it('lists no unit without unreported staff, and only open or routed leads', async () => {
    const answer = await flagship({ month: data.manifest.month, first: 1000 });
    const planted = new Set(data.manifest.unreportedStaff.units.map((u) => u.code));
    expect(data.manifest.counts.units).toBeGreaterThan(planted.size);
    for (const node of answer.nodes) {
      expect(planted.has(node.unit.code)).toBe(true);
      expect(node.people.length).toBeGreaterThan(0);
      for (const lead of node.unit.openLeads) expect(['OPEN', 'ROUTED']).toContain(lead.status);
    }
  });

  it('pages through the units with cursors, losing and repeating none', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const answer: any = await flagship({ month: data.manifest.month, first: 7, after });
      seen.push(...answer.nodes.map((n: any) => n.unit.code));
      if (!answer.pageInfo.hasNextPage) break;
      after = answer.pageInfo.endCursor;
    }
    expect(seen).toEqual(data.manifest.unreportedStaff.units.map((u) => u.code));
  });

  it('filters by unit category and by town on the server', async () => {
    const category = unitColumn('category');
    const town = unitColumn('town_code');
    const byCategory = await flagship({ month: data.manifest.month, first: 1000, filter: { category: 'EDUCATION' } });
    const expectedEducation = data.manifest.unreportedStaff.units.filter((u) => category.get(u.code) === 'EDUCATION');
    expect(expectedEducation.length).toBeGreaterThan(0);
    expect(answerOf(byCategory.nodes)).toEqual(expectedOf(expectedEducation));

    const someTown = data.manifest.unreportedStaff.units.map((u) => town.get(u.code)).find((t) => t) as string;
    const byTown = await flagship({ month: data.manifest.month, first: 1000, filter: { town: someTown } });
    expect(answerOf(byTown.nodes)).toEqual(expectedOf(data.manifest.unreportedStaff.units.filter((u) => town.get(u.code) === someTown)));
  });

  it('finds nothing in a month when no bureau has records', async () => {
    const answer = await flagship({ month: '2015-01', first: 10 });
    expect(answer).toMatchObject({ totalCount: 0, totalPeople: 0, nodes: [] });
  });

  it('answers a bad month with BAD_USER_INPUT and no data', async () => {
    const res = await fed.query(FLAGSHIP, { month: '2026-13' });
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers a bad month written into the query text the same way, saying what a month is', async () => {
    const res = await fed.query(`{ districtMonth(month: "2026-13") { unreportedStaff { totalCount } } }`);
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/Month must be a calendar month YYYY-MM/);
  });
});
