// The gateway's kept answers (gateway/response-cache.ts): a repeated question is answered without asking
// the subgraphs again while no bureau's data version has moved; any write (through the graph or straight
// into a bureau's database) is seen by the next question; each role gets its own answer; every serving is
// in the access log; partial answers and the access log itself are never kept.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { readOperation } from '../lib/operations.ts';
import { SUBGRAPH_NAMES } from '../lib/subgraph.ts';
import { startTestFederation, type TestFederation } from './support/federation.ts';

const PROFILE = readOperation('UnitProfile');
let data: GeneratedData;
let fed: TestFederation;
let code: string;
let vars: Record<string, unknown>;

beforeAll(async () => {
  data = generate({ seed: 5, units: 50, people: 700 });
  fed = await startTestFederation(data, { responseCache: { enabled: true } });
  code = data.manifest.unreportedStaff.units[0]!.code;
  vars = { code, month: data.manifest.month, year: Number(data.manifest.month.slice(0, 4)) };
});
afterAll(async () => {
  await fed?.stop();
});

/** Requests the subgraphs received while `run` ran (GraphQL requests and data-version checks). */
async function subgraphRequestsDuring<T>(run: () => Promise<T>): Promise<{ result: T; requests: number }> {
  const before = fed.subgraphRequests();
  const result = await run();
  const after = fed.subgraphRequests();
  return { result, requests: SUBGRAPH_NAMES.reduce((n, s) => n + after[s] - before[s], 0) };
}

describe('kept answers', () => {
  it('answer a repeated question without the subgraphs, the same answer, and record each serving in the access log', async () => {
    const first = await subgraphRequestsDuring(() => fed.query(PROFILE, vars));
    expect(first.result.errors).toBeUndefined();
    expect(first.requests).toBeGreaterThan(2 * SUBGRAPH_NAMES.length);
    // Kept from its second asking on (a one-off document is not worth keeping).
    const second = await subgraphRequestsDuring(() => fed.query(PROFILE, vars));
    expect(second.requests).toBe(first.requests);
    const again = await subgraphRequestsDuring(() => fed.query(PROFILE, vars));
    // Only each bureau's data-version check.
    expect(again.requests).toBe(SUBGRAPH_NAMES.length);
    expect(again.result).toEqual(first.result);
    const entries = await fed.accessLog.query({ first: 2 });
    expect(entries.entries.map((e) => e.operationName)).toEqual(['UnitProfile', 'UnitProfile']);
    // The latest entry is the serving of the kept answer; the one before, the answer as computed.
    // The kept answer carries who was shown unmasked, and the bureaus its data came from.
    expect(entries.entries[0]!.unmaskedIdNumbers.length).toBeGreaterThan(0);
    expect(entries.entries[0]!.unmaskedIdNumbers.sort()).toEqual(entries.entries[1]!.unmaskedIdNumbers.sort());
    expect(entries.entries[0]!.subgraphs.sort()).toEqual([...SUBGRAPH_NAMES].sort());
  });

  it("give each role its own answer: an analyst after an auditor sees ID numbers masked", async () => {
    const auditor = await fed.query(PROFILE, vars);
    const analyst = await fed.queryAs('ANALYST', PROFILE, vars);
    expect(analyst.errors ?? []).toEqual([]);
    const ids = (r: typeof auditor) => (r.data!.unit.registry as { person: { idNumber: string } }[]).map((x) => x.person.idNumber);
    expect(ids(auditor).length).toBeGreaterThan(0);
    expect(ids(auditor).every((id) => /^\d{17}[\dX]$/.test(id))).toBe(true);
    expect(ids(analyst).every((id) => id.includes('*'))).toBe(true);
  });

  it('see a write straight into a bureau database at the next question', async () => {
    await fed.query(PROFILE, vars);
    const before = (await fed.query(PROFILE, vars)).data!.unit.registeredHeadcount as number;
    const person = data.manifest.unreportedStaff.units[0]!.people[0]!;
    await fed.dbs.staffing.query(
      `INSERT INTO registry_record (unit_code, id_number, name, post, post_category, employment_form, start_date, change_reason, recorded_at)
       VALUES ($1, $2, $3, '辅助岗', '辅助管理', 'LABOUR_CONTRACT', $4::date, 'ADDED', now())`,
      [code, person.idNumber, person.name, `${data.manifest.month}-01`],
    );
    const after = await subgraphRequestsDuring(() => fed.query(PROFILE, vars));
    expect(after.requests).toBeGreaterThan(2 * SUBGRAPH_NAMES.length);
    expect(after.result.data!.unit.registeredHeadcount).toBe(before + 1);
    expect(after.result.data!.month.unreportedStaff.totalPeople).toBe(data.manifest.unreportedStaff.units[0]!.people.length - 1);
  });

  it('see a write through the graph at the next question', async () => {
    const leads = `query($code: String!) { unit(code: $code) { leads { id status version } } }`;
    const open = (await fed.query(leads, { code })).data!.unit.leads.find((l: { status: string }) => l.status === 'OPEN' || l.status === 'ROUTED');
    expect(open).toBeDefined();
    await fed.query(leads, { code });
    const closed = await fed.query(`mutation($id: ID!, $v: Int!) { closeLead(id: $id, note: "已整改", version: $v) { id status } }`, { id: open.id, v: open.version });
    expect(closed.errors).toBeUndefined();
    const after = (await fed.query(leads, { code })).data!.unit.leads.find((l: { id: string }) => l.id === open.id);
    expect(after.status).toBe('CLOSED');
  });

  it('never keep a partial answer or the access log', async () => {
    const query = `query($code: String!) { unit(code: $code) { code contracts(activeIn: "${data.manifest.month}") { id } } }`;
    await fed.stopSubgraph('hr');
    let partial;
    try {
      partial = await fed.query(query, { code });
    } finally {
      await fed.restartSubgraph('hr');
    }
    expect(partial.errors?.[0]?.extensions?.subgraph).toBe('hr');
    const whole = await fed.query(query, { code });
    expect(whole.errors).toBeUndefined();
    expect(whole.data!.unit.contracts.length).toBeGreaterThan(0);

    const log = `{ accessLog(first: 1) { nodes { seq } } }`;
    const one = await fed.query(log);
    const two = await fed.query(log);
    expect(one.errors).toBeUndefined();
    expect(two.data!.accessLog.nodes[0].seq).toBeGreaterThan(one.data!.accessLog.nodes[0].seq);
  });
});
