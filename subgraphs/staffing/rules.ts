// The establishment office's side of the cross-bureau rules (docs/rules.md): the rules whose truth is
// the registry or the quota (1 is in data.ts), and the internal rows it hands the other bureaus.
import type { PrismaClient } from './prisma/generated/client.ts';
import type { RosterRow } from '../../lib/roster.ts';
import {
  checkUnitFilter,
  monthRange,
  type RegistryRosterRow,
  type RegistrySpanRow,
  type ServiceContractRosterRow,
  type UnitDirectoryRow,
  type UnitFilterInput,
} from '../../lib/cross-check.ts';
import { unitWhere, type QuotaDecisionRow, type RegistryRecordRow, type UnitRow } from './data.ts';

export type GhostRecordResult = { unit: UnitRow; person: { idNumber: string }; record: RegistryRecordRow };
export type OverQuotaResult = {
  unit: UnitRow;
  quota: QuotaDecisionRow;
  registeredHeadcount: number;
  hrHeadcount: number;
  registeredExcess: number;
  hrExcess: number;
};
export type UnrecoveredOutsourcingResult = { unit: UnitRow; contract: { number: string }; function: string; workers: number };
export type QuotaRaiseResult = { unit: UnitRow; decision: QuotaDecisionRow; priorQuota: number; rise: number };

/** Forms whose pay and contract lie elsewhere (借调, 购买服务): not judged as ghost records. */
const PAID_ELSEWHERE = ['SECONDED', 'PURCHASED_SERVICE'];

export class StaffingRules {
  constructor(private readonly prisma: PrismaClient) {}

  /** The district's units passing the filter, by code: one statement. */
  async units(district: string, filter: UnitFilterInput | null | undefined): Promise<Map<string, UnitRow>> {
    checkUnitFilter(filter);
    const rows = await this.prisma.unit.findMany({
      where: unitWhere({ ...(filter as object), district }),
    });
    return new Map(rows.map((u) => [u.code, u]));
  }

  /** Question 2: active records with no HR evidence and no pay at their unit. */
  async ghostRecords(district: string, month: string, rosters: readonly RosterRow[], filter: UnitFilterInput | null | undefined) {
    const units = await this.units(district, filter);
    if (units.size === 0) return [];
    const { first, last } = monthRange(month);
    const seen = new Set(rosters.map(([unit, id]) => `${unit}|${id}`));
    const records = await this.prisma.registryRecord.findMany({
      where: {
        unitCode: { in: [...units.keys()] },
        employmentForm: { notIn: PAID_ELSEWHERE as RegistryRecordRow['employmentForm'][] },
        startDate: { lte: new Date(`${last}T00:00:00Z`) },
        OR: [{ endDate: null }, { endDate: { gte: new Date(`${first}T00:00:00Z`) } }],
      },
    });
    return records
      .filter((r) => !seen.has(`${r.unitCode}|${r.idNumber}`))
      .map((r): GhostRecordResult => ({ unit: units.get(r.unitCode)!, person: { idNumber: r.idNumber }, record: r }));
  }

  /** Question 3: registered or HR headcount above the year's quota. */
  async overQuota(district: string, month: string, hrHeadcounts: ReadonlyMap<string, number>, filter: UnitFilterInput | null | undefined) {
    const units = await this.units(district, filter);
    if (units.size === 0) return [];
    const { first, last, year } = monthRange(month);
    const codes = [...units.keys()];
    const [decisions, registered] = await Promise.all([
      this.prisma.quotaDecision.findMany({ where: { year, unitCode: { in: codes } } }),
      this.prisma.$queryRaw<{ unit: string; n: number }[]>`
        SELECT unit_code::text AS unit, count(DISTINCT id_number)::int AS n FROM registry_record
        WHERE unit_code = ANY(${codes}::bpchar[]) AND start_date <= ${last}::date AND (end_date IS NULL OR end_date >= ${first}::date)
        GROUP BY unit_code`,
    ]);
    const registeredBy = new Map(registered.map((r) => [r.unit, r.n]));
    const out: OverQuotaResult[] = [];
    for (const d of decisions) {
      const registeredHeadcount = registeredBy.get(d.unitCode) ?? 0;
      const hrHeadcount = hrHeadcounts.get(d.unitCode) ?? 0;
      if (registeredHeadcount <= d.quota && hrHeadcount <= d.quota) continue;
      out.push({
        unit: units.get(d.unitCode)!,
        quota: d,
        registeredHeadcount,
        hrHeadcount,
        registeredExcess: registeredHeadcount - d.quota,
        hrExcess: hrHeadcount - d.quota,
      });
    }
    return out;
  }

  /** Question 6 (second half): contracts in force with no quota recovery naming them. */
  async unrecoveredOutsourcing(district: string, contracts: readonly ServiceContractRosterRow[], filter: UnitFilterInput | null | undefined) {
    const units = await this.units(district, filter);
    const inScope = contracts.filter(([, unit]) => units.has(unit));
    if (inScope.length === 0) return [];
    const recovered = await this.prisma.quotaRecovery.findMany({
      where: { contractNumber: { in: inScope.map(([n]) => n) } },
      select: { unitCode: true, contractNumber: true },
    });
    const done = new Set(recovered.map((r) => `${r.unitCode}|${r.contractNumber}`));
    return inScope
      .filter(([number, unit]) => !done.has(`${unit}|${number}`))
      .map(([number, unit, fn, , , workers]): UnrecoveredOutsourcingResult => ({ unit: units.get(unit)!, contract: { number }, function: fn, workers }));
  }

  /** Question 5: the year's quota above the prior one without an approved exception. */
  async quotaRaised(district: string, year: number, filter: UnitFilterInput | null | undefined) {
    const units = await this.units(district, filter);
    if (units.size === 0) return [];
    const decisions = await this.prisma.quotaDecision.findMany({ where: { year: { in: [year, year - 1] }, unitCode: { in: [...units.keys()] } } });
    const prior = new Map(decisions.filter((d) => d.year === year - 1).map((d) => [d.unitCode, d.quota]));
    const out: QuotaRaiseResult[] = [];
    for (const d of decisions) {
      if (d.year !== year || d.exceptionApproved) continue;
      const before = prior.get(d.unitCode) ?? d.previousQuota;
      if (before === null || d.quota <= before) continue;
      out.push({ unit: units.get(d.unitCode)!, decision: d, priorQuota: before, rise: d.quota - before });
    }
    return out;
  }
}
