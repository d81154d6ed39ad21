// Data access of the establishment office (编办): its own database only, batched per request.
import DataLoader from 'dataloader';
import type { PrismaClient, Prisma } from './prisma/generated/client.ts';
import type { GatewayClient } from '../../lib/gateway-client.ts';
import type { RequestAccess } from '../../lib/subgraph.ts';
import type { StaffingRules } from './rules.ts';
import type { StaffingWrites } from './writes.ts';
import type { EvidenceKind, RosterRow } from '../../lib/roster.ts';
import { monthBounds } from '../../lib/periods.ts';
import { groupBy } from '../../lib/batch.ts';
import { townScoped } from '../../lib/cross-check.ts';

export type UnitRow = Prisma.UnitModel;
export type UnitParent = UnitRow;
export type PersonParent = { idNumber: string };
export type QuotaDecisionRow = Prisma.QuotaDecisionModel;
export type RegistryRecordRow = Prisma.RegistryRecordModel;
export type EstablishmentApplicationRow = Prisma.EstablishmentApplicationModel;
export type QuotaRecoveryRow = Prisma.QuotaRecoveryModel;
/** A district's month or year, with what other bureaus send for @requires. */
export type DistrictMonthParent = { district: string; month: string } & Record<string, unknown>;
export type DistrictYearParent = { district: string; year: number } & Record<string, unknown>;
export type UnreportedPersonResult = {
  idNumber: string;
  name: string;
  evidence: { bureau: 'HR' | 'FINANCE'; kind: EvidenceKind; reference: string }[];
};
export type UnreportedUnitResult = { unit: UnitRow; people: UnreportedPersonResult[] };

export interface UnitFilterInput {
  category?: Prisma.UnitWhereInput['category'] | null;
  town?: string | null;
  supervisingUnit?: string | null;
  nature?: Prisma.UnitWhereInput['nature'] | null;
  unit?: string | null;
  /** The unit's district (6-digit division code). */
  district?: string | null;
}

/** The request context: data access, this bureau's rules, the caller (from the gateway's signature). */
export interface Context extends RequestAccess {
  data: StaffingData;
  rules: StaffingRules;
  writes: StaffingWrites;
  /** For questions to the whole graph; absent when no gateway is configured. */
  gateway: GatewayClient | undefined;
}


/** Records active at any time in the month: started by its last day, not ended before its first. */
function activeIn(month: string): Prisma.RegistryRecordWhereInput {
  const { first, last } = monthBounds(month);
  return { startDate: { lte: last }, OR: [{ endDate: null }, { endDate: { gte: first } }] };
}

export function unitWhere(filter: UnitFilterInput | null | undefined): Prisma.UnitWhereInput {
  const where: Prisma.UnitWhereInput = {};
  if (filter?.category) where.category = filter.category;
  if (filter?.town) where.townCode = filter.town;
  if (filter?.supervisingUnit) where.supervisingUnitCode = filter.supervisingUnit;
  if (filter?.nature) where.nature = filter.nature;
  if (filter?.unit) where.code = filter.unit;
  if (filter?.district) where.districtCode = filter.district;
  return where;
}

/** One instance per request: DataLoaders cache only for the request's lifetime. */
export class StaffingData {
  /** town: a town officer's row scope; units elsewhere do not exist for them. */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly town?: string,
  ) {}

  readonly unitByCode = new DataLoader<string, UnitRow | null>(async (codes) => {
    const rows = await this.prisma.unit.findMany({ where: { code: { in: [...codes] }, ...(this.town ? { townCode: this.town } : {}) } });
    const byCode = new Map(rows.map((r) => [r.code, r]));
    return codes.map((c) => byCode.get(c) ?? null);
  });

  readonly quotaHistoryByUnit = new DataLoader<string, QuotaDecisionRow[]>(async (codes) => {
    const rows = await this.prisma.quotaDecision.findMany({
      where: { unitCode: { in: [...codes] } },
      orderBy: [{ unitCode: 'asc' }, { year: 'desc' }],
    });
    const byUnit = groupBy(rows, (r) => r.unitCode);
    return codes.map((c) => byUnit.get(c) ?? []);
  });

  readonly registryByPerson = new DataLoader<string, RegistryRecordRow[]>(async (ids) => {
    const rows = await this.prisma.registryRecord.findMany({
      where: { idNumber: { in: [...ids] }, ...(this.town ? { unit: { townCode: this.town } } : {}) },
      orderBy: [{ startDate: 'desc' }, { id: 'desc' }],
    });
    const byPerson = groupBy(rows, (r) => r.idNumber);
    return ids.map((id) => byPerson.get(id) ?? []);
  });

  readonly recordById = new DataLoader<number, RegistryRecordRow | null>(async (ids) => {
    const rows = await this.prisma.registryRecord.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  readonly applicationsByUnit = new DataLoader<string, EstablishmentApplicationRow[]>(async (codes) => {
    const rows = await this.prisma.establishmentApplication.findMany({
      where: { unitCode: { in: [...codes] } },
      orderBy: [{ submittedOn: 'desc' }, { id: 'desc' }],
    });
    const byUnit = groupBy(rows, (r) => r.unitCode);
    return codes.map((c) => byUnit.get(c) ?? []);
  });

  readonly recoveriesByUnit = new DataLoader<string, QuotaRecoveryRow[]>(async (codes) => {
    const rows = await this.prisma.quotaRecovery.findMany({
      where: { unitCode: { in: [...codes] } },
      orderBy: [{ year: 'desc' }, { id: 'asc' }],
    });
    const byUnit = groupBy(rows, (r) => r.unitCode);
    return codes.map((c) => byUnit.get(c) ?? []);
  });

  // Keyed by "month|employmentForm|unitCode": one statement per distinct (month, form) in a request.
  readonly registryByUnit = new DataLoader<string, RegistryRecordRow[]>(async (keys) => {
    const groups = groupBy(
      keys.map((k) => k.split('|') as [string, string, string]),
      ([month, form]) => `${month}|${form}`,
    );
    const result = new Map<string, RegistryRecordRow[]>();
    for (const [group, parts] of groups) {
      const [month, form] = group.split('|') as [string, string];
      const rows = await this.prisma.registryRecord.findMany({
        where: {
          unitCode: { in: parts.map((p) => p[2]) },
          ...(month ? activeIn(month) : {}),
          ...(form ? { employmentForm: form as RegistryRecordRow['employmentForm'] } : {}),
        },
        orderBy: [{ unitCode: 'asc' }, { startDate: 'asc' }, { id: 'asc' }],
      });
      for (const [unit, list] of groupBy(rows, (r) => r.unitCode)) result.set(`${group}|${unit}`, list);
    }
    return keys.map((k) => result.get(k) ?? []);
  });

  // Keyed by "month|unitCode": distinct people with an active record, one statement per month.
  readonly headcountByUnit = new DataLoader<string, number>(async (keys) => {
    const groups = groupBy(keys.map((k) => k.split('|') as [string, string]), ([month]) => month);
    const result = new Map<string, number>();
    for (const [month, parts] of groups) {
      const { first, last } = monthBounds(month);
      const rows = await this.prisma.$queryRaw<{ unit_code: string; n: number }[]>`
        SELECT unit_code, count(DISTINCT id_number)::int AS n FROM registry_record
        WHERE unit_code = ANY(${parts.map((p) => p[1])}::text[]) AND start_date <= ${last}
          AND (end_date IS NULL OR end_date >= ${first})
        GROUP BY unit_code`;
      for (const r of rows) result.set(`${month}|${r.unit_code.trim()}`, r.n);
    }
    return keys.map((k) => result.get(k) ?? 0);
  });

  async units(filter: UnitFilterInput | null | undefined, first: number, after: string | null) {
    const where = unitWhere(townScoped(filter, this.town));
    const [rows, totalCount] = await Promise.all([
      this.prisma.unit.findMany({
        where: after ? { AND: [where, { code: { gt: after } }] } : where,
        orderBy: { code: 'asc' },
        take: first + 1,
      }),
      this.prisma.unit.count({ where }),
    ]);
    return { rows, totalCount };
  }

  /** Whether a unit exists at all, whatever the caller's row scope (to tell "elsewhere" from "unknown"). */
  async unitExists(code: string): Promise<boolean> {
    return (await this.prisma.unit.count({ where: { code } })) > 0;
  }

  async townCodes(district: string): Promise<string[]> {
    const rows = await this.prisma.unit.findMany({
      where: { districtCode: district, townCode: this.town ?? { not: null } },
      distinct: ['townCode'],
      select: { townCode: true },
      orderBy: { townCode: 'asc' },
    });
    return rows.map((r) => r.townCode!);
  }

  /**
   * People in the other bureaus' rosters with no active registry record at that unit in the month.
   * Two statements whatever the roster's size: registered pairs, then the units.
   */
  async unreported(month: string, roster: readonly RosterRow[], filter: UnitFilterInput | null | undefined) {
    const byPair = new Map<string, UnreportedPersonResult & { unitCode: string }>();
    for (const [unitCode, idNumber, name, kind, reference] of roster) {
      const key = `${unitCode}|${idNumber}`;
      let entry = byPair.get(key);
      if (!entry) byPair.set(key, (entry = { unitCode, idNumber, name, evidence: [] }));
      entry.evidence.push({ bureau: kind === 'PAYROLL' ? 'FINANCE' : 'HR', kind, reference });
    }
    if (byPair.size === 0) return [];
    const units: string[] = [];
    const ids: string[] = [];
    for (const e of byPair.values()) {
      units.push(e.unitCode);
      ids.push(e.idNumber);
    }
    const { first, last } = monthBounds(month);
    const registered = await this.prisma.$queryRaw<{ unit_code: string; id_number: string }[]>`
      SELECT DISTINCT r.unit_code, r.id_number
      FROM registry_record r
      JOIN unnest(${units}::text[], ${ids}::text[]) AS p(unit_code, id_number)
        ON r.unit_code = p.unit_code AND r.id_number = p.id_number
      WHERE r.start_date <= ${last} AND (r.end_date IS NULL OR r.end_date >= ${first})`;
    for (const r of registered) byPair.delete(`${r.unit_code.trim()}|${r.id_number.trim()}`);
    const byUnit = groupBy([...byPair.values()], (e) => e.unitCode);
    if (byUnit.size === 0) return [];
    const unitRows = await this.prisma.unit.findMany({
      where: { AND: [unitWhere(townScoped(filter, this.town)), { code: { in: [...byUnit.keys()] } }] },
      orderBy: { code: 'asc' },
    });
    const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return unitRows.map((unit): UnreportedUnitResult => ({
      unit,
      people: byUnit
        .get(unit.code)!
        .sort((a, b) => order(a.idNumber, b.idNumber))
        .map(({ idNumber, name, evidence }) => ({
          idNumber,
          name,
          evidence: evidence.sort((a, b) => order(a.bureau + a.kind + a.reference, b.bureau + b.kind + b.reference)),
        })),
    }));
  }
}
