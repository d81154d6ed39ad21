// Data access of the finance bureau (区财政局): its own database only, batched per request.
import { Prisma, type PrismaClient } from './prisma/generated/client.ts';
import type { GatewayClient } from '../../lib/gateway-client.ts';
import type { RequestAccess } from '../../lib/subgraph.ts';
import { CachedData, NO_CACHE, versionedLoader, type RequestCache } from '../../lib/versioned-cache.ts';
import type { FinanceRules } from './rules.ts';
import type { FinanceWrites } from './writes.ts';
import type { RosterRow } from '../../lib/roster.ts';
import { groupBy } from '../../lib/batch.ts';
import { periodRowsLoader, type ServiceContractRosterRow } from '../../lib/cross-check.ts';

export type UnitParent = { code: string };
export type PersonParent = { idNumber: string };
export type FundingStandardRow = Prisma.FundingStandardModel;
export type PersonnelBudgetRow = Prisma.PersonnelBudgetModel;
export type PayrollLineRow = Prisma.PayrollLineModel;
export type ServiceContractRow = Prisma.ServiceContractModel;
export type ServiceWorkerRow = Prisma.ServiceContractWorkerModel;
/** A district's month, with what other bureaus send for @requires. */
export type DistrictMonthParent = { district: string; month: string; scope: string } & Record<string, unknown>;
export type DistrictYearParent = { district: string; year: number; scope: string } & Record<string, unknown>;
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
export class FinanceData extends CachedData {
  constructor(
    private readonly prisma: PrismaClient,
    cache: RequestCache = NO_CACHE,
  ) {
    super(cache);
  }

  // Keyed by "year|unitCode". Each year is one OR branch, so mixed years still cost one statement.
  readonly budgetByUnitYear = versionedLoader<string, PersonnelBudgetRow | null>(this.cache, 'budgetByUnitYear', async (keys) => {
    const groups = codesByArgument(keys);
    const rows = await this.prisma.personnelBudget.findMany({
      where: { OR: [...groups].map(([year, codes]) => ({ year: Number(year), unitCode: { in: codes } })) },
    });
    const byKey = new Map(rows.map((r) => [`${r.year}|${r.unitCode}`, r]));
    return keys.map((k) => byKey.get(k) ?? null);
  });

  // Keyed by "month|unitCode".
  readonly payrollByUnitMonth = versionedLoader<string, PayrollLineRow[]>(this.cache, 'payrollByUnitMonth', async (keys) => {
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
  readonly payrollTotalByUnitMonth = versionedLoader<string, PayrollTotalResult>(this.cache, 'payrollTotalByUnitMonth', async (keys) => {
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

  readonly serviceContractsByUnit = versionedLoader<string, ServiceContractRow[]>(this.cache, 'serviceContractsByUnit', async (codes) => {
    const rows = await this.prisma.serviceContract.findMany({
      where: { unitCode: { in: [...codes] } },
      orderBy: [{ startDate: 'desc' }, { number: 'desc' }],
    });
    const byUnit = groupBy(rows, (r) => r.unitCode);
    return codes.map((c) => byUnit.get(c) ?? []);
  });

  readonly serviceContractByNumber = versionedLoader<string, ServiceContractRow | null>(this.cache, 'serviceContractByNumber', async (numbers) => {
    const rows = await this.prisma.serviceContract.findMany({ where: { number: { in: [...numbers] } } });
    const byNumber = new Map(rows.map((r) => [r.number, r]));
    return numbers.map((n) => byNumber.get(n) ?? null);
  });

  readonly workersByContract = versionedLoader<string, ServiceWorkerRow[]>(this.cache, 'workersByContract', async (numbers) => {
    const rows = await this.prisma.serviceContractWorker.findMany({
      where: { contractNumber: { in: [...numbers] } },
      orderBy: { id: 'asc' },
    });
    const byContract = groupBy(rows, (r) => r.contractNumber);
    return numbers.map((n) => byContract.get(n) ?? []);
  });

  // Keyed by "month|idNumber", month empty for all months.
  readonly payrollByPerson = versionedLoader<string, PayrollLineRow[]>(this.cache, 'payrollByPerson', async (keys) => {
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

  /**
   * Everyone on a payroll line in the month (period YYYY-MM) of a unit registered in the district
   * (credit-code characters 3-8), or of the scope's unit, in a stable order (unit, ID number, line).
   */
  readonly payrollRoster = periodRowsLoader<RosterRow>(async ({ districts, periods, scopes, scoped }) => {
    const rows = await this.prisma.$queryRaw<{ i: number; unit_code: string; id_number: string; name: string; id: number }[]>`
      SELECT k.i::int AS i, p.unit_code::text AS unit_code, p.id_number::text AS id_number, p.name, p.id
      FROM unnest(${districts}::text[], ${periods}::text[], ${scopes}::text[]) WITH ORDINALITY AS k(district, period, scope, i)
      JOIN payroll_line p ON p.month = k.period::bpchar
        AND ${scoped ? Prisma.sql`p.unit_code = k.scope::bpchar` : Prisma.sql`substring(p.unit_code from 3 for 6) = k.district`}
      ORDER BY k.i, p.unit_code, p.id_number, p.id`;
    return rows.map((r) => ({ i: r.i, row: [r.unit_code, r.id_number, r.name, 'PAYROLL', String(r.id)] as RosterRow }));
  });

  /** Purchase-of-service contracts (政府购买服务) in force in the month, with their number of workers. */
  readonly serviceContractRoster = periodRowsLoader<ServiceContractRosterRow>(async ({ districts, periods, scopes, scoped }) => {
    const rows = await this.prisma.$queryRaw<{ i: number; number: string; unit: string; fn: string; start: string; end: string; workers: number }[]>`
      SELECT k.i::int AS i, c.number, c.unit_code::text AS unit, c.function::text AS fn, to_char(c.start_date, 'YYYY-MM-DD') AS start,
             to_char(c.end_date, 'YYYY-MM-DD') AS "end",
             (SELECT count(*) FROM service_contract_worker w WHERE w.contract_number = c.number)::int AS workers
      FROM unnest(${districts}::text[], ${periods}::text[], ${scopes}::text[]) WITH ORDINALITY AS k(district, period, scope, i)
      JOIN service_contract c ON ${scoped ? Prisma.sql`c.unit_code = k.scope::bpchar` : Prisma.sql`substring(c.unit_code from 3 for 6) = k.district`}
      WHERE c.start_date <= (to_date(k.period, 'YYYY-MM') + interval '1 month - 1 day')::date AND c.end_date >= to_date(k.period, 'YYYY-MM')
      ORDER BY k.i, c.number COLLATE "C"`;
    return rows.map((r) => ({ i: r.i, row: [r.number, r.unit, r.fn, r.start, r.end, r.workers] as ServiceContractRosterRow }));
  });
}
