// The ten cross-bureau questions (docs/rules.md) through the gateway, one executable fixture per
// question: its named operation under schema/operations/, and the manifest list it must equal. The
// manifest (its rules part from scripts/seed/expected.ts) is an implementation of the rules over the generated rows
// that shares no code with the subgraphs' SQL.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import type { RuleAnswers } from '../scripts/seed/expected.ts';
import { readOperation } from '../lib/operations.ts';
import { startTestFederation, type GraphQLResponse, type TestFederation } from './support/federation.ts';

type Node = Record<string, any>;
interface Fixture {
  question: string;
  operation: string;
  /** The field under districtMonth / districtYear. */
  field: string;
  period: 'month' | 'year';
  /** Cursor variable of the field in the operation. */
  after: string;
  answer: (n: Node) => Record<string, unknown>;
  expected: keyof RuleAnswers;
}

const FIXTURES: Fixture[] = [
  {
    question: '1 unreported staff', operation: 'UnreportedStaff', field: 'unreportedStaff', period: 'month', after: 'after', expected: 'unreportedStaff',
    answer: (n) => ({
      unitCode: n.unit.code,
      // The manifest orders evidence by kind and reference; the graph by bureau first.
      people: n.people.map((p: Node) => ({
        idNumber: p.person.idNumber,
        evidence: p.evidence.map((e: Node) => ({ kind: e.kind, reference: e.reference })).sort((a: Node, b: Node) => (a.kind + a.reference < b.kind + b.reference ? -1 : 1)),
      })),
    }),
  },
  {
    question: '2 ghost records', operation: 'GhostRecords', field: 'ghostRecords', period: 'month', after: 'after', expected: 'ghostRecords',
    answer: (n) => ({ unitCode: n.unit.code, idNumber: n.person.idNumber, recordId: n.record.id }),
  },
  {
    question: '3 over quota', operation: 'OverQuota', field: 'overQuota', period: 'month', after: 'after', expected: 'overQuota',
    answer: (n) => ({ unitCode: n.unit.code, quota: n.quota.quota, registeredHeadcount: n.registeredHeadcount, hrHeadcount: n.hrHeadcount }),
  },
  {
    question: '4 budget linkage', operation: 'BudgetLinkage', field: 'budgetLinkage', period: 'year', after: 'after', expected: 'budgetLinkage',
    answer: (n) => ({
      unitCode: n.unit.code,
      budgetId: n.budget.id,
      headcountBasis: n.budget.headcountBasis,
      registeredHeadcount: n.registeredHeadcount,
      amount: n.budget.amount,
      expectedAmount: n.expectedAmount,
    }),
  },
  {
    question: '5 quota raised', operation: 'QuotaRaised', field: 'quotaRaised', period: 'year', after: 'after', expected: 'quotaRaised',
    answer: (n) => ({ unitCode: n.unit.code, decisionId: n.decision.id, quota: n.decision.quota, priorQuota: n.priorQuota }),
  },
  {
    question: '6 disguised outsourcing', operation: 'Outsourcing', field: 'disguisedOutsourcing', period: 'month', after: 'afterWorker', expected: 'disguisedOutsourcing',
    answer: (n) => ({ unitCode: n.unit.code, contractNumber: n.contract.number, idNumber: n.person.idNumber, onRegistry: n.onRegistry, onPayroll: n.onPayroll }),
  },
  {
    question: '6 outsourcing without recovered quota', operation: 'Outsourcing', field: 'unrecoveredOutsourcing', period: 'month', after: 'afterContract', expected: 'unrecoveredOutsourcing',
    answer: (n) => ({ unitCode: n.unit.code, contractNumber: n.contract.number }),
  },
  {
    question: '7 no contract or dispatch agreement', operation: 'AgreementsAndRetirees', field: 'missingAgreements', period: 'month', after: 'afterRecord', expected: 'missingAgreements',
    answer: (n) => ({ unitCode: n.unit.code, idNumber: n.person.idNumber, recordId: n.record.id, employmentForm: n.employmentForm }),
  },
  {
    question: '7 rehired retirees past the age limit', operation: 'AgreementsAndRetirees', field: 'retireesOverAgeLimit', period: 'month', after: 'afterRetiree', expected: 'retireesOverAgeLimit',
    answer: (n) => ({ unitCode: n.unit.code, idNumber: n.person.idNumber, age: n.age }),
  },
  {
    question: '8 hired without public recruitment', operation: 'RecruitmentAndPay', field: 'hiredWithoutRecruitment', period: 'month', after: 'afterHire', expected: 'hiredWithoutRecruitment',
    answer: (n) => ({ unitCode: n.unit.code, idNumber: n.person.idNumber, recordId: n.record.id }),
  },
  {
    question: '8 pay above the standard', operation: 'RecruitmentAndPay', field: 'payAboveStandard', period: 'month', after: 'afterPay', expected: 'payAboveStandard',
    answer: (n) => ({ unitCode: n.unit.code, idNumber: n.person.idNumber, payrollLineId: n.payrollLine.id, grossPay: n.payrollLine.grossPay, standard: n.standard }),
  },
  {
    question: '9 registry late', operation: 'RegistryLate', field: 'registryLate', period: 'month', after: 'after', expected: 'registryLate',
    answer: (n) => ({ unitCode: n.unit.code, idNumber: n.person.idNumber, recordId: n.record.id, kind: n.kind, daysLate: n.daysLate }),
  },
  {
    question: '10 rectifications past their deadline', operation: 'RectificationsAndSuspensions', field: 'overdueRectifications', period: 'month', after: 'afterRectification', expected: 'overdueRectifications',
    answer: (n) => ({ unitCode: n.unit.code, rectificationId: n.rectification.id, daysOverdue: n.daysOverdue }),
  },
  {
    question: '10 units to suspend', operation: 'RectificationsAndSuspensions', field: 'registrySuspensions', period: 'month', after: 'afterUnit', expected: 'registrySuspensions',
    answer: (n) => ({ unitCode: n.unit.code, leadIds: n.leads.map((l: Node) => l.id) }),
  },
];

let data: GeneratedData;
let expected: RuleAnswers;
let fed: TestFederation;

function periodVariables(f: Fixture): Record<string, unknown> {
  return f.period === 'month' ? { month: expected.month } : { year: expected.year };
}

/** Every page of a fixture's field, following endCursor. */
async function allPages(f: Fixture, variables: Record<string, unknown>, first: number) {
  const nodes: Node[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let pages = 0; pages < 1000; pages++) {
    const res: GraphQLResponse<Record<string, any>> = await fed.query(readOperation(f.operation), { ...periodVariables(f), ...variables, first, [f.after]: after });
    expect(res.errors).toBeUndefined();
    const connection: Node = (res.data!.districtMonth ?? res.data!.districtYear)[f.field];
    nodes.push(...connection.nodes);
    totalCount = connection.totalCount;
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return { nodes, totalCount };
}

beforeAll(async () => {
  data = generate({ seed: 42 });
  expected = data.manifest.rules;
  fed = await startTestFederation(data);
});

afterAll(async () => {
  await fed?.stop();
});

describe.each(FIXTURES)('question $question ($operation.$field)', (f) => {
  it('answers exactly the manifest: every expected hit, no extra', async () => {
    const want = expected[f.expected] as unknown[];
    expect(want.length).toBeGreaterThan(0);
    const { nodes, totalCount } = await allPages(f, {}, 1000);
    expect(totalCount).toBe(want.length);
    expect(nodes.map(f.answer)).toEqual(want);
  });
});

describe('parameters', () => {
  const unitColumn = (column: string) => {
    const table = data.staffing.unit!;
    const code = table.columns.indexOf('code');
    const col = table.columns.indexOf(column);
    return new Map(table.rows.map((r) => [r[code] as string, r[col] as string | null]));
  };

  it('pages: small pages concatenate to the whole answer, in order', async () => {
    const f = FIXTURES.find((x) => x.field === 'missingAgreements')!;
    const whole = await allPages(f, {}, 1000);
    const paged = await allPages(f, {}, 7);
    expect(paged.nodes.length).toBeGreaterThan(14);
    expect(paged.nodes.map(f.answer)).toEqual(whole.nodes.map(f.answer));
  });

  it.each([
    ['category', 'category', 'EDUCATION'],
    ['town', 'town_code', null],
    ['supervising department', 'supervising_unit_code', null],
  ] as const)('filters by %s on every question', async (_name, column, fixed) => {
    const values = unitColumn(column);
    // The most common non-null value, so that the filtered answers are not all empty.
    const counts = new Map<string, number>();
    for (const v of values.values()) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
    const value = fixed ?? [...counts].sort((a, b) => b[1] - a[1])[0]![0];
    const key = column === 'category' ? 'category' : column === 'town_code' ? 'town' : 'supervisingUnit';
    let nonEmpty = 0;
    for (const f of FIXTURES) {
      const want = (expected[f.expected] as { unitCode: string }[]).filter((h) => values.get(h.unitCode) === value);
      const { nodes } = await allPages(f, { filter: { [key]: value } }, 1000);
      expect({ field: f.field, answer: nodes.map(f.answer) }).toEqual({ field: f.field, answer: want });
      if (want.length) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThanOrEqual(3);
  });

  it('takes the age limit of question 7 as a parameter', async () => {
    const f = FIXTURES.find((x) => x.field === 'retireesOverAgeLimit')!;
    const older = await allPages(f, { ageLimit: 70 }, 1000);
    const want = expected.retireesOverAgeLimit.filter((h) => h.age > 70);
    expect(older.nodes.map(f.answer)).toEqual(want);
    expect(want.length).toBeLessThan(expected.retireesOverAgeLimit.length);
  });

  it('answers bad input with BAD_USER_INPUT naming the field, for every kind of parameter', async () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['GhostRecords', { month: '2026-13' }, 'month'],
      ['GhostRecords', { month: '2026-10', district: '33010' }, 'district'],
      ['GhostRecords', { month: '2026-10', filter: { town: '3301' } }, 'filter.town'],
      ['RegistryLate', { month: '2026-10', filter: { unit: '11330109000000000X' } }, 'filter.unit'],
      ['AgreementsAndRetirees', { month: '2026-10', filter: { supervisingUnit: 'nope' } }, 'filter.supervisingUnit'],
      ['AgreementsAndRetirees', { month: '2026-10', ageLimit: 7 }, 'ageLimit'],
      ['OverQuota', { month: '2026-10', first: 0 }, 'first'],
      ['QuotaRaised', { year: 1066 }, 'year'],
      ['BudgetLinkage', { year: 2026, after: 'not-a-cursor' }, 'after'],
    ];
    for (const [operation, variables, field] of cases) {
      const res = await fed.query(readOperation(operation), variables);
      const codes = (res.errors ?? []).map((e) => e.extensions?.code);
      expect({ operation, field, codes }).toEqual({ operation, field, codes: expect.arrayContaining(['BAD_USER_INPUT']) });
      if (field !== 'month') {
        expect({ operation, field: res.errors!.find((e) => e.extensions?.code === 'BAD_USER_INPUT')?.extensions?.field }).toEqual({ operation, field });
      }
    }
  });
});
