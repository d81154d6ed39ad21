// Data access of the establishment office (编办): its own database only, batched per request.
import { Prisma, type PrismaClient } from './prisma/generated/client.ts';
import type { GatewayClient } from '../../lib/gateway-client.ts';
import type { RequestAccess } from '../../lib/subgraph.ts';
import { CachedData, NO_CACHE, versionedLoader, type RequestCache } from '../../lib/versioned-cache.ts';
import type { StaffingRules } from './rules.ts';
import type { StaffingWrites } from './writes.ts';
import type { EvidenceKind, RosterRow } from '../../lib/roster.ts';
import { monthBounds } from '../../lib/periods.ts';
import { groupBy } from '../../lib/batch.ts';
import {
  checkUnitFilter,
  periodRowsLoader,
  townScoped,
  type RegistryRosterRow,
  type RegistrySpanRow,
  type UnitDirectoryRow,
  type UnitFilterInput as RuleUnitFilter,
} from '../../lib/cross-check.ts';
import { townName } from '../../lib/divisions.ts';

export type UnitRow = Prisma.UnitModel;
export type UnitParent = UnitRow;
export type PersonParent = { idNumber: string };
export type QuotaDecisionRow = Prisma.QuotaDecisionModel;
export type RegistryRecordRow = Prisma.RegistryRecordModel;
export type EstablishmentApplicationRow = Prisma.EstablishmentApplicationModel;
export type QuotaRecoveryRow = Prisma.QuotaRecoveryModel;
/** A district's month or year, with what other bureaus send for @requires. */
export type DistrictMonthParent = { district: string; month: string; scope: string } & Record<string, unknown>;
export type DistrictYearParent = { district: string; year: number; scope: string } & Record<string, unknown>;
export type UnreportedPersonResult = {
  idNumber: string;
  name: string;
  evidence: { bureau: 'HR' | 'FINANCE'; kind: EvidenceKind; reference: string }[];
};
export type UnreportedUnitResult = { unit: UnitRow; people: UnreportedPersonResult[] };
export type HeadcountGroupResult = {
  category: UnitRow['category'] | null;
  town: { code: string; name: string } | null;
  units: number;
  quota: number;
  registeredHeadcount: number;
  unitsOverQuota: number;
};

const CATEGORY_ORDER: readonly UnitRow['category'][] = ['DISTRICT_ORGAN', 'FUNDED_INSTITUTION', 'EDUCATION', 'TOWN_SUBDISTRICT'];

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
export class StaffingData extends CachedData {
  /** town: a town officer's row scope; units elsewhere do not exist for them. */
  constructor(
    private readonly prisma: PrismaClient,
    private readonly town?: string,
    cache: RequestCache = NO_CACHE,
  ) {
    super(cache, town ?? '*');
  }

  readonly unitByCode = versionedLoader<string, UnitRow | null>(this.cache, `unitByCode@${this.rowScope}`, async (codes) => {
    const rows = await this.prisma.unit.findMany({ where: { code: { in: [...codes] }, ...(this.town ? { townCode: this.town } : {}) } });
    const byCode = new Map(rows.map((r) => [r.code, r]));
    return codes.map((c) => byCode.get(c) ?? null);
  });

  readonly quotaHistoryByUnit = versionedLoader<string, QuotaDecisionRow[]>(this.cache, `quotaHistoryByUnit@${this.rowScope}`, async (codes) => {
    const rows = await this.prisma.quotaDecision.findMany({
      where: { unitCode: { in: [...codes] } },
      orderBy: [{ unitCode: 'asc' }, { year: 'desc' }],
    });
    const byUnit = groupBy(rows, (r) => r.unitCode);
    return codes.map((c) => byUnit.get(c) ?? []);
  });

  readonly registryByPerson = versionedLoader<string, RegistryRecordRow[]>(this.cache, `registryByPerson@${this.rowScope}`, async (ids) => {
    const rows = await this.prisma.registryRecord.findMany({
      where: { idNumber: { in: [...ids] }, ...(this.town ? { unit: { townCode: this.town } } : {}) },
      orderBy: [{ startDate: 'desc' }, { id: 'desc' }],
    });
    const byPerson = groupBy(rows, (r) => r.idNumber);
    return ids.map((id) => byPerson.get(id) ?? []);
  });

  readonly recordById = versionedLoader<number, RegistryRecordRow | null>(this.cache, `recordById@${this.rowScope}`, async (ids) => {
    const rows = await this.prisma.registryRecord.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  readonly applicationsByUnit = versionedLoader<string, EstablishmentApplicationRow[]>(this.cache, `applicationsByUnit@${this.rowScope}`, async (codes) => {
    const rows = await this.prisma.establishmentApplication.findMany({
      where: { unitCode: { in: [...codes] } },
      orderBy: [{ submittedOn: 'desc' }, { id: 'desc' }],
    });
    const byUnit = groupBy(rows, (r) => r.unitCode);
    return codes.map((c) => byUnit.get(c) ?? []);
  });

  readonly recoveriesByUnit = versionedLoader<string, QuotaRecoveryRow[]>(this.cache, `recoveriesByUnit@${this.rowScope}`, async (codes) => {
    const rows = await this.prisma.quotaRecovery.findMany({
      where: { unitCode: { in: [...codes] } },
      orderBy: [{ year: 'desc' }, { id: 'asc' }],
    });
    const byUnit = groupBy(rows, (r) => r.unitCode);
    return codes.map((c) => byUnit.get(c) ?? []);
  });

  // Keyed by "month|employmentForm|unitCode": one statement per distinct (month, form) in a request.
  readonly registryByUnit = versionedLoader<string, RegistryRecordRow[]>(this.cache, `registryByUnit@${this.rowScope}`, async (keys) => {
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
  readonly headcountByUnit = versionedLoader<string, number>(this.cache, `headcountByUnit@${this.rowScope}`, async (keys) => {
    const groups = groupBy(keys.map((k) => k.split('|') as [string, string]), ([month]) => month);
    const result = new Map<string, number>();
    for (const [month, parts] of groups) {
      const { first, last } = monthBounds(month);
      const rows = await this.prisma.$queryRaw<{ unit_code: string; n: number }[]>`
        SELECT unit_code, count(DISTINCT id_number)::int AS n FROM registry_record
        WHERE unit_code = ANY(${parts.map((p) => p[1])}::bpchar[]) AND start_date <= ${last}
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
   * Units, quota and real-name headcount of the district per unit category or town, for the month's year:
   * totals only. Three statements (units, quota decisions, headcounts) whatever the district's size.
   */
  async headcountAgainstQuota(district: string, month: string, by: 'CATEGORY' | 'TOWN', filter: RuleUnitFilter | null | undefined): Promise<HeadcountGroupResult[]> {
    checkUnitFilter(filter);
    const units = await this.prisma.unit.findMany({
      where: unitWhere({ ...(townScoped(filter, this.town) as UnitFilterInput), district }),
      select: { code: true, category: true, townCode: true },
    });
    if (units.length === 0) return [];
    const codes = units.map((u) => u.code);
    const [decisions, headcounts] = await Promise.all([
      this.prisma.quotaDecision.findMany({ where: { year: Number(month.slice(0, 4)), unitCode: { in: codes } }, select: { unitCode: true, quota: true } }),
      Promise.all(codes.map((code) => this.headcountByUnit.load(`${month}|${code}`))),
    ]);
    const quotaOf = new Map(decisions.map((d) => [d.unitCode, d.quota]));
    const groups = new Map<string, HeadcountGroupResult>();
    units.forEach((unit, i) => {
      const key = by === 'CATEGORY' ? unit.category : (unit.townCode ?? '');
      let group = groups.get(key);
      if (!group) {
        const town = by === 'TOWN' && unit.townCode ? { code: unit.townCode, name: townName(unit.townCode) ?? unit.townCode } : null;
        group = { category: by === 'CATEGORY' ? unit.category : null, town, units: 0, quota: 0, registeredHeadcount: 0, unitsOverQuota: 0 };
        groups.set(key, group);
      }
      const quota = quotaOf.get(unit.code);
      const headcount = headcounts[i]!;
      group.units++;
      group.quota += quota ?? 0;
      group.registeredHeadcount += headcount;
      if (quota !== undefined && headcount > quota) group.unitsOverQuota++;
    });
    const order = (key: string) => (by === 'CATEGORY' ? String(CATEGORY_ORDER.indexOf(key as UnitRow['category'])) : key || '~');
    return [...groups.entries()].sort(([a], [b]) => (order(a) < order(b) ? -1 : 1)).map(([, g]) => g);
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
      JOIN unnest(${units}::bpchar[], ${ids}::bpchar[]) AS p(unit_code, id_number)
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

  // ---- rows handed to the other bureaus (@requires), for any number of periods in constant statements ----

  /** The district's units (or the scope's one), for the other bureaus' unit filters: keyed by district and scope. */
  readonly unitDirectory = periodRowsLoader<UnitDirectoryRow>(async ({ districts, periods, scopes, scoped }) => {
    const rows = await this.prisma.$queryRaw<{ i: number; code: string; category: string; town: string | null; supervising: string | null; nature: string }[]>`
      SELECT k.i::int AS i, u.code::text AS code, u.category::text AS category, u.town_code::text AS town,
             u.supervising_unit_code::text AS supervising, u.nature::text AS nature
      FROM unnest(${districts}::text[], ${periods}::text[], ${scopes}::text[]) WITH ORDINALITY AS k(district, period, scope, i)
      JOIN unit u ON ${scoped ? Prisma.sql`u.code = k.scope::bpchar AND u.district_code = k.district::bpchar` : Prisma.sql`u.district_code = k.district::bpchar`}
      WHERE (${this.town ?? null}::text IS NULL OR u.town_code = ${this.town ?? null}::bpchar)
      ORDER BY k.i, u.code COLLATE "C"`;
    return rows.map((r) => ({ i: r.i, row: [r.code, r.category, r.town, r.supervising, r.nature] }));
  });

  /** Registry records active in the month (period YYYY-MM); recorded_at judged as a date in UTC+8, where the registry is kept. */
  readonly registryRoster = periodRowsLoader<RegistryRosterRow>(async ({ districts, periods, scopes, scoped }) => {
    const rows = await this.prisma.$queryRaw<Record<string, string | number | null>[]>`
      SELECT k.i::int AS i, r.id::text AS id, r.unit_code::text AS unit, r.id_number::text AS person, r.name, r.employment_form::text AS form,
             r.post_category AS post, to_char(r.start_date, 'YYYY-MM-DD') AS start, to_char(r.end_date, 'YYYY-MM-DD') AS "end",
             to_char(r.recorded_at AT TIME ZONE INTERVAL '+08:00', 'YYYY-MM-DD') AS recorded
      FROM unnest(${districts}::text[], ${periods}::text[], ${scopes}::text[]) WITH ORDINALITY AS k(district, period, scope, i)
      JOIN unit u ON ${scoped ? Prisma.sql`u.code = k.scope::bpchar AND u.district_code = k.district::bpchar` : Prisma.sql`u.district_code = k.district::bpchar`}
      JOIN registry_record r ON r.unit_code = u.code
      WHERE (${this.town ?? null}::text IS NULL OR u.town_code = ${this.town ?? null}::bpchar)
        AND r.start_date <= (to_date(k.period, 'YYYY-MM') + interval '1 month - 1 day')::date
        AND (r.end_date IS NULL OR r.end_date >= to_date(k.period, 'YYYY-MM'))
      ORDER BY k.i, r.id`;
    return rows.map((r) => ({
      i: r.i as number,
      row: [r.id, r.unit, r.person, r.name, r.form, r.post, r.start, r.end ?? null, r.recorded] as RegistryRosterRow,
    }));
  });

  /** Records that can be active on any date from two years before the year (period YYYY) to its end: budget snapshots. */
  readonly registrySpans = periodRowsLoader<RegistrySpanRow>(async ({ districts, periods, scopes, scoped }) => {
    const rows = await this.prisma.$queryRaw<{ i: number; unit: string; person: string; start: string; end: string | null }[]>`
      SELECT k.i::int AS i, r.unit_code::text AS unit, r.id_number::text AS person, to_char(r.start_date, 'YYYY-MM-DD') AS start,
             to_char(r.end_date, 'YYYY-MM-DD') AS "end"
      FROM unnest(${districts}::text[], ${periods}::text[], ${scopes}::text[]) WITH ORDINALITY AS k(district, period, scope, i)
      JOIN unit u ON ${scoped ? Prisma.sql`u.code = k.scope::bpchar AND u.district_code = k.district::bpchar` : Prisma.sql`u.district_code = k.district::bpchar`}
      JOIN registry_record r ON r.unit_code = u.code
      WHERE (${this.town ?? null}::text IS NULL OR u.town_code = ${this.town ?? null}::bpchar)
        AND r.start_date <= make_date(k.period::int, 12, 31)
        AND (r.end_date IS NULL OR r.end_date >= make_date(k.period::int - 2, 1, 1))
      ORDER BY k.i, r.id`;
    return rows.map((r) => ({ i: r.i, row: [r.unit, r.person, r.start, r.end] }));
  });
}
