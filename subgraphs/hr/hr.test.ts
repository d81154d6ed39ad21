// The 人社局 subgraph on its own: entities, batching, months in force, the HR roster, input errors.
import { packed, unpacked } from '../../test/support/rows.ts';
import { EmploymentRoster } from '../../lib/roster.ts';
import { RegistryRoster, UnitDirectory, type RegistryRosterRow, type UnitDirectoryRow } from '../../lib/cross-check.ts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSubgraph, type SubgraphHarness } from '../../test/support/subgraph.ts';
import { makeCreditCode, makeIdNumber } from '../../lib/ids.ts';
import { createSubgraph } from './index.ts';

const UNIT_A = makeCreditCode('1', '330109', '00000001A');
const UNIT_B = makeCreditCode('2', '330109', '00000002B');
const UNIT_ELSEWHERE = makeCreditCode('1', '330110', '00000003C'); // another district
// Birth years put the people in ID-number order: Alice < Bob < Carol < Dave.
const ALICE = makeIdNumber('330109', '19800101', 12);
const BOB = makeIdNumber('330109', '19850505', 21);
const CAROL = makeIdNumber('330109', '19900303', 32);
const DAVE = makeIdNumber('330109', '19950707', 41);

let h: SubgraphHarness;

const run = (query: string, variables?: Record<string, unknown>) => h.run(query, variables);

/** Runs the query and returns its result with the number of SQL statements it took. */
const counted = (query: string, variables?: Record<string, unknown>) => h.counted(query, variables);

beforeAll(async () => {
  h = await startSubgraph('hr', createSubgraph, async (db) => {
    await db.insertRows(
      'employment_contract',
      ['id', 'id_number', 'name', 'unit_code', 'kind', 'dispatch_agency', 'start_date', 'end_date', 'signed_on', 'terminated_on'],
      [
        ['HT-1', ALICE, '王芳', UNIT_A, 'LABOUR_CONTRACT', null, '2025-01-01', null, '2024-12-20', null],
        ['HT-2', BOB, '李强', UNIT_A, 'DISPATCH', '杭州人力派遣有限公司', '2026-01-01', '2026-12-31', '2025-12-15', null],
        // Terminated before October 2026 although agreed to run to 2027.
        ['HT-3', CAROL, '张丽', UNIT_A, 'LABOUR_CONTRACT', null, '2024-01-01', '2027-12-31', '2023-12-20', '2026-09-15'],
        // Starts after October 2026.
        ['HT-4', DAVE, '陈伟', UNIT_A, 'LABOUR_CONTRACT', null, '2026-11-01', null, '2026-10-20', null],
        // Ends on the first day of October 2026: still in force that month.
        ['HT-5', ALICE, '王芳', UNIT_B, 'LABOUR_CONTRACT', null, '2024-01-01', '2026-10-01', '2023-12-28', null],
        ['HT-6', BOB, '李强', UNIT_ELSEWHERE, 'LABOUR_CONTRACT', null, '2025-01-01', null, '2024-12-28', null],
      ],
    );
    await db.insertRows(
      'rehire_agreement',
      ['id', 'id_number', 'name', 'unit_code', 'retired_on', 'start_date', 'end_date'],
      [
        ['FP-1', CAROL, '张丽', UNIT_B, '2023-06-30', '2023-07-01', null],
        ['FP-2', DAVE, '陈伟', UNIT_A, '2023-12-31', '2024-01-01', '2026-09-30'],
      ],
    );
    await db.insertRows(
      'insurance_enrolment',
      ['id', 'id_number', 'name', 'unit_code', 'start_month', 'end_month'],
      [
        [1, ALICE, '王芳', UNIT_A, '2025-01', null],
        [2, BOB, '李强', UNIT_B, '2026-01', '2026-09'],
        [3, CAROL, '张丽', UNIT_ELSEWHERE, '2026-01', null],
        [4, DAVE, '陈伟', UNIT_B, '2026-10', '2026-10'],
      ],
    );
    await db.insertRows(
      'recruitment',
      ['id', 'unit_code', 'announcement_number', 'title', 'announced_on', 'posts'],
      [
        [1, UNIT_A, 'XS-2025-07', '区档案馆2025年编外人员招聘', '2025-03-01', 1],
        [2, UNIT_A, 'XS-2026-03', '区档案馆2026年编外人员招聘', '2026-03-01', 2],
      ],
    );
    await db.insertRows(
      'recruitment_step',
      ['recruitment_id', 'step', 'completed_on'],
      [
        [2, 'INTERVIEW', '2026-04-20'],
        [2, 'ANNOUNCEMENT', '2026-03-01'],
        [2, 'WRITTEN_EXAM', '2026-04-10'],
        [2, 'REGISTRATION', '2026-03-15'],
      ],
    );
    await db.insertRows(
      'recruitment_hire',
      ['recruitment_id', 'id_number', 'name', 'hired_on'],
      [
        [2, DAVE, '陈伟', '2026-06-01'],
        [2, CAROL, '张丽', '2026-05-20'],
      ],
    );
    await db.insertRows(
      'exit_record',
      ['id_number', 'unit_code', 'exit_on', 'reason'],
      [
        [CAROL, UNIT_A, '2026-09-15', 'RESIGNED'],
        [DAVE, UNIT_A, '2026-09-30', 'RETIRED'],
      ],
    );
    await db.insertRows(
      'pay_standard',
      ['year', 'unit_category', 'post_category', 'monthly_max'],
      [
        [2026, 'FUNDED_INSTITUTION', '辅助管理', '6500.50'],
        [2026, 'DISTRICT_ORGAN', '辅助管理', '7000.00'],
        [2025, 'DISTRICT_ORGAN', '辅助管理', '6800.00'],
      ],
    );
  });
});

afterAll(async () => {
  await h?.stop();
});

const units = (...codes: string[]) => codes.map((code) => ({ __typename: 'Unit', code }));
const people = (...ids: string[]) => ids.map((idNumber) => ({ __typename: 'Person', idNumber }));

describe('hr subgraph', () => {
  it('resolves every Unit list field in one SQL statement each, however many representations', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Unit {
      code contracts(activeIn: "2026-10") { id } rehires { id } insuranceEnrolments(activeIn: "2026-10") { id }
      recruitments { id } exits { id } } } }`;
    const one = await counted(query, { r: units(UNIT_A) });
    const three = await counted(query, { r: units(UNIT_A, UNIT_B, UNIT_ELSEWHERE) });
    expect(one.result.errors).toBeUndefined();
    expect(three.result.errors).toBeUndefined();
    expect(one.statements).toBe(5);
    expect(three.statements).toBe(one.statements);
    expect(three.result.data?._entities).toEqual([
      {
        code: UNIT_A,
        contracts: [{ id: 'HT-1' }, { id: 'HT-2' }],
        rehires: [{ id: 'FP-2' }],
        insuranceEnrolments: [{ id: '1' }],
        recruitments: [{ id: '2' }, { id: '1' }],
        exits: [{ id: '2' }, { id: '1' }],
      },
      {
        code: UNIT_B,
        contracts: [{ id: 'HT-5' }],
        rehires: [{ id: 'FP-1' }],
        insuranceEnrolments: [{ id: '4' }],
        recruitments: [],
        exits: [],
      },
      { code: UNIT_ELSEWHERE, contracts: [{ id: 'HT-6' }], rehires: [], insuranceEnrolments: [{ id: '3' }], recruitments: [], exits: [] },
    ]);
  });

  it('resolves every Person list field in one SQL statement each, however many representations', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person {
      idNumber contracts { id unit { code } } rehires { id } insuranceEnrolments { id }
      hires { hiredOn recruitment { title } } exits { reason } } } }`;
    const one = await counted(query, { r: people(DAVE) });
    const three = await counted(query, { r: people(ALICE, CAROL, DAVE) });
    expect(one.result.errors).toBeUndefined();
    expect(three.result.errors).toBeUndefined();
    // Five lists, plus the hires' recruitments.
    expect(one.statements).toBe(6);
    expect(three.statements).toBe(one.statements);
    expect(three.result.data?._entities).toEqual([
      {
        idNumber: ALICE,
        contracts: [
          { id: 'HT-5', unit: { code: UNIT_B } },
          { id: 'HT-1', unit: { code: UNIT_A } },
        ],
        rehires: [],
        insuranceEnrolments: [{ id: '1' }],
        hires: [],
        exits: [],
      },
      {
        idNumber: CAROL,
        contracts: [{ id: 'HT-3', unit: { code: UNIT_A } }],
        rehires: [{ id: 'FP-1' }],
        insuranceEnrolments: [{ id: '3' }],
        hires: [{ hiredOn: '2026-05-20', recruitment: { title: '区档案馆2026年编外人员招聘' } }],
        exits: [{ reason: 'RESIGNED' }],
      },
      {
        idNumber: DAVE,
        contracts: [{ id: 'HT-4', unit: { code: UNIT_A } }],
        rehires: [{ id: 'FP-2' }],
        insuranceEnrolments: [{ id: '4' }],
        hires: [{ hiredOn: '2026-06-01', recruitment: { title: '区档案馆2026年编外人员招聘' } }],
        exits: [{ reason: 'RETIRED' }],
      },
    ]);
  });

  it('counts a contract in force in a month by its termination date first, then its agreed end', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Unit {
      september: contracts(activeIn: "2026-09") { id }
      october: contracts(activeIn: "2026-10") { id }
      november: contracts(activeIn: "2026-11") { id }
      dispatch: contracts(kind: DISPATCH) { id kind dispatchAgency startDate endDate terminatedOn }
      all: contracts { id }
      insuredAll: insuranceEnrolments { id startMonth endMonth } } } }`;
    const { result, statements } = await counted(query, { r: units(UNIT_A, UNIT_B) });
    expect(result.errors).toBeUndefined();
    // One statement per distinct (month, kind) of contracts, one for the insurance.
    expect(statements).toBe(6);
    expect(result.data?._entities).toEqual([
      {
        september: [{ id: 'HT-3' }, { id: 'HT-1' }, { id: 'HT-2' }],
        october: [{ id: 'HT-1' }, { id: 'HT-2' }],
        november: [{ id: 'HT-1' }, { id: 'HT-2' }, { id: 'HT-4' }],
        dispatch: [
          { id: 'HT-2', kind: 'DISPATCH', dispatchAgency: '杭州人力派遣有限公司', startDate: '2026-01-01', endDate: '2026-12-31', terminatedOn: null },
        ],
        all: [{ id: 'HT-3' }, { id: 'HT-1' }, { id: 'HT-2' }, { id: 'HT-4' }],
        insuredAll: [{ id: '1', startMonth: '2025-01', endMonth: null }],
      },
      {
        september: [{ id: 'HT-5' }],
        october: [{ id: 'HT-5' }],
        november: [],
        dispatch: [],
        all: [{ id: 'HT-5' }],
        insuredAll: [
          { id: '2', startMonth: '2026-01', endMonth: '2026-09' },
          { id: '4', startMonth: '2026-10', endMonth: '2026-10' },
        ],
      },
    ]);
  });

  it("lists the district's HR roster for a month from contracts, rehires and insurance, in order", async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on DistrictMonth { district month hrRoster } } }`;
    const { result, statements } = await counted(query, { r: [{ __typename: 'DistrictMonth', district: '330109', month: '2026-10', scope: '' }] });
    expect(result.errors).toBeUndefined();
    expect(statements).toBe(1);
    const entities = result.data?._entities as { hrRoster: string }[];
    expect(entities.map((e) => ({ ...e, hrRoster: unpacked(EmploymentRoster, e.hrRoster) }))).toEqual([
      {
        district: '330109',
        month: '2026-10',
        hrRoster: [
          [UNIT_A, ALICE, '王芳', 'LABOUR_CONTRACT', 'HT-1'],
          [UNIT_A, ALICE, '王芳', 'SOCIAL_INSURANCE', '1'],
          [UNIT_A, BOB, '李强', 'DISPATCH_AGREEMENT', 'HT-2'],
          [UNIT_B, ALICE, '王芳', 'LABOUR_CONTRACT', 'HT-5'],
          [UNIT_B, CAROL, '张丽', 'REHIRE_AGREEMENT', 'FP-1'],
          [UNIT_B, DAVE, '陈伟', 'SOCIAL_INSURANCE', '4'],
        ],
      },
    ]);
  });

  it('rejects a malformed district or month in a DistrictMonth representation', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on DistrictMonth { hrRoster } } }`;
    for (const ref of [
      { district: '33010', month: '2026-10' },
      { district: '330109', month: '2026-13' },
    ]) {
      const result = await run(query, { r: [{ __typename: 'DistrictMonth', ...ref }] });
      expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('answers a recruitment with its steps in process order and its hires by date', async () => {
    const result = await run(`{ recruitment(id: "2") { id unit { code } announcementNumber title announcedOn posts
      steps { step completedOn } hires { person { idNumber } name hiredOn recruitment { id } } } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      recruitment: {
        id: '2',
        unit: { code: UNIT_A },
        announcementNumber: 'XS-2026-03',
        title: '区档案馆2026年编外人员招聘',
        announcedOn: '2026-03-01',
        posts: 2,
        steps: [
          { step: 'ANNOUNCEMENT', completedOn: '2026-03-01' },
          { step: 'REGISTRATION', completedOn: '2026-03-15' },
          { step: 'WRITTEN_EXAM', completedOn: '2026-04-10' },
          { step: 'INTERVIEW', completedOn: '2026-04-20' },
        ],
        hires: [
          { person: { idNumber: CAROL }, name: '张丽', hiredOn: '2026-05-20', recruitment: { id: '2' } },
          { person: { idNumber: DAVE }, name: '陈伟', hiredOn: '2026-06-01', recruitment: { id: '2' } },
        ],
      },
    });
  });

  it('answers an unknown recruitment with null and an id that cannot exist with BAD_USER_INPUT', async () => {
    const unknown = await run(`{ recruitment(id: "99") { id } }`);
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data).toEqual({ recruitment: null });
    for (const id of ['XS-2026-03', '99999999999', '0']) {
      const malformed = await run(`query($id: ID!) { recruitment(id: $id) { id } }`, { id });
      expect([id, malformed.errors?.[0]?.extensions?.code]).toEqual([id, 'BAD_USER_INPUT']);
    }
  });

  it("lists a year's pay standards as numbers and rejects an implausible year", async () => {
    const result = await run(`{ payStandards(year: 2026) { id year unitCategory postCategory monthlyMax } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      payStandards: [
        { id: '2', year: 2026, unitCategory: 'DISTRICT_ORGAN', postCategory: '辅助管理', monthlyMax: 7000 },
        { id: '1', year: 2026, unitCategory: 'FUNDED_INSTITUTION', postCategory: '辅助管理', monthlyMax: 6500.5 },
      ],
    });
    const bad = await run(`{ payStandards(year: 1800) { id } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('hr side of the cross-bureau rules (DistrictMonth with the registry rows staffing sends)', () => {
  const directory: UnitDirectoryRow[] = [
    [UNIT_A, 'DISTRICT_ORGAN', null, null, 'ORGAN'],
    [UNIT_B, 'FUNDED_INSTITUTION', '330109001', UNIT_A, 'PUBLIC_INSTITUTION'],
  ];
  // [recordId, unitCode, idNumber, name, employmentForm, postCategory, startDate, endDate, recordedDate]
  const registry: RegistryRosterRow[] = [
    ['1', UNIT_A, ALICE, '王芳', 'LABOUR_CONTRACT', '辅助管理', '2025-01-01', null, '2025-01-05'], // HT-1 in force, on time
    ['2', UNIT_A, CAROL, '张丽', 'LABOUR_CONTRACT', '辅助管理', '2024-01-01', null, '2024-01-02'], // HT-3 terminated 2026-09-15
    // FP-2 ended 2026-09-30, entered 74 days late; not late at the end: HT-4 (from November, open) overlaps the record.
    ['3', UNIT_A, DAVE, '陈伟', 'REHIRED_RETIREE', '工勤', '2024-01-01', null, '2024-03-15'],
    ['4', UNIT_B, BOB, '李强', 'DISPATCH', '工勤', '2026-01-01', null, '2026-01-03'], // his dispatch is at UNIT_A
  ];
  const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on DistrictMonth {
    missingAgreements { totalCount nodes { unit { code } person { idNumber } record { id } employmentForm } }
    registryLate { nodes { record { id } kind hrDate registryDate daysLate agreementId } }
  } } }`;
  const rep = (rows: RegistryRosterRow[]) => [
    { __typename: 'DistrictMonth', district: '330109', month: '2026-10', scope: '', unitDirectory: packed(UnitDirectory, directory), registryRoster: packed(RegistryRoster, rows) },
  ];

  it('finds registered people without the agreement their form needs, and registry entries or exits more than 30 days late', async () => {
    const { result } = await counted(query, { r: rep(registry) });
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      {
        missingAgreements: {
          totalCount: 3,
          nodes: [
            { unit: { code: UNIT_A }, person: { idNumber: CAROL }, record: { id: '2' }, employmentForm: 'LABOUR_CONTRACT' },
            { unit: { code: UNIT_A }, person: { idNumber: DAVE }, record: { id: '3' }, employmentForm: 'REHIRED_RETIREE' },
            { unit: { code: UNIT_B }, person: { idNumber: BOB }, record: { id: '4' }, employmentForm: 'DISPATCH' },
          ],
        },
        registryLate: {
          nodes: [
            { record: { id: '2' }, kind: 'END', hrDate: '2026-09-15', registryDate: '2026-10-31', daysLate: 46, agreementId: 'HT-3' },
            { record: { id: '3' }, kind: 'START', hrDate: '2024-01-01', registryDate: '2024-03-15', daysLate: 74, agreementId: 'FP-2' },
          ],
        },
      },
    ]);
  });

  it('costs the same SQL statements for 4 registry rows as for 400', async () => {
    const many = Array.from({ length: 100 }, (_, k) => registry.map((r): RegistryRosterRow => [String(Number(r[0]) + 4 * (k + 1)), ...(r.slice(1) as [string, string, string, string, string, string, string | null, string])])).flat();
    const small = await counted(query, { r: rep(registry) });
    const large = await counted(query, { r: rep([...registry, ...many]) });
    expect(large.result.errors).toBeUndefined();
    expect(large.statements).toBe(small.statements);
    expect(small.statements).toBeLessThanOrEqual(3);
  });

  it('refuses a representation without the registry rows (only the gateway can supply them)', async () => {
    const result = await run(query, { r: [{ __typename: 'DistrictMonth', district: '330109', month: '2026-10', scope: '' }] });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_REQUEST');
  });
});
