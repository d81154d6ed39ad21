// Data access of the HR and social security bureau (人社局): its own database only, batched per request.
import { Prisma, type PrismaClient } from './prisma/generated/client.ts';
import { periodRowsLoader, type PayStandardTableRow } from '../../lib/cross-check.ts';
import type { GatewayClient } from '../../lib/gateway-client.ts';
import type { RequestAccess } from '../../lib/subgraph.ts';
import { CachedData, NO_CACHE, versionedLoader, type RequestCache } from '../../lib/versioned-cache.ts';
import type { HrRules } from './rules.ts';
import type { HrWrites } from './writes.ts';
import type { EvidenceKind, RosterRow } from '../../lib/roster.ts';
import { monthBounds, toDateString } from '../../lib/periods.ts';
import { groupBy } from '../../lib/batch.ts';

// Units and people are owned by the establishment office: here they are only their keys.
export type UnitParent = { code: string };
export type PersonParent = { idNumber: string };
export type RecruitmentRow = Prisma.RecruitmentModel;
export type RecruitmentHireRow = Prisma.RecruitmentHireModel;
export type RecruitmentStepRow = Prisma.RecruitmentStepRecordModel;
export type EmploymentContractRow = Prisma.EmploymentContractModel;
export type RehireAgreementRow = Prisma.RehireAgreementModel;
export type InsuranceEnrolmentRow = Prisma.InsuranceEnrolmentModel;
export type PayStandardRow = Prisma.PayStandardModel;
export type ExitRecordRow = Prisma.ExitRecordModel;
/** A district's month, with what other bureaus send for @requires. */
export type DistrictMonthParent = { district: string; month: string; scope: string } & Record<string, unknown>;

/** The request context: data access, this bureau's rules, the caller (from the gateway's signature). */
export interface Context extends RequestAccess {
  data: HrData;
  rules: HrRules;
  writes: HrWrites;
  /** For questions to the whole graph; absent when no gateway is configured. */
  gateway: GatewayClient | undefined;
}


/** Contracts in force at any time in the month: started by its last day, not ended (early or as agreed) before its first. */
function contractActiveIn(month: string): Prisma.EmploymentContractWhereInput {
  const { first, last } = monthBounds(month);
  return {
    startDate: { lte: last },
    OR: [
      { terminatedOn: { gte: first } },
      { terminatedOn: null, endDate: null },
      { terminatedOn: null, endDate: { gte: first } },
    ],
  };
}

/** Months are stored as 'YYYY-MM', so text comparison is calendar order. */
function insuranceActiveIn(month: string): Prisma.InsuranceEnrolmentWhereInput {
  return { startMonth: { lte: month }, OR: [{ endMonth: null }, { endMonth: { gte: month } }] };
}

/** One instance per request: DataLoaders cache only for the request's lifetime. */
export class HrData extends CachedData {
  constructor(
    private readonly prisma: PrismaClient,
    cache: RequestCache = NO_CACHE,
  ) {
    super(cache);
  }

  readonly recruitmentById = versionedLoader<number, RecruitmentRow | null>(this.cache, 'recruitmentById', async (ids) => {
    const rows = await this.prisma.recruitment.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  // Keyed by "month|kind|unitCode": one statement per distinct (month, kind) in a request.
  readonly contractsByUnit = versionedLoader<string, EmploymentContractRow[]>(this.cache, 'contractsByUnit', async (keys) => {
    const groups = groupBy(
      keys.map((k) => k.split('|') as [string, string, string]),
      ([month, kind]) => `${month}|${kind}`,
    );
    const result = new Map<string, EmploymentContractRow[]>();
    for (const [group, parts] of groups) {
      const [month, kind] = group.split('|') as [string, string];
      const rows = await this.prisma.employmentContract.findMany({
        where: {
          unitCode: { in: parts.map((p) => p[2]) },
          ...(month ? contractActiveIn(month) : {}),
          ...(kind ? { kind: kind as EmploymentContractRow['kind'] } : {}),
        },
        orderBy: [{ unitCode: 'asc' }, { startDate: 'asc' }, { id: 'asc' }],
      });
      for (const [unit, list] of groupBy(rows, (r) => r.unitCode)) result.set(`${group}|${unit}`, list);
    }
    return keys.map((k) => result.get(k) ?? []);
  });

  readonly rehiresByUnit = versionedLoader<string, RehireAgreementRow[]>(this.cache, 'rehiresByUnit', async (codes) => {
    const rows = await this.prisma.rehireAgreement.findMany({
      where: { unitCode: { in: [...codes] } },
      orderBy: [{ startDate: 'asc' }, { id: 'asc' }],
    });
    const byUnit = groupBy(rows, (r) => r.unitCode);
    return codes.map((c) => byUnit.get(c) ?? []);
  });

  // Keyed by "month|unitCode": one statement per distinct month in a request.
  readonly insuranceByUnit = versionedLoader<string, InsuranceEnrolmentRow[]>(this.cache, 'insuranceByUnit', async (keys) => {
    const groups = groupBy(keys.map((k) => k.split('|') as [string, string]), ([month]) => month);
    const result = new Map<string, InsuranceEnrolmentRow[]>();
    for (const [month, parts] of groups) {
      const rows = await this.prisma.insuranceEnrolment.findMany({
        where: { unitCode: { in: parts.map((p) => p[1]) }, ...(month ? insuranceActiveIn(month) : {}) },
        orderBy: [{ unitCode: 'asc' }, { startMonth: 'asc' }, { id: 'asc' }],
      });
      for (const [unit, list] of groupBy(rows, (r) => r.unitCode)) result.set(`${month}|${unit}`, list);
    }
    return keys.map((k) => result.get(k) ?? []);
  });

  readonly recruitmentsByUnit = versionedLoader<string, RecruitmentRow[]>(this.cache, 'recruitmentsByUnit', async (codes) => {
    const rows = await this.prisma.recruitment.findMany({
      where: { unitCode: { in: [...codes] } },
      orderBy: [{ announcedOn: 'desc' }, { id: 'desc' }],
    });
    for (const r of rows) this.recruitmentById.prime(r.id, r);
    const byUnit = groupBy(rows, (r) => r.unitCode);
    return codes.map((c) => byUnit.get(c) ?? []);
  });

  readonly exitsByUnit = versionedLoader<string, ExitRecordRow[]>(this.cache, 'exitsByUnit', async (codes) => {
    const rows = await this.prisma.exitRecord.findMany({
      where: { unitCode: { in: [...codes] } },
      orderBy: [{ exitOn: 'desc' }, { id: 'desc' }],
    });
    const byUnit = groupBy(rows, (r) => r.unitCode);
    return codes.map((c) => byUnit.get(c) ?? []);
  });

  readonly contractsByPerson = versionedLoader<string, EmploymentContractRow[]>(this.cache, 'contractsByPerson', async (ids) => {
    const rows = await this.prisma.employmentContract.findMany({
      where: { idNumber: { in: [...ids] } },
      orderBy: [{ startDate: 'asc' }, { id: 'asc' }],
    });
    const byPerson = groupBy(rows, (r) => r.idNumber);
    return ids.map((id) => byPerson.get(id) ?? []);
  });

  readonly rehiresByPerson = versionedLoader<string, RehireAgreementRow[]>(this.cache, 'rehiresByPerson', async (ids) => {
    const rows = await this.prisma.rehireAgreement.findMany({
      where: { idNumber: { in: [...ids] } },
      orderBy: [{ startDate: 'asc' }, { id: 'asc' }],
    });
    const byPerson = groupBy(rows, (r) => r.idNumber);
    return ids.map((id) => byPerson.get(id) ?? []);
  });

  readonly insuranceByPerson = versionedLoader<string, InsuranceEnrolmentRow[]>(this.cache, 'insuranceByPerson', async (ids) => {
    const rows = await this.prisma.insuranceEnrolment.findMany({
      where: { idNumber: { in: [...ids] } },
      orderBy: [{ startMonth: 'asc' }, { id: 'asc' }],
    });
    const byPerson = groupBy(rows, (r) => r.idNumber);
    return ids.map((id) => byPerson.get(id) ?? []);
  });

  readonly hiresByPerson = versionedLoader<string, RecruitmentHireRow[]>(this.cache, 'hiresByPerson', async (ids) => {
    const rows = await this.prisma.recruitmentHire.findMany({
      where: { idNumber: { in: [...ids] } },
      orderBy: [{ hiredOn: 'asc' }, { id: 'asc' }],
    });
    const byPerson = groupBy(rows, (r) => r.idNumber);
    return ids.map((id) => byPerson.get(id) ?? []);
  });

  readonly exitsByPerson = versionedLoader<string, ExitRecordRow[]>(this.cache, 'exitsByPerson', async (ids) => {
    const rows = await this.prisma.exitRecord.findMany({
      where: { idNumber: { in: [...ids] } },
      orderBy: [{ exitOn: 'desc' }, { id: 'desc' }],
    });
    const byPerson = groupBy(rows, (r) => r.idNumber);
    return ids.map((id) => byPerson.get(id) ?? []);
  });

  // PostgreSQL sorts an enum by its declaration order, which is the order of the recruitment process.
  readonly stepsByRecruitment = versionedLoader<number, RecruitmentStepRow[]>(this.cache, 'stepsByRecruitment', async (ids) => {
    const rows = await this.prisma.recruitmentStepRecord.findMany({
      where: { recruitmentId: { in: [...ids] } },
      orderBy: [{ step: 'asc' }],
    });
    const byRecruitment = groupBy(rows, (r) => String(r.recruitmentId));
    return ids.map((id) => byRecruitment.get(String(id)) ?? []);
  });

  readonly hiresByRecruitment = versionedLoader<number, RecruitmentHireRow[]>(this.cache, 'hiresByRecruitment', async (ids) => {
    const rows = await this.prisma.recruitmentHire.findMany({
      where: { recruitmentId: { in: [...ids] } },
      orderBy: [{ hiredOn: 'asc' }, { id: 'asc' }],
    });
    const byRecruitment = groupBy(rows, (r) => String(r.recruitmentId));
    return ids.map((id) => byRecruitment.get(String(id)) ?? []);
  });

  payStandards(year: number): Promise<PayStandardRow[]> {
    return this.prisma.payStandard.findMany({
      where: { year },
      orderBy: [{ unitCategory: 'asc' }, { postCategory: 'asc' }],
    });
  }

  /**
   * Everyone HR sees employed at a unit of the district in the month, in one statement: contracts and
   * dispatch agreements in force, rehire agreements in force, insurance enrolments covering the month.
   * A unit's district is characters 3-8 of its credit code. Casting char(n) to text drops its padding;
   * COLLATE "C" keeps the order the same whatever the server's locale.
   */
  /**
   * Everyone with a contract, dispatch or rehire agreement in force, or insured, at a unit of the district
   * (or at the scope's unit) in the month (period YYYY-MM). A unit's district is characters 3-8 of its
   * credit code. Casting char(n) to text drops its padding; COLLATE "C" keeps the order the same whatever
   * the server's locale.
   */
  readonly roster = periodRowsLoader<RosterRow>(async ({ districts, periods, scopes, scoped }) => {
    // One unit by its index, or the district by the division code in the credit code.
    const inScope = (alias: string) =>
      scoped
        ? Prisma.sql`${Prisma.raw(alias)}.unit_code = k.scope::bpchar`
        : Prisma.sql`substring(${Prisma.raw(alias)}.unit_code from 3 for 6) = k.district`;
    const rows = await this.prisma.$queryRaw<{ i: number; unit_code: string; id_number: string; name: string; kind: EvidenceKind; reference: string }[]>`
      WITH k AS (
        SELECT district, period, scope, i, to_date(period, 'YYYY-MM') AS first,
               (to_date(period, 'YYYY-MM') + interval '1 month - 1 day')::date AS last
        FROM unnest(${districts}::text[], ${periods}::text[], ${scopes}::text[]) WITH ORDINALITY AS u(district, period, scope, i)
      )
      SELECT i::int AS i, unit_code, id_number, name, kind, reference FROM (
        SELECT k.i, c.unit_code::text AS unit_code, c.id_number::text AS id_number, c.name,
               CASE c.kind WHEN 'DISPATCH' THEN 'DISPATCH_AGREEMENT' ELSE 'LABOUR_CONTRACT' END::text AS kind,
               c.id AS reference
        FROM k JOIN employment_contract c ON ${inScope('c')}
        WHERE c.start_date <= k.last
          AND (coalesce(c.terminated_on, c.end_date) IS NULL OR coalesce(c.terminated_on, c.end_date) >= k.first)
        UNION ALL
        SELECT k.i, r.unit_code::text, r.id_number::text, r.name, 'REHIRE_AGREEMENT'::text, r.id
        FROM k JOIN rehire_agreement r ON ${inScope('r')}
        WHERE r.start_date <= k.last AND (r.end_date IS NULL OR r.end_date >= k.first)
        UNION ALL
        SELECT k.i, i.unit_code::text, i.id_number::text, i.name, 'SOCIAL_INSURANCE'::text, i.id::text
        FROM k JOIN insurance_enrolment i ON ${inScope('i')}
        WHERE i.start_month <= k.period AND (i.end_month IS NULL OR i.end_month >= k.period)
      ) AS evidence
      ORDER BY i, unit_code COLLATE "C", id_number COLLATE "C", kind COLLATE "C", reference COLLATE "C"`;
    return rows.map((r) => ({ i: r.i, row: [r.unit_code, r.id_number, r.name, r.kind, r.reference] as RosterRow }));
  });

  /** The pay standards of years (period YYYY; not narrowed by district or unit). */
  readonly payStandardTable = periodRowsLoader<PayStandardTableRow>(async ({ periods }) => {
    const rows = await this.prisma.$queryRaw<{ i: number; year: number; unit_category: string; post_category: string; monthly_max: string }[]>`
      SELECT k.i::int AS i, p.year, p.unit_category::text AS unit_category, p.post_category, p.monthly_max::numeric(12, 2)::text AS monthly_max
      FROM unnest(${periods}::text[]) WITH ORDINALITY AS k(period, i)
      JOIN pay_standard p ON p.year = k.period::int
      ORDER BY k.i, p.unit_category::text COLLATE "C", p.post_category COLLATE "C"`;
    return rows.map((r) => ({ i: r.i, row: [r.year, r.unit_category, r.post_category, r.monthly_max] as PayStandardTableRow }));
  });
}
