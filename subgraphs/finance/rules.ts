// The finance bureau's side of the cross-bureau rules (docs/rules.md): the rules whose truth is a budget,
// a payroll line or a purchase-of-service contract, judged against the registry rows the establishment
// office sends and HR's pay standards.
import type { PrismaClient } from './prisma/generated/client.ts';
import {
  cents,
  monthRange,
  unitsMatching,
  type PayStandardTableRow,
  type RegistryRosterRow,
  type RegistrySpanRow,
  type ServiceContractRosterRow,
  type UnitDirectoryRow,
  type UnitFilterInput,
} from '../../lib/cross-check.ts';
import type { PayrollLineRow, PersonnelBudgetRow } from './data.ts';

type Stub<K extends string> = Record<K, string>;
export type DisguisedOutsourcingResult = {
  unit: Stub<'code'>;
  person: Stub<'idNumber'>;
  name: string;
  contract: Stub<'number'>;
  onRegistry: boolean;
  onPayroll: boolean;
};
export type PayAboveStandardResult = {
  unit: Stub<'code'>;
  person: Stub<'idNumber'>;
  payrollLine: PayrollLineRow;
  postCategory: string;
  standard: number;
  excess: number;
};
export type BudgetLinkageResult = {
  unit: Stub<'code'>;
  budget: PersonnelBudgetRow;
  registeredHeadcount: number;
  fundingStandard: number;
  expectedAmount: number;
  headcountMatches: boolean;
  amountMatches: boolean;
};

const pairKey = (unit: string, person: string) => `${unit}|${person}`;
const dateOf = (d: Date) => d.toISOString().slice(0, 10);

export class FinanceRules {
  constructor(private readonly prisma: PrismaClient) {}

  /** Purchase-of-service contracts of the district's units (credit code characters 3-8) in force in the month. */
  /** Question 6: contract workers who are also on the unit's registry or payroll in the month. */
  async disguisedOutsourcing(month: string, directory: readonly UnitDirectoryRow[], roster: readonly RegistryRosterRow[], filter: UnitFilterInput | null | undefined) {
    const units = unitsMatching(directory, filter);
    if (units.size === 0) return [];
    const { first, last } = monthRange(month);
    const codes = [...units.keys()];
    const workers = await this.prisma.$queryRaw<{ number: string; unit: string; person: string; name: string; paid: boolean }[]>`
      SELECT DISTINCT ON (c.number, w.id_number) c.number, c.unit_code::text AS unit, w.id_number::text AS person, w.name,
             EXISTS (SELECT 1 FROM payroll_line p WHERE p.unit_code = c.unit_code AND p.id_number = w.id_number AND p.month = ${month}) AS paid
      FROM service_contract c JOIN service_contract_worker w ON w.contract_number = c.number
      WHERE c.unit_code = ANY(${codes}::bpchar[]) AND c.start_date <= ${last}::date AND c.end_date >= ${first}::date
      ORDER BY c.number, w.id_number, w.id`;
    const registered = new Set(roster.map((r) => pairKey(r[1], r[2])));
    const out: DisguisedOutsourcingResult[] = [];
    for (const w of workers) {
      const onRegistry = registered.has(pairKey(w.unit, w.person));
      if (!onRegistry && !w.paid) continue;
      out.push({ unit: { code: w.unit }, person: { idNumber: w.person }, name: w.name, contract: { number: w.number }, onRegistry, onPayroll: w.paid });
    }
    return out;
  }

  /** Question 8: payroll lines above HR's standard for the unit's category and the registered post category. */
  async payAboveStandard(
    month: string,
    directory: readonly UnitDirectoryRow[],
    roster: readonly RegistryRosterRow[],
    standards: readonly PayStandardTableRow[],
    filter: UnitFilterInput | null | undefined,
  ) {
    const units = unitsMatching(directory, filter);
    const { year } = monthRange(month);
    const maxOf = new Map(standards.filter((s) => s[0] === year).map(([, category, post, max]) => [`${category}|${post}`, cents(max)]));
    if (units.size === 0 || maxOf.size === 0) return [];
    // The registry record that gives the post category: latest start date, then highest id.
    const post = new Map<string, { start: string; id: number; category: string }>();
    for (const [id, unit, person, , , postCategory, start] of roster) {
      if (!units.has(unit)) continue;
      const key = pairKey(unit, person);
      const prev = post.get(key);
      if (!prev || start > prev.start || (start === prev.start && Number(id) > prev.id)) post.set(key, { start, id: Number(id), category: postCategory });
    }
    // Only lines above the lowest standard can break one: the database filters the rest.
    const floor = Math.min(...maxOf.values()) / 100;
    const lines = await this.prisma.payrollLine.findMany({
      where: { month, unitCode: { in: [...units.keys()] }, grossPay: { gt: floor } },
    });
    const out: PayAboveStandardResult[] = [];
    for (const line of lines) {
      const category = post.get(pairKey(line.unitCode, line.idNumber))?.category;
      const max = category === undefined ? undefined : maxOf.get(`${units.get(line.unitCode)![1]}|${category}`);
      if (max === undefined || cents(line.grossPay) <= max) continue;
      out.push({
        unit: { code: line.unitCode },
        person: { idNumber: line.idNumber },
        payrollLine: line,
        postCategory: category!,
        standard: max / 100,
        excess: (cents(line.grossPay) - max) / 100,
      });
    }
    return out;
  }

  /** Question 4: budgets whose basis or amount is not registry headcount on the snapshot date × standard. */
  async budgetLinkage(year: number, directory: readonly UnitDirectoryRow[], spans: readonly RegistrySpanRow[], filter: UnitFilterInput | null | undefined) {
    const units = unitsMatching(directory, filter);
    if (units.size === 0) return [];
    const [budgets, standards] = await Promise.all([
      this.prisma.personnelBudget.findMany({ where: { year, unitCode: { in: [...units.keys()] } } }),
      this.prisma.fundingStandard.findMany({ where: { year } }),
    ]);
    const standardOf = new Map(standards.map((s) => [s.category as string, cents(s.amountPerHead)]));
    const spansOf = new Map<string, RegistrySpanRow[]>();
    for (const span of spans) {
      const list = spansOf.get(span[0]);
      if (list) list.push(span);
      else spansOf.set(span[0], [span]);
    }
    const out: BudgetLinkageResult[] = [];
    for (const budget of budgets) {
      const standard = standardOf.get(units.get(budget.unitCode)![1]);
      if (standard === undefined) continue;
      const snapshot = dateOf(budget.registrySnapshotDate);
      const people = new Set<string>();
      for (const [, person, start, end] of spansOf.get(budget.unitCode) ?? []) {
        if (start <= snapshot && (end === null || end >= snapshot)) people.add(person);
      }
      const expected = people.size * standard;
      const headcountMatches = budget.headcountBasis === people.size;
      const amountMatches = cents(budget.amount) === expected;
      if (headcountMatches && amountMatches) continue;
      out.push({
        unit: { code: budget.unitCode },
        budget,
        registeredHeadcount: people.size,
        fundingStandard: standard / 100,
        expectedAmount: expected / 100,
        headcountMatches,
        amountMatches,
      });
    }
    return out;
  }
}
