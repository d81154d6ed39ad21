// The HR bureau's side of the cross-bureau rules (docs/rules.md): the rules whose truth is a contract,
// a rehire agreement or a recruitment, judged against the registry rows the establishment office sends.
import type { PrismaClient } from './prisma/generated/client.ts';
import { birthDateOf } from '../../lib/ids.ts';
import {
  daysBetween,
  monthRange,
  unitsMatching,
  type PayStandardTableRow,
  type RegistryRosterRow,
  type UnitDirectoryRow,
  type UnitFilterInput,
} from '../../lib/cross-check.ts';
import type { RehireAgreementRow } from './data.ts';

type Stub<K extends string> = Record<K, string>;
export type MissingAgreementResult = { unit: Stub<'code'>; person: Stub<'idNumber'>; name: string; record: Stub<'id'>; employmentForm: string };
export type RetireeOverAgeResult = {
  unit: Stub<'code'>;
  person: Stub<'idNumber'>;
  name: string;
  age: number;
  birthDate: string;
  rehireAgreement: RehireAgreementRow | null;
};
export type HiredWithoutRecruitmentResult = MissingAgreementResult & { startDate: string };
export type RegistryLateResult = {
  unit: Stub<'code'>;
  person: Stub<'idNumber'>;
  name: string;
  record: Stub<'id'>;
  kind: 'START' | 'END';
  hrDate: string;
  registryDate: string;
  daysLate: number;
  agreementId: string;
};

/** Forms that need a labour contract or dispatch agreement; rehired retirees need a rehire agreement. */
const CONTRACT_FORMS = new Set(['LABOUR_CONTRACT', 'DISPATCH', 'TEMPORARY', 'NO_PAPERWORK']);
const RECRUITED_FORMS = new Set(['LABOUR_CONTRACT', 'DISPATCH']);
const LATE_AFTER_DAYS = 30;

/** An agreement's span: kind C (contract or dispatch) or R (rehire); end is the effective end or null. */
type Agreement = { kind: 'C' | 'R'; id: string; unit: string; person: string; start: string; end: string | null };

/** Completed years on a date. */
function ageOn(birth: string, date: string): number {
  return Number(date.slice(0, 4)) - Number(birth.slice(0, 4)) - (date.slice(5) < birth.slice(5) ? 1 : 0);
}

const pairKey = (unit: string, person: string) => `${unit}|${person}`;

export class HrRules {
  constructor(private readonly prisma: PrismaClient) {}

  /** Every contract, dispatch and rehire agreement of the given (unit, person) pairs: one statement. */
  private async agreementsOf(records: readonly RegistryRosterRow[], inForceIn?: string): Promise<Agreement[]> {
    if (records.length === 0) return [];
    const pairs = new Map<string, [string, string]>();
    for (const r of records) pairs.set(pairKey(r[1], r[2]), [r[1], r[2]]);
    const units = [...pairs.values()].map((p) => p[0]);
    const people = [...pairs.values()].map((p) => p[1]);
    const { first, last } = inForceIn ? monthRange(inForceIn) : { first: '0001-01-01', last: '9999-12-31' };
    const rows = await this.prisma.$queryRaw<{ kind: 'C' | 'R'; id: string; unit: string; person: string; start: string; end: string | null }[]>`
      SELECT a.kind, a.id, a.unit::text AS unit, a.person::text AS person, to_char(a.start, 'YYYY-MM-DD') AS start, to_char(a."end", 'YYYY-MM-DD') AS "end"
      FROM (
        SELECT 'C' AS kind, c.id, c.unit_code AS unit, c.id_number AS person, c.start_date AS start,
               coalesce(c.terminated_on, c.end_date) AS "end"
        FROM employment_contract c
        UNION ALL
        SELECT 'R', r.id, r.unit_code, r.id_number, r.start_date, r.end_date FROM rehire_agreement r
      ) a
      -- char(18) on both sides, so that the ID-number indexes serve the join (a text cast would scan).
      JOIN unnest(${units}::bpchar[], ${people}::bpchar[]) AS p(unit, person) ON a.unit = p.unit AND a.person = p.person
      WHERE a.start <= ${last}::date AND (a."end" IS NULL OR a."end" >= ${first}::date)`;
    return rows.map((r) => ({ ...r, end: r.end ?? null }));
  }

  private inScope(directory: readonly UnitDirectoryRow[], roster: readonly RegistryRosterRow[], filter: UnitFilterInput | null | undefined) {
    const units = unitsMatching(directory, filter);
    return roster.filter((r) => units.has(r[1]));
  }

  /** Question 7: registered people without the agreement their employment form needs. */
  async missingAgreements(month: string, directory: readonly UnitDirectoryRow[], roster: readonly RegistryRosterRow[], filter: UnitFilterInput | null | undefined) {
    const records = this.inScope(directory, roster, filter).filter((r) => CONTRACT_FORMS.has(r[4]) || r[4] === 'REHIRED_RETIREE');
    const have = new Set((await this.agreementsOf(records, month)).map((a) => `${a.kind}|${pairKey(a.unit, a.person)}`));
    return records
      .filter(([, unit, person, , form]) => !have.has(`${form === 'REHIRED_RETIREE' ? 'R' : 'C'}|${pairKey(unit, person)}`))
      .map(([id, unit, person, name, form]): MissingAgreementResult => ({
        unit: { code: unit },
        person: { idNumber: person },
        name,
        record: { id },
        employmentForm: form,
      }));
  }

  /** Question 7: rehired retirees older than the limit on the month's last day. */
  async retireesOverAgeLimit(
    month: string,
    ageLimit: number,
    directory: readonly UnitDirectoryRow[],
    roster: readonly RegistryRosterRow[],
    filter: UnitFilterInput | null | undefined,
  ) {
    const units = unitsMatching(directory, filter);
    const { first, last } = monthRange(month);
    const agreements = units.size === 0 ? [] : await this.prisma.rehireAgreement.findMany({
      where: {
        unitCode: { in: [...units.keys()] },
        startDate: { lte: new Date(`${last}T00:00:00Z`) },
        OR: [{ endDate: null }, { endDate: { gte: new Date(`${first}T00:00:00Z`) } }],
      },
      orderBy: [{ startDate: 'desc' }, { id: 'desc' }],
    });
    const byPair = new Map<string, { unit: string; person: string; name: string; agreement: RehireAgreementRow | null }>();
    for (const a of agreements) {
      const key = pairKey(a.unitCode, a.idNumber);
      if (!byPair.has(key)) byPair.set(key, { unit: a.unitCode, person: a.idNumber, name: a.name, agreement: a });
    }
    for (const [, unit, person, name, form] of roster) {
      if (form !== 'REHIRED_RETIREE' || !units.has(unit)) continue;
      const key = pairKey(unit, person);
      if (!byPair.has(key)) byPair.set(key, { unit, person, name, agreement: null });
    }
    const out: RetireeOverAgeResult[] = [];
    for (const { unit, person, name, agreement } of byPair.values()) {
      const birthDate = birthDateOf(person);
      const age = ageOn(birthDate, last);
      if (age <= ageLimit) continue;
      out.push({ unit: { code: unit }, person: { idNumber: person }, name, age, birthDate, rehireAgreement: agreement });
    }
    return out;
  }

  /** Question 8: contract and dispatch staff registered this year with no public-recruitment hire at the unit. */
  async hiredWithoutRecruitment(month: string, directory: readonly UnitDirectoryRow[], roster: readonly RegistryRosterRow[], filter: UnitFilterInput | null | undefined) {
    const { last, year } = monthRange(month);
    const records = this.inScope(directory, roster, filter).filter((r) => RECRUITED_FORMS.has(r[4]) && r[6] >= `${year}-01-01` && r[6] <= last);
    if (records.length === 0) return [];
    const rows = await this.prisma.$queryRaw<{ unit: string; person: string }[]>`
      SELECT DISTINCT rc.unit_code::text AS unit, h.id_number::text AS person
      FROM recruitment_hire h JOIN recruitment rc ON rc.id = h.recruitment_id
      JOIN unnest(${records.map((r) => r[1])}::bpchar[], ${records.map((r) => r[2])}::bpchar[]) AS p(unit, person)
        ON rc.unit_code = p.unit AND h.id_number = p.person`;
    const hired = new Set(rows.map((r) => pairKey(r.unit, r.person)));
    return records
      .filter(([, unit, person]) => !hired.has(pairKey(unit, person)))
      .map(([id, unit, person, name, form, , start]): HiredWithoutRecruitmentResult => ({
        unit: { code: unit },
        person: { idNumber: person },
        name,
        record: { id },
        employmentForm: form,
        startDate: start,
      }));
  }

  /** Question 9: registry entered, or left open, more than 30 days after HR's dates. */
  async registryLate(month: string, directory: readonly UnitDirectoryRow[], roster: readonly RegistryRosterRow[], filter: UnitFilterInput | null | undefined) {
    const { last } = monthRange(month);
    const records = this.inScope(directory, roster, filter);
    const byPair = new Map<string, Agreement[]>();
    for (const a of await this.agreementsOf(records)) {
      const key = pairKey(a.unit, a.person);
      const list = byPair.get(key);
      if (list) list.push(a);
      else byPair.set(key, [a]);
    }
    const out: RegistryLateResult[] = [];
    for (const [id, unit, person, name, , , start, end, recorded] of records) {
      const overlapping = (byPair.get(pairKey(unit, person)) ?? []).filter(
        (a) => a.start <= (end ?? '9999-12-31') && (a.end ?? '9999-12-31') >= start,
      );
      if (overlapping.length === 0) continue;
      const base = { unit: { code: unit }, person: { idNumber: person }, name, record: { id } };
      const earliest = overlapping.reduce((m, a) => (a.start < m.start || (a.start === m.start && a.id < m.id) ? a : m));
      const startLag = daysBetween(earliest.start, recorded);
      if (startLag > LATE_AFTER_DAYS) {
        out.push({ ...base, kind: 'START', hrDate: earliest.start, registryDate: recorded, daysLate: startLag, agreementId: earliest.id });
      }
      if (overlapping.every((a) => a.end !== null)) {
        const latest = overlapping.reduce((m, a) => (a.end! > m.end! || (a.end === m.end && a.id > m.id) ? a : m));
        const registryEnd = end ?? last;
        const endLag = daysBetween(latest.end!, registryEnd);
        if (latest.end! < last && endLag > LATE_AFTER_DAYS) {
          out.push({ ...base, kind: 'END', hrDate: latest.end!, registryDate: registryEnd, daysLate: endLag, agreementId: latest.id });
        }
      }
    }
    return out;
  }
}
