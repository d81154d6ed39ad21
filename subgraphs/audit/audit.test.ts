// The 审计/巡察/监督检查 subgraph on its own: entity fields, batching, inspections, lead paging, input errors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSubgraph, type SubgraphHarness } from '../../test/support/subgraph.ts';
import { makeCreditCode, makeIdNumber } from '../../lib/ids.ts';
import { createSubgraph } from './index.ts';

const UNITS = ['00000001A', '00000002B', '00000003C', '00000004D', '00000005E'].map((org) => makeCreditCode('1', '330109', org));
const [UNIT_A, UNIT_B] = UNITS as [string, string];
const ALICE = makeIdNumber('330109', '19900101', 12);
const BOB = makeIdNumber('330109', '19850505', 21);

let h: SubgraphHarness;

const run = (query: string, variables?: Record<string, unknown>) => h.run(query, variables);

const leadCols = ['id', 'unit_code', 'id_number', 'source', 'rule', 'finding_id', 'period', 'description', 'status', 'routed_to', 'evidence_bureaus', 'created_at', 'closed_at'];

beforeAll(async () => {
  h = await startSubgraph('audit', createSubgraph, async (db) => {
    await db.insertRows('inspection', ['id', 'kind', 'title', 'year', 'stage', 'started_on', 'ended_on'], [
      [1, 'SPECIAL_INSPECTION', '2026年编外用工专项检查', 2026, 'RECTIFICATION', '2026-03-01', null],
      [2, 'INSPECTION_TOUR', '区委第三轮巡察', 2025, null, '2025-09-01', '2025-11-30'],
    ]);
    await db.insertRows('inspection_unit', ['inspection_id', 'unit_code'], [
      [1, UNIT_B],
      [1, UNIT_A],
      [2, UNIT_A],
    ]);
    await db.insertRows('finding', ['id', 'inspection_id', 'unit_code', 'description', 'rule', 'found_on'], [
      [1, 1, UNIT_A, '2人未实名登记', 'UNREPORTED_STAFF', '2026-04-10'],
    ]);
    await db.insertRows('feedback_form', ['id', 'inspection_id', 'unit_code', 'issued_on', 'content', 'deadline'], [
      [1, 1, UNIT_A, '2026-05-01', '限期补办实名登记', '2026-07-31'],
    ]);
    await db.insertRows(
      'rectification',
      ['id', 'unit_code', 'feedback_form_id', 'finding_id', 'description', 'deadline', 'status', 'completed_on', 'progress_note'],
      [
        [1, UNIT_A, 1, 1, '补办实名登记', '2026-07-31', 'COMPLETED', '2026-07-15', '已补办'],
        [2, UNIT_A, 1, null, '清退超员人员', '2026-06-30', 'IN_PROGRESS', null, null],
        [3, UNIT_B, null, null, '规范合同签订', '2026-09-30', 'PENDING', null, null],
      ],
    );
    await db.insertRows('issue_lead', leadCols, [
      [1, UNIT_A, ALICE, 'SPECIAL_INSPECTION', 'UNREPORTED_STAFF', 1, '2026-04', '王芳未实名登记', 'OPEN', null, '{HR,FINANCE}', '2026-04-10T08:00:00Z', null],
      [2, UNIT_A, null, 'RULE_SWEEP', 'OVER_QUOTA', null, '2026', '超编使用编外人员', 'ROUTED', 'INSPECTION_TOUR', '{STAFFING}', '2026-05-01T08:00:00Z', null],
      [3, UNIT_A, BOB, 'REPORT', null, null, null, '举报：李强吃空饷', 'CLOSED', null, '{FINANCE}', '2026-06-01T08:00:00Z', '2026-06-20T08:00:00Z'],
      // Same instant as lead 2: the tie goes to the higher id.
      [4, UNIT_A, BOB, 'RULE_SWEEP', 'UNREPORTED_STAFF', null, '2026-05', '李强未实名登记', 'OPEN', null, null, '2026-05-01T08:00:00Z', null],
      [5, UNITS[1], null, 'RULE_SWEEP', 'OVER_QUOTA', null, '2026', '超编', 'OPEN', null, '{STAFFING}', '2026-03-01T08:00:00Z', null],
      [6, UNITS[2], null, 'RULE_SWEEP', 'OVER_QUOTA', null, '2026', '超编', 'RESOLVED_BY_DATA', null, '{STAFFING}', '2026-03-01T08:00:00Z', '2026-04-01T08:00:00Z'],
      [7, UNITS[3], ALICE, 'SPECIAL_AUDIT', null, null, '2025', '工资发放异常', 'ROUTED', 'DISCIPLINE', '{FINANCE,AUDIT}', '2026-02-01T08:00:00Z', null],
      [8, UNITS[4], null, 'PERFORMANCE_EVALUATION', null, null, '2025', '考评扣分', 'OPEN', null, '{STAFFING}', '2026-01-15T08:00:00Z', null],
    ]);
  });
});

afterAll(async () => {
  await h?.stop();
});

const OPEN_LEADS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Unit {
  code openLeads { id status routedTo person { idNumber } evidenceBureaus createdAt } } } }`;

describe('audit subgraph', () => {
  it('answers Unit.openLeads for any number of units in one SQL statement, open and routed only, newest first', async () => {
    const reps = (codes: string[]) => ({ r: codes.map((code) => ({ __typename: 'Unit', code })) });
    const before1 = h.subgraph.sqlStatements();
    const one = await run(OPEN_LEADS, reps([UNIT_A]));
    const cost1 = h.subgraph.sqlStatements() - before1;
    const before5 = h.subgraph.sqlStatements();
    const five = await run(OPEN_LEADS, reps(UNITS));
    const cost5 = h.subgraph.sqlStatements() - before5;

    expect(one.errors).toBeUndefined();
    expect(five.errors).toBeUndefined();
    expect(cost1).toBe(1);
    expect(cost5).toBe(cost1);
    expect(one.data?._entities).toEqual([
      {
        code: UNIT_A,
        openLeads: [
          { id: '4', status: 'OPEN', routedTo: null, person: { idNumber: BOB }, evidenceBureaus: [], createdAt: '2026-05-01T08:00:00.000Z' },
          { id: '2', status: 'ROUTED', routedTo: 'INSPECTION_TOUR', person: null, evidenceBureaus: ['STAFFING'], createdAt: '2026-05-01T08:00:00.000Z' },
          { id: '1', status: 'OPEN', routedTo: null, person: { idNumber: ALICE }, evidenceBureaus: ['HR', 'FINANCE'], createdAt: '2026-04-10T08:00:00.000Z' },
        ],
      },
    ]);
    const ids = (five.data?._entities as { openLeads: { id: string }[] }[]).map((u) => u.openLeads.map((l) => l.id));
    expect(ids).toEqual([['4', '2', '1'], ['5'], [], ['7'], ['8']]);
  });

  it('lists every lead about a person, closed ones included', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { idNumber leads { id status unit { code } } } } }`;
    const before = h.subgraph.sqlStatements();
    const result = await run(query, { r: [ALICE, BOB, makeIdNumber('330109', '20000101', 33)].map((idNumber) => ({ __typename: 'Person', idNumber })) });
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      { idNumber: ALICE, leads: [{ id: '1', status: 'OPEN', unit: { code: UNIT_A } }, { id: '7', status: 'ROUTED', unit: { code: UNITS[3] } }] },
      { idNumber: BOB, leads: [{ id: '3', status: 'CLOSED', unit: { code: UNIT_A } }, { id: '4', status: 'OPEN', unit: { code: UNIT_A } }] },
      { idNumber: makeIdNumber('330109', '20000101', 33), leads: [] },
    ]);
    expect(h.subgraph.sqlStatements() - before).toBe(1);
  });

  it('resolves an inspection with its units, findings, feedback forms and rectifications', async () => {
    const result = await run(`{ inspection(id: "1") {
      id kind title year stage startedOn endedOn
      units { code }
      findings { id rule foundOn unit { code } inspection { id } }
      feedbackForms { id issuedOn deadline unit { code } inspection { title }
        rectifications { id description deadline status completedOn finding { id } feedbackForm { id } } } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      inspection: {
        id: '1',
        kind: 'SPECIAL_INSPECTION',
        title: '2026年编外用工专项检查',
        year: 2026,
        stage: 'RECTIFICATION',
        startedOn: '2026-03-01',
        endedOn: null,
        units: [{ code: UNIT_A }, { code: UNIT_B }],
        findings: [{ id: '1', rule: 'UNREPORTED_STAFF', foundOn: '2026-04-10', unit: { code: UNIT_A }, inspection: { id: '1' } }],
        feedbackForms: [
          {
            id: '1',
            issuedOn: '2026-05-01',
            deadline: '2026-07-31',
            unit: { code: UNIT_A },
            inspection: { title: '2026年编外用工专项检查' },
            rectifications: [
              { id: '2', description: '清退超员人员', deadline: '2026-06-30', status: 'IN_PROGRESS', completedOn: null, finding: null, feedbackForm: { id: '1' } },
              { id: '1', description: '补办实名登记', deadline: '2026-07-31', status: 'COMPLETED', completedOn: '2026-07-15', finding: { id: '1' }, feedbackForm: { id: '1' } },
            ],
          },
        ],
      },
    });
    const missing = await run(`{ inspection(id: "999") { id } }`);
    expect(missing.errors).toBeUndefined();
    expect(missing.data).toEqual({ inspection: null });
  });

  it('lists inspections by kind and year, and a unit\'s inspections and rectifications', async () => {
    const listed = await run(`{ all: inspections { id } tours: inspections(kind: INSPECTION_TOUR) { id } y2026: inspections(year: 2026) { id } }`);
    expect(listed.errors).toBeUndefined();
    expect(listed.data).toEqual({ all: [{ id: '1' }, { id: '2' }], tours: [{ id: '2' }], y2026: [{ id: '1' }] });

    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Unit {
      inspections { id } rectifications { id deadline } leads { id } } } }`;
    const before = h.subgraph.sqlStatements();
    const result = await run(query, { r: [UNIT_A, UNIT_B, UNITS[2]].map((code) => ({ __typename: 'Unit', code })) });
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      {
        inspections: [{ id: '1' }, { id: '2' }],
        rectifications: [{ id: '2', deadline: '2026-06-30' }, { id: '1', deadline: '2026-07-31' }],
        leads: [{ id: '3' }, { id: '4' }, { id: '2' }, { id: '1' }],
      },
      { inspections: [{ id: '1' }], rectifications: [{ id: '3', deadline: '2026-09-30' }], leads: [{ id: '5' }] },
      { inspections: [], rectifications: [], leads: [{ id: '6' }] },
    ]);
    // One statement per field, whatever the number of units.
    expect(h.subgraph.sqlStatements() - before).toBe(3);
  });

  it('pages leads newest first with a total count, and filters them', async () => {
    const query = `query($f: LeadFilter, $after: String) { leads(filter: $f, first: 5, after: $after) {
      totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`;
    const page1 = await run(query);
    expect(page1.errors).toBeUndefined();
    const first = page1.data?.leads as { totalCount: number; nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    expect(first.totalCount).toBe(8);
    expect(first.nodes.map((n) => n.id)).toEqual(['8', '7', '6', '5', '4']);
    expect(first.pageInfo.hasNextPage).toBe(true);

    const page2 = await run(query, { after: first.pageInfo.endCursor });
    expect(page2.errors).toBeUndefined();
    expect(page2.data?.leads).toEqual({
      totalCount: 8,
      nodes: [{ id: '3' }, { id: '2' }, { id: '1' }],
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
    });

    const filtered = await run(query, { f: { unit: UNIT_A, status: ['OPEN', 'ROUTED'], rule: 'UNREPORTED_STAFF' } });
    expect(filtered.errors).toBeUndefined();
    expect(filtered.data?.leads).toMatchObject({ totalCount: 2, nodes: [{ id: '4' }, { id: '1' }], pageInfo: { hasNextPage: false } });

    const bySource = await run(query, { f: { source: 'RULE_SWEEP' } });
    expect(bySource.data?.leads).toMatchObject({ totalCount: 4, nodes: [{ id: '6' }, { id: '5' }, { id: '4' }, { id: '2' }] });
  });

  it('finds one lead by id, null when there is none', async () => {
    const result = await run(`{ lead(id: "7") { id source period description routedTo closedAt finding { id } unit { code } person { idNumber } }
      none: lead(id: "999") { id } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      lead: { id: '7', source: 'SPECIAL_AUDIT', period: '2025', description: '工资发放异常', routedTo: 'DISCIPLINE', closedAt: null, finding: null, unit: { code: UNITS[3] }, person: { idNumber: ALICE } },
      none: null,
    });
    const withFinding = await run(`{ lead(id: "1") { finding { id description inspection { id } } } }`);
    expect(withFinding.data).toEqual({ lead: { finding: { id: '1', description: '2人未实名登记', inspection: { id: '1' } } } });
  });

  it('answers malformed input with BAD_USER_INPUT', async () => {
    for (const query of [
      `{ lead(id: "abc") { id } }`,
      `{ inspection(id: "1.5") { id } }`,
      `{ leads(filter: { unit: "91330109MA2XXXXXX0" }) { totalCount } }`,
      `{ leads(first: 0) { totalCount } }`,
      `{ leads(after: "not-a-cursor") { totalCount } }`,
    ]) {
      const result = await run(query);
      expect({ query, code: result.errors?.[0]?.extensions?.code }).toEqual({ query, code: 'BAD_USER_INPUT' });
    }
  });
});
