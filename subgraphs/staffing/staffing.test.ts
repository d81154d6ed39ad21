// The 编办 subgraph on its own: entities, batching, input errors, the unreported-staff comparison.
import { packed } from '../../test/support/rows.ts';
import { EmploymentRoster } from '../../lib/roster.ts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSubgraph, type SubgraphHarness } from '../../test/support/subgraph.ts';
import { makeCreditCode, makeIdNumber } from '../../lib/ids.ts';
import { createSubgraph } from './index.ts';
import { identityOf } from '../../lib/auth/identity.ts';

const UNIT_A = makeCreditCode('1', '330109', '00000001A');
const UNIT_B = makeCreditCode('2', '330109', '00000002B');
const ALICE = makeIdNumber('330109', '19900101', 12); // registered at A
const BOB = makeIdNumber('330109', '19850505', 21); // in HR's roster only

let h: SubgraphHarness;

const run = (query: string, variables?: Record<string, unknown>) => h.run(query, variables);

beforeAll(async () => {
  h = await startSubgraph('staffing', createSubgraph, async (db) => {
    const unitCols = ['code', 'name', 'nature', 'category', 'funding_form', 'district_code', 'town_code', 'establishment_size', 'establishment_actual'];
    await db.insertRows('unit', unitCols, [
      [UNIT_A, '区档案馆', 'PUBLIC_INSTITUTION', 'FUNDED_INSTITUTION', 'FULL', '330109', null, 20, 18],
      [UNIT_B, '瓜沥镇人民政府', 'ORGAN', 'TOWN_SUBDISTRICT', 'FULL', '330109', '330109113', 60, 55],
    ]);
    await db.insertRows(
      'registry_record',
      ['unit_code', 'id_number', 'name', 'post', 'post_category', 'employment_form', 'start_date', 'end_date', 'change_reason', 'recorded_at'],
      [[UNIT_A, ALICE, '王芳', '档案整理', '辅助管理', 'LABOUR_CONTRACT', '2024-03-01', null, 'IN_SERVICE', '2024-03-05T00:00:00Z']],
    );
    // A's quota is below its one registered person; B has room. Last year's decisions must not count.
    await db.insertRows('quota_decision', ['unit_code', 'year', 'quota', 'decided_on'], [
      [UNIT_A, 2026, 0, '2026-01-10'],
      [UNIT_B, 2026, 5, '2026-01-10'],
      [UNIT_B, 2025, 9, '2025-01-10'],
    ]);
  });
});

afterAll(async () => {
  await h?.stop();
});

describe('staffing subgraph', () => {
  it('resolves Unit entities in one SQL statement however many representations', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Unit { code name category town { name } } } }`;
    const before = h.subgraph.sqlStatements();
    const result = await run(query, {
      r: [UNIT_A, UNIT_B, makeCreditCode('1', '330109', '00000099Y')].map((code) => ({ __typename: 'Unit', code })),
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?._entities).toEqual([
      { code: UNIT_A, name: '区档案馆', category: 'FUNDED_INSTITUTION', town: null },
      { code: UNIT_B, name: '瓜沥镇人民政府', category: 'TOWN_SUBDISTRICT', town: { name: '瓜沥镇' } },
      null,
    ]);
    expect(h.subgraph.sqlStatements() - before).toBe(1);
  });

  it('answers an unknown unit code with null and a malformed one with BAD_USER_INPUT', async () => {
    const unknown = await run(`{ unit(code: "${makeCreditCode('1', '330109', '00000099Y')}") { name } }`);
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data).toEqual({ unit: null });
    const malformed = await run(`{ unit(code: "91330109MA2XXXXXX0") { name } }`);
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('rejects a month that is not YYYY-MM', async () => {
    const result = await run(`{ districtMonth(month: "2026-13") { month } }`);
    expect(result.errors?.[0]?.message).toMatch(/Month must be a calendar month YYYY-MM/);
  });

  it('totals units, quota and real-name headcount per category and per town, in at most three statements each', async () => {
    const query = `{ districtMonth(month: "2026-10") {
      byCategory: headcountAgainstQuota(by: CATEGORY) { category town { code } units quota registeredHeadcount unitsOverQuota }
      byTown: headcountAgainstQuota(by: TOWN) { category town { code name } units quota registeredHeadcount unitsOverQuota } } }`;
    const { result, statements } = await h.counted(query);
    expect(result.errors).toBeUndefined();
    expect(result.data?.districtMonth).toEqual({
      byCategory: [
        { category: 'FUNDED_INSTITUTION', town: null, units: 1, quota: 0, registeredHeadcount: 1, unitsOverQuota: 1 },
        { category: 'TOWN_SUBDISTRICT', town: null, units: 1, quota: 5, registeredHeadcount: 0, unitsOverQuota: 0 },
      ],
      // Units in no town come last.
      byTown: [
        { category: null, town: { code: '330109113', name: '瓜沥镇' }, units: 1, quota: 5, registeredHeadcount: 0, unitsOverQuota: 0 },
        { category: null, town: null, units: 1, quota: 0, registeredHeadcount: 1, unitsOverQuota: 1 },
      ],
    });
    // Units, quota decisions and headcounts for each grouping (headcounts may be shared by the two).
    expect(statements).toBeLessThanOrEqual(6);
    // A town officer's totals cover its own town only.
    const town = await h.run(query, {}, identityOf('test:town', 'TOWN_OFFICER', { town: '330109113' }));
    expect(town.data?.districtMonth.byCategory).toEqual([{ category: 'TOWN_SUBDISTRICT', town: null, units: 1, quota: 5, registeredHeadcount: 0, unitsOverQuota: 0 }]);
    const bad = await run(`{ districtMonth(month: "2026-10") { headcountAgainstQuota(by: TOWN, filter: { town: "33010911" }) { units } } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('finds people in the rosters with no active registry record at that unit', async () => {
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on DistrictMonth {
      unreportedStaff { totalCount totalPeople nodes { unit { code } peopleCount people { person { idNumber } name evidence { bureau kind reference } } } } } } }`;
    const result = await run(query, {
      r: [
        {
          __typename: 'DistrictMonth',
          district: '330109',
          month: '2026-10',
          scope: '',
          hrRoster: packed(EmploymentRoster, [
            [UNIT_A, ALICE, '王芳', 'LABOUR_CONTRACT', 'HT-1'],
            [UNIT_A, BOB, '李强', 'DISPATCH_AGREEMENT', 'HT-2'],
            [UNIT_B, ALICE, '王芳', 'SOCIAL_INSURANCE', '7'],
          ]),
          payrollRoster: packed(EmploymentRoster, [[UNIT_A, BOB, '李强', 'PAYROLL', '31']]),
        },
      ],
    });
    expect(result.errors).toBeUndefined();
    expect((result.data?._entities as unknown[])[0]).toEqual({
      unreportedStaff: {
        totalCount: 2,
        totalPeople: 2,
        nodes: [
          {
            unit: { code: UNIT_A },
            peopleCount: 1,
            people: [
              {
                person: { idNumber: BOB },
                name: '李强',
                evidence: [
                  { bureau: 'FINANCE', kind: 'PAYROLL', reference: '31' },
                  { bureau: 'HR', kind: 'DISPATCH_AGREEMENT', reference: 'HT-2' },
                ],
              },
            ],
          },
          // Alice is registered at A, not at B, where HR has her insured.
          { unit: { code: UNIT_B }, peopleCount: 1, people: [{ person: { idNumber: ALICE }, name: '王芳', evidence: [{ bureau: 'HR', kind: 'SOCIAL_INSURANCE', reference: '7' }] }] },
        ],
      },
    });
  });
});
