// The 区财政局 subgraph on its own: entities, batching, the payroll roster, input errors, Decimal to Float.
import { unpacked } from '../../test/support/rows.ts';
import { EmploymentRoster } from '../../lib/roster.ts';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSubgraph, type SubgraphHarness } from '../../test/support/subgraph.ts';
import { makeCreditCode, makeIdNumber } from '../../lib/ids.ts';
import { createSubgraph } from './index.ts';

const UNIT_A = makeCreditCode('1', '330109', '00000001A');
const UNIT_B = makeCreditCode('2', '330109', '00000002B');
const UNIT_ELSEWHERE = makeCreditCode('1', '330110', '00000003C'); // registered in another district
const UNIT_EMPTY = makeCreditCode('1', '330109', '00000099Y'); // no finance data at all
const ALICE = makeIdNumber('330109', '19900101', 12);
const BOB = makeIdNumber('330109', '19850505', 21);
const CAROL = makeIdNumber('330109', '19920202', 32);

let h: SubgraphHarness;

const run = (query: string, variables?: Record<string, unknown>) => h.run(query, variables);

const counted = (query: string, variables?: Record<string, unknown>) => h.counted(query, variables);

const units = (...codes: string[]) => codes.map((code) => ({ __typename: 'Unit', code }));

beforeAll(async () => {
  h = await startSubgraph('finance', createSubgraph, async (db) => {
    await db.insertRows('funding_standard', ['category', 'year', 'amount_per_head'], [
      ['DISTRICT_ORGAN', 2026, '60000.50'],
      ['FUNDED_INSTITUTION', 2026, '55000.00'],
      ['DISTRICT_ORGAN', 2025, '58000.00'],
    ]);
    await db.insertRows(
      'personnel_budget',
      ['unit_code', 'year', 'headcount_basis', 'standard_per_head', 'amount', 'registry_snapshot_date'],
      [
        [UNIT_A, 2026, 10, '55000.25', '550002.50', '2025-10-31'],
        [UNIT_B, 2026, 4, '60000.50', '240002.00', '2025-10-31'],
        [UNIT_A, 2025, 9, '54000.00', '486000.00', '2024-10-31'],
      ],
    );
    await db.insertRows('payroll_line', ['id', 'unit_code', 'id_number', 'name', 'month', 'gross_pay', 'funding_source'], [
      [1, UNIT_A, ALICE, '王芳', '2026-10', '4800.50', 'BUDGET'],
      [2, UNIT_A, BOB, '李强', '2026-10', '5200.00', 'UNIT_OWN_FUNDS'],
      [3, UNIT_A, ALICE, '王芳', '2026-10', '300.25', 'SPECIAL_FUND'],
      [4, UNIT_A, ALICE, '王芳', '2026-09', '4800.50', 'BUDGET'],
      [5, UNIT_B, CAROL, '陈静', '2026-10', '4500.00', 'BUDGET'],
      [6, UNIT_ELSEWHERE, BOB, '李强', '2026-10', '3000.00', 'BUDGET'],
    ]);
    await db.insertRows(
      'service_contract',
      ['number', 'unit_code', 'function', 'supplier_name', 'supplier_code', 'start_date', 'end_date', 'amount'],
      [
        ['GM-2025-007', UNIT_A, 'SECURITY', '萧山保安服务公司', makeCreditCode('3', '330109', '00000101K'), '2025-01-01', '2025-12-31', '180000.00'],
        ['GM-2026-003', UNIT_A, 'CLEANING', '萧山物业公司', makeCreditCode('3', '330109', '00000102M'), '2026-01-01', '2026-12-31', '96000.80'],
        ['GM-2026-011', UNIT_B, 'GREENING', '萧山园林公司', makeCreditCode('3', '330109', '00000103P'), '2026-03-01', '2027-02-28', '50000.00'],
      ],
    );
    await db.insertRows('service_contract_worker', ['contract_number', 'id_number', 'name'], [
      ['GM-2026-003', CAROL, '陈静'],
      ['GM-2026-003', BOB, '李强'],
      ['GM-2026-011', ALICE, '王芳'],
    ]);
  });
});

afterAll(async () => {
  await h?.stop();
});

describe('finance subgraph', () => {
  const unitQuery = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Unit {
    code
    budget(year: 2026) { id year headcountBasis standardPerHead amount registrySnapshotDate unit { code } }
    payroll(month: "2026-10") { id name grossPay fundingSource person { idNumber } unit { code } }
    payrollTotal(month: "2026-10") { month people grossPay }
    serviceContracts { number function startDate amount workers { name person { idNumber } } }
  } } }`;

  it('resolves Unit fields in the same number of SQL statements for 1 or 3 representations', async () => {
    const one = await counted(unitQuery, { r: units(UNIT_A) });
    const three = await counted(unitQuery, { r: units(UNIT_A, UNIT_B, UNIT_EMPTY) });
    expect(one.result.errors).toBeUndefined();
    expect(three.result.errors).toBeUndefined();
    // budget, payroll, payrollTotal, serviceContracts, workers: one each.
    expect(one.statements).toBe(5);
    expect(three.statements).toBe(one.statements);
    const [a, b, empty] = three.result.data?._entities as Record<string, unknown>[];
    expect(a).toEqual({
      code: UNIT_A,
      budget: {
        id: expect.any(String),
        year: 2026,
        headcountBasis: 10,
        standardPerHead: 55000.25,
        amount: 550002.5,
        registrySnapshotDate: '2025-10-31',
        unit: { code: UNIT_A },
      },
      payroll: [
        { id: '2', name: '李强', grossPay: 5200, fundingSource: 'UNIT_OWN_FUNDS', person: { idNumber: BOB }, unit: { code: UNIT_A } },
        { id: '1', name: '王芳', grossPay: 4800.5, fundingSource: 'BUDGET', person: { idNumber: ALICE }, unit: { code: UNIT_A } },
        { id: '3', name: '王芳', grossPay: 300.25, fundingSource: 'SPECIAL_FUND', person: { idNumber: ALICE }, unit: { code: UNIT_A } },
      ],
      payrollTotal: { month: '2026-10', people: 2, grossPay: 10300.75 },
      serviceContracts: [
        {
          number: 'GM-2026-003',
          function: 'CLEANING',
          startDate: '2026-01-01',
          amount: 96000.8,
          workers: [
            { name: '陈静', person: { idNumber: CAROL } },
            { name: '李强', person: { idNumber: BOB } },
          ],
        },
        { number: 'GM-2025-007', function: 'SECURITY', startDate: '2025-01-01', amount: 180000, workers: [] },
      ],
    });
    expect(b).toMatchObject({ budget: { amount: 240002 }, payrollTotal: { people: 1, grossPay: 4500 } });
    expect(empty).toEqual({
      code: UNIT_EMPTY,
      budget: null,
      payroll: [],
      payrollTotal: { month: '2026-10', people: 0, grossPay: 0 },
      serviceContracts: [],
    });
  });

  it('returns Decimal columns as JSON numbers', async () => {
    const { data } = await run(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Unit {
      budget(year: 2026) { amount standardPerHead } payroll(month: "2026-10") { grossPay } } } }`, { r: units(UNIT_A) });
    const [unit] = data?._entities as { budget: Record<string, unknown>; payroll: { grossPay: unknown }[] }[];
    for (const value of [unit!.budget.amount, unit!.budget.standardPerHead, ...unit!.payroll.map((p) => p.grossPay)]) {
      expect(typeof value).toBe('number');
    }
  });

  it('batches different months of payrollTotal into one statement', async () => {
    const { result, statements } = await counted(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Unit {
        oct: payrollTotal(month: "2026-10") { month people grossPay }
        sep: payrollTotal(month: "2026-09") { month people grossPay } } } }`,
      { r: units(UNIT_A, UNIT_B) },
    );
    expect(result.errors).toBeUndefined();
    expect(statements).toBe(1);
    expect(result.data?._entities).toEqual([
      { oct: { month: '2026-10', people: 2, grossPay: 10300.75 }, sep: { month: '2026-09', people: 1, grossPay: 4800.5 } },
      { oct: { month: '2026-10', people: 1, grossPay: 4500 }, sep: { month: '2026-09', people: 0, grossPay: 0 } },
    ]);
  });

  it('lists a person’s payroll newest month first, optionally for one month, in one statement', async () => {
    const { result, statements } = await counted(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person {
        idNumber all: payroll { id month unit { code } } sep: payroll(month: "2026-09") { id } } } }`,
      { r: [ALICE, CAROL].map((idNumber) => ({ __typename: 'Person', idNumber })) },
    );
    expect(result.errors).toBeUndefined();
    expect(statements).toBe(1);
    expect(result.data?._entities).toEqual([
      {
        idNumber: ALICE,
        all: [
          { id: '3', month: '2026-10', unit: { code: UNIT_A } },
          { id: '1', month: '2026-10', unit: { code: UNIT_A } },
          { id: '4', month: '2026-09', unit: { code: UNIT_A } },
        ],
        sep: [{ id: '4' }],
      },
      { idNumber: CAROL, all: [{ id: '5', month: '2026-10', unit: { code: UNIT_B } }], sep: [] },
    ]);
  });

  it('builds the payroll roster of a district and month, excluding other months and districts', async () => {
    const { result, statements } = await counted(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on DistrictMonth { district month payrollRoster } } }`,
      {
        r: [
          { __typename: 'DistrictMonth', district: '330109', month: '2026-10', scope: '' },
          { __typename: 'DistrictMonth', district: '330110', month: '2026-10', scope: '' },
          { __typename: 'DistrictMonth', district: '330109', month: '2026-08', scope: '' },
        ],
      },
    );
    expect(result.errors).toBeUndefined();
    // One statement for the three periods.
    expect(statements).toBe(1);
    const entities = result.data?._entities as { payrollRoster: string }[];
    expect(entities.map((e) => ({ ...e, payrollRoster: unpacked(EmploymentRoster, e.payrollRoster) }))).toEqual([
      {
        district: '330109',
        month: '2026-10',
        // Ordered by unit code, ID number, line id; line 4 (September) and line 6 (district 330110) are out.
        payrollRoster: [
          [UNIT_A, BOB, '李强', 'PAYROLL', '2'],
          [UNIT_A, ALICE, '王芳', 'PAYROLL', '1'],
          [UNIT_A, ALICE, '王芳', 'PAYROLL', '3'],
          [UNIT_B, CAROL, '陈静', 'PAYROLL', '5'],
        ],
      },
      { district: '330110', month: '2026-10', payrollRoster: [[UNIT_ELSEWHERE, BOB, '李强', 'PAYROLL', '6']] },
      { district: '330109', month: '2026-08', payrollRoster: [] },
    ]);
  });

  it('lists the funding standards of a year', async () => {
    const result = await run(`{ fundingStandards(year: 2026) { id category year amountPerHead } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data?.fundingStandards).toEqual([
      { id: expect.any(String), category: 'DISTRICT_ORGAN', year: 2026, amountPerHead: 60000.5 },
      { id: expect.any(String), category: 'FUNDED_INSTITUTION', year: 2026, amountPerHead: 55000 },
    ]);
  });

  it('finds a service contract by number, and null for an unknown one', async () => {
    const result = await run(`{
      known: serviceContract(number: "GM-2026-011") { number unit { code } supplierName endDate amount workers { person { idNumber } } }
      unknown: serviceContract(number: "GM-1999-000") { number } }`);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      known: {
        number: 'GM-2026-011',
        unit: { code: UNIT_B },
        supplierName: '萧山园林公司',
        endDate: '2027-02-28',
        amount: 50000,
        workers: [{ person: { idNumber: ALICE } }],
      },
      unknown: null,
    });
  });

  it('answers out-of-range years and malformed district months with BAD_USER_INPUT', async () => {
    const standards = await run(`{ fundingStandards(year: 1899) { id } }`);
    expect(standards.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'year' });

    const budget = await run(`query($r: [_Any!]!) { _entities(representations: $r) { ... on Unit { budget(year: 2101) { id } } } }`, {
      r: units(UNIT_A),
    });
    expect(budget.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'year' });

    const districtMonth = `query($r: [_Any!]!) { _entities(representations: $r) { ... on DistrictMonth { payrollRoster } } }`;
    const badDistrict = await run(districtMonth, { r: [{ __typename: 'DistrictMonth', district: '33010', month: '2026-10' }] });
    expect(badDistrict.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'district' });
    const badMonth = await run(districtMonth, { r: [{ __typename: 'DistrictMonth', district: '330109', month: '2026-13' }] });
    expect(badMonth.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'month' });
  });
});
