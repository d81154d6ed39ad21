// The subgraphs' versioned caches (lib/versioned-cache.ts): an answer is reused only while the bureau's
// database has not changed. A write that bypasses the graph (another replica, a DBA's correction) is
// seen by the next query; each caller's rights key their own entries; every table bumps the version.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { readOperation } from '../lib/operations.ts';
import { SUBGRAPH_NAMES } from '../lib/subgraph.ts';
import { startTestFederation, type TestFederation } from './support/federation.ts';

const FLAGSHIP = readOperation('UnreportedStaff');
const PROFILE = readOperation('UnitProfile');
let data: GeneratedData;
let fed: TestFederation;
/** Unit code → town code (null for district-level units), from the generated rows. */
let towns: Map<string, string | null>;

beforeAll(async () => {
  data = generate({ seed: 7, units: 60, people: 800 });
  // The subgraphs' caches are under test here; the gateway's kept answers would hide them (test/response-cache.test.ts).
  fed = await startTestFederation(data, { responseCache: { enabled: false } });
  const t = data.staffing.unit!;
  towns = new Map(t.rows.map((r) => [r[t.columns.indexOf('code')] as string, r[t.columns.indexOf('town_code')] as string | null]));
});
afterAll(async () => {
  await fed?.stop();
});

type Unreported = { unit: { code: string }; people: { person: { idNumber: string }; name: string }[] };
async function unreported(): Promise<Unreported[]> {
  const res = await fed.query(FLAGSHIP, { month: data.manifest.month, first: 1000 });
  expect(res.errors).toBeUndefined();
  return res.data!.districtMonth.unreportedStaff.nodes as Unreported[];
}

describe('versioned caches', () => {
  it('serve a repeated question from cache, and see a write made straight to a bureau database at once', async () => {
    const before = await unreported();
    expect(before.length).toBeGreaterThan(0);
    const hits = () => Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, fed.subgraphs[n].cache.hits]));
    const hitsBefore = hits();
    expect(await unreported()).toEqual(before);
    // The repeated question was answered from the caches: rosters in hr and finance, hits in staffing.
    for (const n of ['staffing', 'hr', 'finance'] as const) expect(hits()[n]).toBeGreaterThan(hitsBefore[n]!);

    // The establishment office registers the first unreported person (as another replica would: plain SQL).
    const { unit, people } = before[0]!;
    const person = people[0]!;
    await fed.dbs.staffing.query(
      `INSERT INTO registry_record (unit_code, id_number, name, post, post_category, employment_form, start_date, change_reason, recorded_at)
       VALUES ($1, $2, $3, '辅助岗', '辅助管理', 'LABOUR_CONTRACT', $4::date, 'ADDED', now())`,
      [unit.code, person.person.idNumber, person.name, `${data.manifest.month}-01`],
    );
    const after = await unreported();
    const stillThere = after.find((u) => u.unit.code === unit.code)?.people.some((p) => p.person.idNumber === person.person.idNumber) ?? false;
    expect(stillThere).toBe(false);
    expect(after.reduce((n, u) => n + u.people.length, 0)).toBe(before.reduce((n, u) => n + u.people.length, 0) - 1);

    // HR records a contract for the same person at another unit without a registry record: a new hit.
    const other = [...towns.keys()].find((code) => code !== unit.code && !after.some((a) => a.unit.code === code))!;
    await fed.dbs.hr.query(
      `INSERT INTO employment_contract (id, unit_code, id_number, name, kind, start_date, signed_on)
       VALUES ('HT-CACHE-1', $1, $2, $3, 'LABOUR_CONTRACT', $4::date, $4::date)`,
      [other, person.person.idNumber, person.name, `${data.manifest.month}-01`],
    );
    const again = await unreported();
    expect(again.find((u) => u.unit.code === other)?.people.map((p) => p.person.idNumber)).toEqual([person.person.idNumber]);
  });

  it("keep each caller's rights apart: a town officer after an auditor sees only its town", async () => {
    const all = await unreported();
    const town = all.map((u) => towns.get(u.unit.code)).find((t): t is string => Boolean(t))!;
    const officer = await fed.signToken({ role: 'TOWN_OFFICER', town, sub: 'test:town' });
    const res = await fetch(fed.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${officer}` },
      body: JSON.stringify({ query: FLAGSHIP, variables: { month: data.manifest.month, first: 1000 } }),
    });
    const body = (await res.json()) as { data: { districtMonth: { unreportedStaff: { nodes: Unreported[] } } } };
    const seen = body.data.districtMonth.unreportedStaff.nodes.map((u) => u.unit.code);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.length).toBeLessThan(all.length);
    for (const code of seen) expect(towns.get(code)).toBe(town);
  });

  it("narrow a unit's period to that unit: the profile's rule counts equal the district answer filtered to the unit", async () => {
    const all = await unreported();
    const code = all[0]!.unit.code;
    const profile = await fed.query(PROFILE, { code, month: data.manifest.month, year: Number(data.manifest.month.slice(0, 4)) });
    expect(profile.errors).toBeUndefined();
    expect(profile.data!.month.unreportedStaff.totalPeople).toBe(all[0]!.people.length);
    // A filter for another unit than the period's is a contradiction, refused by name.
    const other = [...towns.keys()].find((c) => c !== code)!;
    const bad = await fed.query(`query($m: Month!, $u: String!, $o: String!) { districtMonth(month: $m, unit: $u) { ghostRecords(filter: { unit: $o }) { totalCount } } }`, {
      m: data.manifest.month,
      u: code,
      o: other,
    });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.extensions?.field).toBe('filter.unit');
  });

  it('are bumped by every table of every bureau (a table without the trigger would serve stale answers)', async () => {
    for (const name of SUBGRAPH_NAMES) {
      const missing = await fed.dbs[name].query<{ table: string }>(
        `SELECT c.relname AS "table" FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname NOT IN ('data_version', '_prisma_migrations')
            AND NOT EXISTS (SELECT 1 FROM pg_trigger g WHERE g.tgrelid = c.oid AND g.tgname = 'data_version_bump' AND NOT g.tgisinternal AND g.tgenabled <> 'D')`,
      );
      expect({ name, missing: missing.map((m) => m.table) }).toEqual({ name, missing: [] });
    }
  });
});
