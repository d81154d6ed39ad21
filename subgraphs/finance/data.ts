// Data access of the finance bureau (区财政局): its own database only, batched per request.
import DataLoader from 'dataloader';
import type { PrismaClient, Prisma } from './prisma/generated/client.ts';
import type { GatewayClient } from '../../lib/gateway-client.ts';
import type { RequestAccess } from '../../lib/subgraph.ts';
import type { FinanceRules } from './rules.ts';
import type { FinanceWrites } from './writes.ts';
import type { RosterRow } from '../../lib/roster.ts';
import { groupBy } from '../../lib/batch.ts';

export type UnitParent = { code: string };
export type PersonParent = { idNumber: string };
export type FundingStandardRow = Prisma.FundingStandardModel;
export type PersonnelBudgetRow = Prisma.PersonnelBudgetModel;
export type PayrollLineRow = Prisma.PayrollLineModel;
export type ServiceContractRow = Prisma.ServiceContractModel;
export type ServiceWorkerRow = Prisma.ServiceContractWorkerModel;
/** A district's month, with what other bureaus send for @requires. */
export type DistrictMonthParent = { district: string; month: string } & Record<string, unknown>;
export type DistrictYearParent = { district: string; year: number } & Record<string, unknown>;
export type PayrollTotalResult = { month: string; people: number; grossPay: number };

/** The request context: data access, this bureau's rules, the caller (from the gateway's signature). */
export interface Context extends RequestAccess {
  data: FinanceData;
  rules: FinanceRules;
  writes: FinanceWrites;
  /** For questions to the whole graph; absent when no gateway is configured. */
  gateway: GatewayClient | undefined;
}


/** Splits "arg|code" keys into the codes asked for under each argument value. */
function codesByArgument(keys: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const key of keys) {
    const bar = key.indexOf('|');
    const arg = key.slice(0, bar);
    const code = key.slice(bar + 1);
    const list = groups.get(arg);
    if (list) list.push(code);
    else groups.set(arg, [code]);
  }
  return groups;
}

/** One instance per request: DataLoaders cache only for the request's lifetime. */
export class FinanceData {
  constructor(private readonly prisma: PrismaClient) {}

  // Keyed by "year|unitCode". Each year is one OR branch, so mixed years still cost one statement.
  readonly budgetByUnitYear = new DataLoader<string, PersonnelBudgetRow | null>(async (keys) => {
    const groups = codesByArgument(keys);
    const rows = await this.prisma.personnelBudget.findMany({
      where: { OR: [...groups].map(([year, codes]) => ({ year: Number(year), unitCode: { in: codes } })) },
    });
    const byKey = new Map(rows.map((r) => [`${r.year}|${r.unitCode}`, r]));
    return keys.map((k) => byKey.get(k) ?? null);
  });

  // Keyed by "month|unitCode".
  readonly payrollByUnitMonth = new DataLoader<string, PayrollLineRow[]>(async (keys) => {
    const groups = codesByArgument(keys);
    const rows = await this.prisma.payrollLine.findMany({
      where: { OR: [...groups].map(([month, codes]) => ({ month, unitCode: { in: codes } })) },
      orderBy: [{ unitCode: 'asc' }, { idNumber: 'asc' }, { id: 'asc' }],
    });
    const byKey = groupBy(rows, (r) => `${r.month}|${r.unitCode}`);
    return keys.map((k) => byKey.get(k) ?? []);
  });

  // Keyed by "month|unitCode": the (month, unit) pairs are joined in, so only asked-for groups are summed.
  // The keys are cast to bpchar to match the char columns, else PostgreSQL casts the columns and skips the index.
  readonly payrollTotalByUnitMonth = new DataLoader<string, PayrollTotalResult>(async (keys) => {
    const months: string[] = [];
    const codes: string[] = [];
    for (const key of keys) {
      const [month, code] = key.split('|') as [string, string];
      months.push(month);
      codes.push(code);
    }
    const rows = await this.prisma.$queryRaw<{ month: string; unit_code: string; people: number; gross_pay: unknown }[]>`
      SELECT k.month, k.unit_code, count(DISTINCT p.id_number)::int AS people, sum(p.gross_pay) AS gross_pay
      FROM unnest(${months}::bpchar[], ${codes}::bpchar[]) AS k(month, unit_code)
      JOIN payroll_line p ON p.month = k.month AND p.unit_code = k.unit_code
      GROUP BY k.month, k.unit_code`;
    const byKey = new Map(rows.map((r) => [`${r.month.trim()}|${r.unit_code.trim()}`, r]));
    return keys.map((k) => {
      const month = k.slice(0, k.indexOf('|'));
      const row = byKey.get(k);
      return { month, people: row?.people ?? 0, grossPay: row ? Number(row.gross_pay) : 0 };
    });
  });

  readonly serviceContractsByUnit = new DataLoader<string, ServiceContractRow[]>(async (codes) => {
    const rows = await this.prisma.serviceContract.findMany({
      where: { unitCode: { in: [...codes] } },
      orderBy: [{ startDate: 'desc' }, { number: 'desc' }],
    });
    const byUnit = groupBy(rows, (r) => r.unitCode);
    return codes.map((c) => byUnit.get(c) ?? []);
  });

  readonly serviceContractByNumber = new DataLoader<string, ServiceContractRow | null>(async (numbers) => {
    const rows = await this.prisma.serviceContract.findMany({ where: { number: { in: [...numbers] } } });
    const byNumber = new Map(rows.map((r) => [r.number, r]));
    return numbers.map((n) => byNumber.get(n) ?? null);
  });

  readonly workersByContract = new DataLoader<string, ServiceWorkerRow[]>(async (numbers) => {
    const rows = await this.prisma.serviceContractWorker.findMany({
      where: { contractNumber: { in: [...numbers] } },
      orderBy: { id: 'asc' },
    });
    const byContract = groupBy(rows, (r) => r.contractNumber);
    return numbers.map((n) => byContract.get(n) ?? []);
  });

  // Keyed by "month|idNumber", month empty for all months.
  readonly payrollByPerson = new DataLoader<string, PayrollLineRow[]>(async (keys) => {
    const groups = codesByArgument(keys);
    const rows = await this.prisma.payrollLine.findMany({
      where: { OR: [...groups].map(([month, ids]) => ({ idNumber: { in: ids }, ...(month ? { month } : {}) })) },
      orderBy: [{ month: 'desc' }, { id: 'desc' }],
    });
    // A line can answer both "all months" and its own month for the same person.
    const byPerson = groupBy(rows, (r) => r.idNumber);
    return keys.map((k) => {
      const bar = k.indexOf('|');
      const month = k.slice(0, bar);
      const lines = byPerson.get(k.slice(bar + 1)) ?? [];
      return month ? lines.filter((l) => l.month === month) : lines;
    });
  });

  async fundingStandards(year: number): Promise<FundingStandardRow[]> {
    return this.prisma.fundingStandard.findMany({ where: { year }, orderBy: { category: 'asc' } });
  }

  // Keyed by "district|month": everyone on a payroll line of a unit registered in the district (credit-code
  // characters 3-8) in the month, in a stable order (unit, ID number, line) so the roster is deterministic.
  readonly payrollRoster = new DataLoader<string, RosterRow[]>(async (keys) => {
    const districts: string[] = [];
    const months: string[] = [];
    for (const key of keys) {
      const [district, month] = key.split('|') as [string, string];
      districts.push(district);
      months.push(month);
    }
    const rows = await this.prisma.$queryRaw<
      { district: string; month: string; unit_code: string; id_number: string; name: string; id: number }[]
    >`
      SELECT k.district, k.month, p.unit_code, p.id_number, p.name, p.id
      FROM unnest(${districts}::text[], ${months}::bpchar[]) AS k(district, month)
      JOIN payroll_line p ON p.month = k.month AND substring(p.unit_code from 3 for 6) = k.district
      ORDER BY k.district, k.month, p.unit_code, p.id_number, p.id`;
    const byKey = groupBy(rows, (r) => `${r.district}|${r.month.trim()}`);
    return keys.map((k) =>
      (byKey.get(k) ?? []).map((r): RosterRow => [r.unit_code.trim(), r.id_number.trim(), r.name, 'PAYROLL', String(r.id)]),
    );
  });
}
