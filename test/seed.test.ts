// The demo-data generator: deterministic, valid identifiers, the scale asked for, and a manifest
// whose unreported-staff answer matches the rule recomputed here straight from the generated rows.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generate, type BureauRows, type GeneratedData } from '../scripts/seed/generate.ts';
import { expectedAnswers, type RuleAnswers } from '../scripts/seed/expected.ts';
import { BUREAU_NAMES, TABLE_COLUMNS, type BureauName } from '../scripts/seed/tables.ts';
import { load } from '../scripts/seed/load.ts';
import { freshDatabase, type TestDatabase } from './support/databases.ts';
import { birthDateOf, creditCodeDivision, isValidCreditCode, isValidIdNumber, makeCreditCode, makeIdNumber } from '../lib/ids.ts';
import { TOWNS } from '../lib/divisions.ts';
import type { SubgraphName } from '../lib/subgraph.ts';

const BUREAUS: readonly SubgraphName[] = ['staffing', 'finance', 'hr', 'audit'];
type Obj = Record<string, any>;

let data: GeneratedData;

beforeAll(() => {
  data = generate({ seed: 42 });
});

/** A table's rows as objects keyed by column. */
function rowsOf(d: GeneratedData, bureau: SubgraphName, table: string): Obj[] {
  const t = d[bureau][table];
  if (!t) throw new Error(`no table ${bureau}.${table}`);
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]])));
}

function allRows(d: GeneratedData): { bureau: SubgraphName; table: string; row: Obj }[] {
  return BUREAUS.flatMap((b) => Object.keys(d[b]).flatMap((t) => rowsOf(d, b, t).map((row) => ({ bureau: b, table: t, row }))));
}

const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The flagship rule, written from its definition and nothing in the generator. */
function unreportedStaff(d: GeneratedData, month: string, district: string) {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const first = `${month}-01`;
  const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
  const active = (start: string, end: string | null) => start <= last && (end === null || end >= first);
  const pairs = new Map<string, { unit: string; idNumber: string; name: string; evidence: { bureau: string; kind: string; reference: string }[] }>();
  const add = (unit: string, idNumber: string, name: string, bureau: string, kind: string, reference: string) => {
    if (unit.slice(2, 8) !== district) return;
    const key = `${unit}|${idNumber}`;
    if (!pairs.has(key)) pairs.set(key, { unit, idNumber, name, evidence: [] });
    pairs.get(key)!.evidence.push({ bureau, kind, reference });
  };
  for (const c of rowsOf(d, 'hr', 'employment_contract')) {
    if (active(c.start_date, c.terminated_on ?? c.end_date)) {
      add(c.unit_code, c.id_number, c.name, 'HR', c.kind === 'DISPATCH' ? 'DISPATCH_AGREEMENT' : 'LABOUR_CONTRACT', c.id);
    }
  }
  for (const r of rowsOf(d, 'hr', 'rehire_agreement')) {
    if (active(r.start_date, r.end_date)) add(r.unit_code, r.id_number, r.name, 'HR', 'REHIRE_AGREEMENT', r.id);
  }
  for (const i of rowsOf(d, 'hr', 'insurance_enrolment')) {
    if (i.start_month <= month && (i.end_month === null || i.end_month >= month)) {
      add(i.unit_code, i.id_number, i.name, 'HR', 'SOCIAL_INSURANCE', String(i.id));
    }
  }
  for (const p of rowsOf(d, 'finance', 'payroll_line')) {
    if (p.month === month) add(p.unit_code, p.id_number, p.name, 'FINANCE', 'PAYROLL', String(p.id));
  }
  for (const r of rowsOf(d, 'staffing', 'registry_record')) {
    if (active(r.start_date, r.end_date)) pairs.delete(`${r.unit_code}|${r.id_number}`);
  }
  const byUnit = new Map<string, typeof pairs extends Map<string, infer V> ? V[] : never>();
  for (const p of pairs.values()) byUnit.set(p.unit, [...(byUnit.get(p.unit) ?? []), p]);
  return [...byUnit.keys()].sort(order).map((code) => ({
    code,
    people: byUnit
      .get(code)!
      .sort((a, b) => order(a.idNumber, b.idNumber))
      .map((p) => ({
        idNumber: p.idNumber,
        name: p.name,
        evidence: p.evidence.sort((a, b) => order(a.bureau + a.kind + a.reference, b.bureau + b.kind + b.reference)),
      })),
  }));
}

describe('generate', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const again = generate({ seed: 42 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(data));
    expect(again).toEqual(data);
    const other = generate({ seed: 43 });
    expect(JSON.stringify(other.staffing)).not.toBe(JSON.stringify(data.staffing));
    expect(other.manifest.unreportedStaff).not.toEqual(data.manifest.unreportedStaff);
  });

  it('has the scale asked for: at least 200 units in all four categories and 3000 people', () => {
    const units = rowsOf(data, 'staffing', 'unit');
    expect(units.length).toBeGreaterThanOrEqual(200);
    const byCategory = new Map<string, number>();
    for (const u of units) byCategory.set(u.category, (byCategory.get(u.category) ?? 0) + 1);
    for (const c of ['DISTRICT_ORGAN', 'FUNDED_INSTITUTION', 'EDUCATION', 'TOWN_SUBDISTRICT']) {
      expect(byCategory.get(c) ?? 0).toBeGreaterThanOrEqual(20);
    }
    expect(new Set(units.map((u) => u.name)).size).toBe(units.length);
    const registered = new Set(rowsOf(data, 'staffing', 'registry_record').map((r) => r.id_number));
    expect(registered.size).toBeGreaterThanOrEqual(3000);
    expect(data.manifest.counts.people).toBeGreaterThanOrEqual(3000);
  });

  it('gives every person a valid, unique ID number with one name and a birth year from 1952 (rehired retirees past the age limit) to 2004', () => {
    const names = new Map<string, string>();
    const bad: string[] = [];
    for (const { table, row } of allRows(data)) {
      if (!('id_number' in row) || row.id_number === null) continue;
      const id = row.id_number as string;
      const birthYear = Number(birthDateOf(id).slice(0, 4));
      if (!isValidIdNumber(id) || birthYear < 1952 || birthYear > 2004) bad.push(`${table}: ${id}`);
      if ('name' in row) {
        // One ID number, one person: the same name in every bureau.
        if ((names.get(id) ?? row.name) !== row.name) bad.push(`${table}: ${id} named ${row.name} and ${names.get(id)}`);
        names.set(id, row.name);
      }
    }
    expect(bad).toEqual([]);
    expect(names.size).toBe(data.manifest.counts.people);
  });

  it('gives every unit a valid, unique credit code matching its nature, and valid town codes', () => {
    const units = rowsOf(data, 'staffing', 'unit');
    const codes = new Set(units.map((u) => u.code));
    expect(codes.size).toBe(units.length);
    const kindOf = { ORGAN: '1', PUBLIC_INSTITUTION: '2', MASS_ORGANIZATION: '3' } as Record<string, string>;
    for (const u of units) {
      expect(isValidCreditCode(u.code)).toBe(true);
      expect(creditCodeDivision(u.code)).toBe('330109');
      expect(u.code[1]).toBe(kindOf[u.nature]);
      if (u.town_code !== null) expect(TOWNS[u.town_code]).toBeDefined();
      if (u.category === 'TOWN_SUBDISTRICT' || u.category === 'EDUCATION') expect(u.town_code).not.toBeNull();
      if (u.supervising_unit_code !== null) expect(codes.has(u.supervising_unit_code)).toBe(true);
    }
    expect(units.some((u) => u.nature === 'MASS_ORGANIZATION')).toBe(true);
    const others = new Set(data.manifest.otherDistrictUnits);
    const bad: string[] = [];
    for (const { table, row } of allRows(data)) {
      for (const col of ['unit_code', 'supplier_code']) {
        if (!(col in row)) continue;
        if (!isValidCreditCode(row[col])) bad.push(`${table}.${col}: ${row[col]}`);
        if (col === 'unit_code' && !codes.has(row[col]) && !others.has(row[col])) bad.push(`${table}: unknown unit ${row[col]}`);
      }
    }
    expect(bad).toEqual([]);
    for (const code of others) expect(creditCodeDivision(code)).not.toBe('330109');
  });

  it('has a manifest answer equal to the rule recomputed from the rows, with at least 20 units', () => {
    const { month, district } = data.manifest;
    const recomputed = unreportedStaff(data, month, district);
    const manifest = data.manifest.unreportedStaff.units.map(({ code, people }) => ({ code, people }));
    expect(recomputed).toEqual(manifest);
    expect(recomputed.length).toBeGreaterThanOrEqual(20);
    const units = new Map(rowsOf(data, 'staffing', 'unit').map((u) => [u.code, u]));
    for (const u of data.manifest.unreportedStaff.units) expect(units.get(u.code)?.name).toBe(u.name);
    // Spread over every category.
    expect(new Set(data.manifest.unreportedStaff.units.map((u) => units.get(u.code)!.category)).size).toBe(4);
  });

  it('lists each answer unit’s OPEN and ROUTED leads, newest first then id descending', () => {
    const leads = rowsOf(data, 'audit', 'issue_lead');
    let withLeads = 0;
    for (const u of data.manifest.unreportedStaff.units) {
      const open = leads
        .filter((l) => l.unit_code === u.code && (l.status === 'OPEN' || l.status === 'ROUTED'))
        .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id)
        .map((l) => String(l.id));
      expect(u.openLeadIds).toEqual(open);
      if (open.length > 0) withLeads++;
      for (const l of leads.filter((x) => x.unit_code === u.code && x.status === 'ROUTED')) expect(l.routed_to).not.toBeNull();
    }
    expect(withLeads).toBeGreaterThan(0);
    expect(withLeads).toBeLessThan(data.manifest.unreportedStaff.units.length);
    expect(new Set(leads.map((l) => l.status))).toEqual(new Set(['OPEN', 'ROUTED', 'CLOSED', 'RESOLVED_BY_DATA']));
  });

  it('plants every anomaly kind and keeps every negative control out of the answer', () => {
    const answer = new Set(data.manifest.unreportedStaff.units.flatMap((u) => u.people.map((p) => `${u.code}|${p.idNumber}`)));
    expect(new Set(data.manifest.planted.map((p) => p.kind)).size).toBe(6);
    for (const p of data.manifest.planted) expect(answer.has(`${p.unitCode}|${p.idNumber}`)).toBe(true);
    expect(new Set(data.manifest.negativeControls.map((c) => c.kind)).size).toBe(6);
    const present = new Set(allRows(data).map(({ row }) => `${row.unit_code}|${row.id_number}`));
    for (const c of data.manifest.negativeControls) {
      expect(answer.has(`${c.unitCode}|${c.idNumber}`)).toBe(false);
      // The look-alike really is in the data, at that unit.
      expect(present.has(`${c.unitCode}|${c.idNumber}`)).toBe(true);
    }
    const answerUnits = new Set(data.manifest.unreportedStaff.units.map((u) => u.code));
    for (const code of data.manifest.otherDistrictUnits) expect(answerUnits.has(code)).toBe(false);
    // The other-district rows would be answers if the district were ignored.
    const ignoringDistrict = unreportedStaff(data, data.manifest.month, '330110');
    expect(ignoringDistrict.length).toBeGreaterThan(0);
  });

  it('handles other sizes and months', () => {
    const small = generate({ seed: 5, units: 30, people: 200, month: '2026-03', plantedUnits: 6 });
    expect(small.manifest.unreportedStaff.units).toHaveLength(6);
    const recomputed = unreportedStaff(small, '2026-03', '330109');
    expect(recomputed).toEqual(small.manifest.unreportedStaff.units.map(({ code, people }) => ({ code, people })));
  });
});

describe('load', () => {
  const tdbs = {} as Record<SubgraphName, TestDatabase>;

  afterAll(async () => {
    await Promise.all(Object.values(tdbs).map((t) => t.drop()));
  });

  it('inserts every table and moves the sequences past the ids', async () => {
    await Promise.all(BUREAUS.map(async (b) => (tdbs[b] = await freshDatabase(b))));
    const dbs = Object.fromEntries(BUREAUS.map((b) => [b, tdbs[b].db])) as Record<SubgraphName, TestDatabase['db']>;
    await load(data, dbs);
    for (const b of BUREAUS) {
      for (const [table, count] of Object.entries(data.manifest.counts.tables[b])) {
        const [row] = await dbs[b].query<{ n: string | number }>(`SELECT count(*) AS n FROM "${table}"`);
        expect({ table, n: Number(row!.n) }).toEqual({ table, n: count });
      }
    }
    const [seq] = await dbs.audit.query<{ next: string | number; max: string | number }>(
      `SELECT nextval(pg_get_serial_sequence('"issue_lead"', 'id')) AS next, (SELECT max(id) FROM issue_lead) AS max`,
    );
    expect(Number(seq!.next)).toBe(Number(seq!.max) + 1);
    const [arrays] = await dbs.audit.query<{ n: string | number }>(`SELECT count(*) AS n FROM issue_lead WHERE 'HR' = ANY(evidence_bureaus)`);
    expect(Number(arrays!.n)).toBeGreaterThan(0);
  });
});

// ---- the manifest oracle (scripts/seed/expected.ts) ----------------------------------------------

type Bureaus = Record<BureauName, BureauRows>;

/** Every table of every bureau, empty. */
function emptyBureaus(): Bureaus {
  const out = {} as Bureaus;
  for (const b of BUREAU_NAMES) {
    out[b] = Object.fromEntries(Object.entries(TABLE_COLUMNS[b]).map(([t, columns]) => [t, { columns: [...columns], rows: [] as unknown[][] }]));
  }
  return out;
}

/** Appends a row given as an object; columns left out are null. */
function put(d: Bureaus, bureau: BureauName, table: string, row: Obj): void {
  const t = d[bureau][table]!;
  for (const c of Object.keys(row)) if (!t.columns.includes(c)) throw new Error(`${table} has no column ${c}`);
  t.rows.push(t.columns.map((c) => row[c] ?? null));
}

// Month 2026-10: F = 2026-10-01, L = 2026-10-31, Y = 2026.
const MONTH = '2026-10';
const U1 = makeCreditCode('1', '330109', '00000001A');
const U2 = makeCreditCode('2', '330109', '00000002A');
const U3 = makeCreditCode('2', '330109', '00000003A');
/** A unit of 余杭 (330110): in HR and finance data only. */
const X = makeCreditCode('2', '330110', '00000009A');
const person = (n: number, birth = '19900101') => makeIdNumber('330109', birth, n * 2 + 1);
const P = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => person(n));

/** Three units of 萧山 (U1 an organ, U2 a school, U3 an institution); X is unknown to staffing. */
function world(): Bureaus {
  const d = emptyBureaus();
  const unit = (code: string, category: string) =>
    put(d, 'staffing', 'unit', { code, name: code, nature: 'ORGAN', category, funding_form: 'FULL', district_code: '330109', establishment_size: 10, establishment_actual: 10 });
  unit(U1, 'DISTRICT_ORGAN');
  unit(U2, 'EDUCATION');
  unit(U3, 'FUNDED_INSTITUTION');
  return d;
}

let recordSeq = 0;
function record(d: Bureaus, unit: string, idNumber: string, form: string, start: string, options: { end?: string | null; recorded?: string; post?: string; id?: number } = {}): string {
  const id = options.id ?? ++recordSeq;
  put(d, 'staffing', 'registry_record', {
    id,
    unit_code: unit,
    id_number: idNumber,
    name: '张三',
    post: '综合岗',
    post_category: options.post ?? '辅助管理',
    employment_form: form,
    start_date: start,
    end_date: options.end ?? null,
    change_reason: 'IN_SERVICE',
    recorded_at: options.recorded ?? `${start}T09:00:00.000+08:00`,
  });
  return String(id);
}
function contract(d: Bureaus, id: string, unit: string, idNumber: string, start: string, end: string | null, terminatedOn: string | null = null, kind = 'LABOUR_CONTRACT'): void {
  put(d, 'hr', 'employment_contract', { id, id_number: idNumber, name: '张三', unit_code: unit, kind, start_date: start, end_date: end, signed_on: start, terminated_on: terminatedOn });
}
function rehire(d: Bureaus, id: string, unit: string, idNumber: string, start: string, end: string | null): void {
  put(d, 'hr', 'rehire_agreement', { id, id_number: idNumber, name: '张三', unit_code: unit, retired_on: '2020-01-01', start_date: start, end_date: end });
}
function insurance(d: Bureaus, id: number, unit: string, idNumber: string, startMonth: string, endMonth: string | null = null): void {
  put(d, 'hr', 'insurance_enrolment', { id, id_number: idNumber, name: '张三', unit_code: unit, start_month: startMonth, end_month: endMonth });
}
function payroll(d: Bureaus, id: number, unit: string, idNumber: string, month: string, grossPay = '5000.00'): void {
  put(d, 'finance', 'payroll_line', { id, unit_code: unit, id_number: idNumber, name: '张三', month, gross_pay: grossPay, funding_source: 'BUDGET' });
}
const answers = (d: Bureaus, ageLimit?: number): RuleAnswers => expectedAnswers(d, { month: MONTH, ...(ageLimit === undefined ? {} : { ageLimit }) });

describe('expected answers (manifest oracle)', () => {
  const LISTS = [
    'unreportedStaff',
    'ghostRecords',
    'overQuota',
    'budgetLinkage',
    'quotaRaised',
    'disguisedOutsourcing',
    'unrecoveredOutsourcing',
    'missingAgreements',
    'retireesOverAgeLimit',
    'hiredWithoutRecruitment',
    'payAboveStandard',
    'registryLate',
    'overdueRectifications',
    'registrySuspensions',
  ] as const;

  it('finishes on seed 42 without printing, and finds something for every rule at the default rates', () => {
    const calls: unknown[] = [];
    const saved = { log: console.log, info: console.info, warn: console.warn, error: console.error, debug: console.debug };
    for (const k of Object.keys(saved) as (keyof typeof saved)[]) console[k] = (...args: unknown[]) => void calls.push(args);
    let a: RuleAnswers;
    try {
      a = expectedAnswers(data, { month: '2026-10' });
    } finally {
      Object.assign(console, saved);
    }
    expect(calls).toEqual([]);
    expect({ district: a.district, month: a.month, year: a.year, ageLimit: a.ageLimit }).toEqual({ district: '330109', month: '2026-10', year: 2026, ageLimit: 65 });
    for (const list of LISTS) expect({ list, empty: a[list].length === 0 }).toEqual({ list, empty: false });
  });

  it('agrees on rule 1 with the manifest the generator computed from what it planted', () => {
    const byKindRef = (a: { kind: string; reference: string }, b: { kind: string; reference: string }) => order(a.kind + a.reference, b.kind + b.reference);
    const fromOracle = expectedAnswers(data, { month: data.manifest.month }).unreportedStaff.map((u) => ({
      unitCode: u.unitCode,
      people: u.people.map((p) => ({ idNumber: p.idNumber, evidence: p.evidence.map(({ kind, reference }) => ({ kind, reference })).sort(byKindRef) })),
    }));
    const fromPlanting = data.manifest.unreportedStaff.units.map((u) => ({
      unitCode: u.code,
      people: [...u.people]
        .sort((a, b) => order(a.idNumber, b.idNumber))
        .map((p) => ({ idNumber: p.idNumber, evidence: p.evidence.map(({ kind, reference }) => ({ kind, reference })).sort(byKindRef) })),
    }));
    expect(fromOracle).toEqual(fromPlanting);
    expect(fromOracle.length).toBeGreaterThanOrEqual(20);
  });

  it('sorts every list by unit code, then ID number or contract number, then id', () => {
    const a = expectedAnswers(data, { month: '2026-10' });
    for (const list of LISTS) {
      const keys = (a[list] as Obj[]).map((h) => `${h.unitCode}|${h.idNumber ?? ''}|${h.contractNumber ?? ''}|${String(Number(h.recordId ?? h.payrollLineId ?? h.rectificationId ?? h.budgetId ?? h.decisionId ?? 0)).padStart(12, '0')}|${h.kind === 'END' ? 1 : 0}`);
      expect({ list, keys }).toEqual({ list, keys: [...keys].sort(order) });
    }
  });

  it('1 UNREPORTED_STAFF: HR evidence or pay at a D-unit without an active record there', () => {
    const d = world();
    contract(d, 'HT-1', U1, P[1]!, '2026-01-01', null); // the hit
    payroll(d, 11, U1, P[1]!, MONTH);
    insurance(d, 12, U1, P[1]!, '2026-01', '2026-09'); // ended before M: not evidence
    contract(d, 'HT-2', U1, P[2]!, '2026-01-01', null); // registered there
    record(d, U1, P[2]!, 'LABOUR_CONTRACT', '2026-01-01');
    contract(d, 'HT-3', X, P[3]!, '2026-01-01', null); // another district
    payroll(d, 13, U1, P[4]!, '2026-09'); // paid in another month
    contract(d, 'HT-5', U1, P[5]!, '2025-01-01', null, '2026-09-30'); // terminated before F
    contract(d, 'PQ-6', U2, P[6]!, '2026-10-31', '2027-04-30', null, 'DISPATCH'); // starts on L: a hit
    record(d, U2, P[6]!, 'DISPATCH', '2025-01-01', { end: '2026-09-30' }); // ended before F
    expect(answers(d).unreportedStaff).toEqual([
      { unitCode: U1, people: [{ idNumber: P[1], evidence: [{ kind: 'LABOUR_CONTRACT', reference: 'HT-1' }, { kind: 'PAYROLL', reference: '11' }] }] },
      { unitCode: U2, people: [{ idNumber: P[6], evidence: [{ kind: 'DISPATCH_AGREEMENT', reference: 'PQ-6' }] }] },
    ]);
  });

  it('2 GHOST_RECORD: an active record with no contract, insurance or pay, not seconded or purchased', () => {
    const d = world();
    const ghost = record(d, U1, P[1]!, 'LABOUR_CONTRACT', '2025-01-01');
    record(d, U1, P[2]!, 'SECONDED', '2025-01-01');
    record(d, U1, P[3]!, 'PURCHASED_SERVICE', '2025-01-01');
    record(d, U1, P[4]!, 'DISPATCH', '2025-01-01');
    insurance(d, 1, U1, P[4]!, '2025-01');
    record(d, U1, P[5]!, 'LABOUR_CONTRACT', '2025-01-01', { end: '2026-09-30' });
    record(d, U2, P[6]!, 'TEMPORARY', '2025-01-01');
    payroll(d, 1, U2, P[6]!, MONTH);
    const ghost2 = record(d, U2, P[7]!, 'TEMPORARY', '2025-01-01');
    contract(d, 'HT-7', U1, P[7]!, '2025-01-01', null); // at another unit: U2 still a ghost
    expect(answers(d).ghostRecords).toEqual([
      { unitCode: U1, idNumber: P[1], recordId: ghost },
      { unitCode: U2, idNumber: P[7], recordId: ghost2 },
    ]);
  });

  it('3 OVER_QUOTA: registered or HR headcount above the quota of Y', () => {
    const d = world();
    const quota = (id: number, unit: string, year: number, q: number) =>
      put(d, 'staffing', 'quota_decision', { id, unit_code: unit, year, quota: q, previous_quota: q, exception_approved: false, decided_on: `${year}-01-10` });
    quota(1, U1, 2026, 1); // two registered: over
    record(d, U1, P[1]!, 'LABOUR_CONTRACT', '2025-01-01');
    record(d, U1, P[2]!, 'LABOUR_CONTRACT', '2025-01-01');
    record(d, U1, P[2]!, 'LABOUR_CONTRACT', '2026-10-15'); // the same person twice counts once
    quota(2, U2, 2026, 2); // two and two: not over
    quota(3, U2, 2025, 0);
    record(d, U2, P[3]!, 'DISPATCH', '2025-01-01');
    record(d, U2, P[4]!, 'DISPATCH', '2025-01-01');
    contract(d, 'PQ-3', U2, P[3]!, '2025-01-01', null, null, 'DISPATCH');
    insurance(d, 1, U2, P[4]!, '2025-01');
    quota(4, U3, 2026, 1); // one registered, two by HR: over
    record(d, U3, P[5]!, 'LABOUR_CONTRACT', '2025-01-01');
    contract(d, 'HT-5', U3, P[5]!, '2025-01-01', null);
    rehire(d, 'FP-6', U3, P[6]!, '2026-01-01', null);
    payroll(d, 1, U3, P[7]!, MONTH); // pay is not HR evidence
    expect(answers(d).overQuota).toEqual([
      { unitCode: U1, quota: 1, registeredHeadcount: 2, hrHeadcount: 0 },
      { unitCode: U3, quota: 1, registeredHeadcount: 1, hrHeadcount: 2 },
    ]);
  });

  it('4 BUDGET_LINKAGE: headcount basis or amount off registry headcount × standard, to the cent', () => {
    const d = world();
    put(d, 'finance', 'funding_standard', { id: 1, category: 'DISTRICT_ORGAN', year: 2026, amount_per_head: '98000.00' });
    put(d, 'finance', 'funding_standard', { id: 2, category: 'EDUCATION', year: 2026, amount_per_head: '86000.00' });
    put(d, 'finance', 'funding_standard', { id: 3, category: 'FUNDED_INSTITUTION', year: 2025, amount_per_head: '92000.00' });
    const budget = (id: number, unit: string, year: number, basis: number, amount: string) =>
      put(d, 'finance', 'personnel_budget', { id, unit_code: unit, year, headcount_basis: basis, standard_per_head: '0.00', amount, registry_snapshot_date: `${year - 1}-12-31` });
    budget(1, U1, 2026, 2, '196000.01'); // a cent off
    record(d, U1, P[1]!, 'LABOUR_CONTRACT', '2025-01-01');
    record(d, U1, P[2]!, 'LABOUR_CONTRACT', '2025-06-01', { end: '2025-12-31' });
    record(d, U1, P[3]!, 'LABOUR_CONTRACT', '2026-01-01'); // after the snapshot
    budget(2, U2, 2026, 1, '86000.00'); // right
    record(d, U2, P[4]!, 'DISPATCH', '2025-01-01');
    budget(3, U2, 2025, 9, '1.00'); // another year
    budget(4, U3, 2026, 5, '1.00'); // no standard for 2026: not judged
    budget(5, U1, 2026, 3, '294000.00'); // basis off by one (and amount follows it)
    expect(answers(d).budgetLinkage).toEqual([
      { unitCode: U1, budgetId: '1', headcountBasis: 2, registeredHeadcount: 2, amount: 196000.01, expectedAmount: 196000 },
      { unitCode: U1, budgetId: '5', headcountBasis: 3, registeredHeadcount: 2, amount: 294000, expectedAmount: 196000 },
    ]);
  });

  it('5 QUOTA_RAISED: above last year’s decision (or previous_quota) without an approved exception', () => {
    const d = world();
    const quota = (id: number, unit: string, year: number, q: number, previous: number | null, approved = false) =>
      put(d, 'staffing', 'quota_decision', { id, unit_code: unit, year, quota: q, previous_quota: previous, exception_approved: approved, decided_on: `${year}-01-10` });
    quota(1, U1, 2025, 10, 12);
    quota(2, U1, 2026, 11, 9); // prior is 2025's 10, not previous_quota 9: raised
    quota(3, U2, 2025, 10, 12);
    quota(4, U2, 2026, 11, 10, true); // approved
    quota(5, U3, 2026, 5, 4); // no 2025 decision: previous_quota 4
    quota(6, U3, 2027, 9, 5); // another year
    const d2 = world();
    put(d2, 'staffing', 'quota_decision', { id: 1, unit_code: U1, year: 2025, quota: 10, previous_quota: 10, exception_approved: false, decided_on: '2025-01-10' });
    put(d2, 'staffing', 'quota_decision', { id: 2, unit_code: U1, year: 2026, quota: 10, previous_quota: 8, exception_approved: false, decided_on: '2026-01-10' });
    expect(answers(d).quotaRaised).toEqual([
      { unitCode: U1, decisionId: '2', quota: 11, priorQuota: 10 },
      { unitCode: U3, decisionId: '5', quota: 5, priorQuota: 4 },
    ]);
    expect(answers(d2).quotaRaised).toEqual([]);
  });

  it('6 DISGUISED and UNRECOVERED_OUTSOURCING: contract workers on the registry or payroll; contracts with no recovery', () => {
    const d = world();
    const service = (number: string, unit: string, start: string, end: string, workers: string[]) => {
      put(d, 'finance', 'service_contract', { number, unit_code: unit, function: 'CLEANING', supplier_name: '保洁公司', supplier_code: X, start_date: start, end_date: end, amount: '100000.00' });
      for (const w of workers) put(d, 'finance', 'service_contract_worker', { id: d.finance.service_contract_worker!.rows.length + 1, contract_number: number, id_number: w, name: '李四' });
    };
    service('XSCG-2026-0001', U1, '2026-01-01', '2027-12-31', [P[1]!, P[2]!, P[3]!, P[4]!, P[1]!]);
    record(d, U1, P[1]!, 'PURCHASED_SERVICE', '2025-01-01');
    payroll(d, 1, U1, P[2]!, MONTH);
    record(d, U2, P[4]!, 'LABOUR_CONTRACT', '2025-01-01'); // registered at another unit
    service('XSCG-2024-0002', U1, '2024-01-01', '2025-12-31', [P[1]!]); // ended: not in force
    service('XSCG-2026-0003', U2, '2026-10-31', '2027-12-31', []); // in force from L, recovered under another unit's name
    service('XSCG-2026-0004', U3, '2026-11-01', '2027-12-31', []); // starts after L
    service('XSCG-2025-0005', U3, '2025-01-01', '2026-10-01', [P[5]!]); // in force until F
    payroll(d, 2, U3, P[5]!, MONTH);
    put(d, 'staffing', 'quota_recovery', { id: 4, unit_code: U3, function: 'CLEANING', count: 1, year: 2025, contract_number: 'XSCG-2025-0005' });
    put(d, 'staffing', 'quota_recovery', { id: 1, unit_code: U1, function: 'CLEANING', count: 3, year: 2026, contract_number: 'XSCG-2026-0001' });
    put(d, 'staffing', 'quota_recovery', { id: 2, unit_code: U1, function: 'CLEANING', count: 1, year: 2026, contract_number: 'XSCG-2026-0003' });
    put(d, 'staffing', 'quota_recovery', { id: 3, unit_code: U2, function: 'CLEANING', count: 1, year: 2024, contract_number: null });
    const a = answers(d);
    expect(a.disguisedOutsourcing).toEqual([
      { unitCode: U1, contractNumber: 'XSCG-2026-0001', idNumber: P[1], onRegistry: true, onPayroll: false },
      { unitCode: U1, contractNumber: 'XSCG-2026-0001', idNumber: P[2], onRegistry: false, onPayroll: true },
      { unitCode: U3, contractNumber: 'XSCG-2025-0005', idNumber: P[5], onRegistry: false, onPayroll: true },
    ]);
    expect(a.unrecoveredOutsourcing).toEqual([{ unitCode: U2, contractNumber: 'XSCG-2026-0003' }]);
  });

  it('7a NO_AGREEMENT: contract-type records without a contract in force, retirees without a rehire agreement', () => {
    const d = world();
    const r1 = record(d, U1, P[1]!, 'LABOUR_CONTRACT', '2025-01-01');
    insurance(d, 1, U1, P[1]!, '2025-01');
    record(d, U1, P[2]!, 'DISPATCH', '2025-01-01');
    contract(d, 'PQ-2', U1, P[2]!, '2025-01-01', '2026-10-01', null, 'DISPATCH'); // in force on F
    const r3 = record(d, U1, P[3]!, 'REHIRED_RETIREE', '2025-01-01');
    rehire(d, 'FP-3', U1, P[3]!, '2025-01-01', '2026-09-30');
    record(d, U1, P[4]!, 'REHIRED_RETIREE', '2025-01-01');
    rehire(d, 'FP-4', U1, P[4]!, '2025-01-01', null);
    record(d, U1, P[5]!, 'SECONDED', '2025-01-01');
    const r6 = record(d, U2, P[6]!, 'TEMPORARY', '2025-01-01');
    contract(d, 'HT-6', U2, P[6]!, '2025-01-01', '2026-12-31', '2026-09-30'); // terminated before F
    const r7 = record(d, U2, P[7]!, 'NO_PAPERWORK', '2025-01-01');
    contract(d, 'HT-7', U1, P[7]!, '2025-01-01', null); // at another unit
    expect(answers(d).missingAgreements).toEqual([
      { unitCode: U1, idNumber: P[1], recordId: r1, employmentForm: 'LABOUR_CONTRACT' },
      { unitCode: U1, idNumber: P[3], recordId: r3, employmentForm: 'REHIRED_RETIREE' },
      { unitCode: U2, idNumber: P[6], recordId: r6, employmentForm: 'TEMPORARY' },
      { unitCode: U2, idNumber: P[7], recordId: r7, employmentForm: 'NO_PAPERWORK' },
    ]);
  });

  it('7b RETIREE_OVER_AGE: completed years on L above the limit (66 is, 65 is not)', () => {
    const d = world();
    const p66 = person(1, '19601031'); // 66 on L
    const p65 = person(2, '19601101'); // 66 the day after L
    const pRecord = person(3, '19500101');
    const pEnded = person(4, '19500101');
    rehire(d, 'FP-1', U1, p66, '2024-01-01', null);
    rehire(d, 'FP-2', U1, p65, '2024-01-01', null);
    record(d, U2, pRecord, 'REHIRED_RETIREE', '2024-01-01'); // a record without an agreement counts too
    record(d, U2, pRecord, 'REHIRED_RETIREE', '2024-06-01'); // once per (unit, person)
    rehire(d, 'FP-4', U2, pEnded, '2024-01-01', '2026-09-30');
    record(d, U2, pEnded, 'LABOUR_CONTRACT', '2024-01-01');
    expect(answers(d).retireesOverAgeLimit).toEqual([
      { unitCode: U1, idNumber: p66, age: 66 },
      { unitCode: U2, idNumber: pRecord, age: 76 },
    ]);
    expect(answers(d, 66).retireesOverAgeLimit).toEqual([{ unitCode: U2, idNumber: pRecord, age: 76 }]);
  });

  it('8a HIRED_WITHOUT_RECRUITMENT: contract or dispatch hires of Y with no hire in a recruitment of the unit', () => {
    const d = world();
    put(d, 'hr', 'recruitment', { id: 1, unit_code: U1, announcement_number: 'A1', title: 't', announced_on: '2025-12-01', posts: 2 });
    put(d, 'hr', 'recruitment', { id: 2, unit_code: U2, announcement_number: 'A2', title: 't', announced_on: '2025-12-01', posts: 2 });
    const hire = (id: number, recruitment: number, idNumber: string) =>
      put(d, 'hr', 'recruitment_hire', { id, recruitment_id: recruitment, id_number: idNumber, name: '王五', hired_on: '2026-02-20' });
    const r1 = record(d, U1, P[1]!, 'LABOUR_CONTRACT', '2026-01-01');
    record(d, U1, P[2]!, 'DISPATCH', '2026-03-01');
    hire(1, 1, P[2]!);
    record(d, U1, P[3]!, 'LABOUR_CONTRACT', '2025-12-31'); // before Y
    const r4 = record(d, U1, P[4]!, 'DISPATCH', '2026-10-31'); // on L
    hire(2, 2, P[4]!); // hired by another unit's recruitment
    record(d, U1, P[5]!, 'TEMPORARY', '2026-03-01');
    record(d, U1, P[6]!, 'LABOUR_CONTRACT', '2026-11-01'); // not active in M
    expect(answers(d).hiredWithoutRecruitment).toEqual([
      { unitCode: U1, idNumber: P[1], recordId: r1 },
      { unitCode: U1, idNumber: P[4], recordId: r4 },
    ]);
  });

  it('8b PAY_ABOVE_STANDARD: a line of M above the standard of the category and the latest record’s post category', () => {
    const d = world();
    const standard = (id: number, year: number, post: string, max: string) =>
      put(d, 'hr', 'pay_standard', { id, year, unit_category: 'DISTRICT_ORGAN', post_category: post, monthly_max: max });
    standard(1, 2026, '辅助管理', '7100.00');
    standard(2, 2026, '专业技术', '9000.00');
    standard(3, 2025, '工勤', '1.00');
    record(d, U1, P[1]!, 'LABOUR_CONTRACT', '2025-01-01');
    payroll(d, 1, U1, P[1]!, MONTH, '7100.01'); // a cent above
    record(d, U1, P[2]!, 'LABOUR_CONTRACT', '2025-01-01');
    payroll(d, 2, U1, P[2]!, MONTH, '7100.00'); // at the standard
    payroll(d, 3, U1, P[3]!, MONTH, '99999.00'); // no record: not judged
    record(d, U1, P[4]!, 'LABOUR_CONTRACT', '2024-01-01', { post: '专业技术' });
    record(d, U1, P[4]!, 'LABOUR_CONTRACT', '2025-01-01'); // latest start: 辅助管理
    payroll(d, 4, U1, P[4]!, MONTH, '8000.00');
    record(d, U1, P[5]!, 'LABOUR_CONTRACT', '2025-01-01', { post: '工勤' });
    payroll(d, 5, U1, P[5]!, MONTH, '99999.00'); // no 2026 standard for 工勤: not judged
    payroll(d, 6, U1, P[1]!, '2026-09', '99999.00'); // another month
    expect(answers(d).payAboveStandard).toEqual([
      { unitCode: U1, idNumber: P[1], payrollLineId: '1', grossPay: 7100.01, standard: 7100 },
      { unitCode: U1, idNumber: P[4], payrollLineId: '4', grossPay: 8000, standard: 7100 },
    ]);
  });

  it('9 REGISTRY_LATE: recorded more than 30 days after the first agreement, or left open more than 30 days after the last ended', () => {
    const d = world();
    const r1 = record(d, U1, P[1]!, 'LABOUR_CONTRACT', '2026-01-01', { recorded: '2026-02-01T10:00:00.000+08:00' }); // 31 days
    contract(d, 'HT-1', U1, P[1]!, '2026-01-01', null);
    record(d, U1, P[2]!, 'LABOUR_CONTRACT', '2026-01-01', { recorded: '2026-01-31T23:59:00.000+08:00' }); // 30 days
    contract(d, 'HT-2', U1, P[2]!, '2026-01-01', null);
    const r3 = record(d, U1, P[3]!, 'LABOUR_CONTRACT', '2026-01-01', { recorded: '2026-01-31T17:00:00.000Z' }); // 02-01 in UTC+8
    contract(d, 'HT-3', U1, P[3]!, '2026-01-01', null);
    const r4 = record(d, U1, P[4]!, 'LABOUR_CONTRACT', '2024-01-01');
    contract(d, 'HT-4', U1, P[4]!, '2024-01-01', '2028-12-31', '2026-09-30'); // ended 31 days before L
    record(d, U1, P[5]!, 'LABOUR_CONTRACT', '2024-01-01');
    contract(d, 'HT-5', U1, P[5]!, '2024-01-01', '2028-12-31', '2026-10-01'); // 30 days before L
    record(d, U2, P[6]!, 'DISPATCH', '2024-01-01');
    contract(d, 'PQ-6a', U2, P[6]!, '2024-01-01', '2025-12-31', null, 'DISPATCH'); // renewed: not ended
    contract(d, 'PQ-6b', U2, P[6]!, '2026-01-01', null, null, 'DISPATCH');
    contract(d, 'HT-6', U1, P[6]!, '2020-01-01', null); // another unit's contract is not the record's
    record(d, U2, P[7]!, 'LABOUR_CONTRACT', '2026-01-01', { recorded: '2026-06-01T09:00:00.000+08:00' });
    contract(d, 'HT-7', U2, P[7]!, '2020-01-01', '2025-12-31'); // ended before the record began: no overlap
    const r8 = record(d, U3, P[0]!, 'REHIRED_RETIREE', '2026-01-01', { end: '2026-10-20', recorded: '2026-03-03T09:00:00.000+08:00' });
    rehire(d, 'FP-8', U3, P[0]!, '2026-01-15', '2026-08-31'); // starts later than the record; ends 50 days before its end
    expect(answers(d).registryLate).toEqual([
      { unitCode: U1, idNumber: P[1], recordId: r1, kind: 'START', daysLate: 31 },
      { unitCode: U1, idNumber: P[3], recordId: r3, kind: 'START', daysLate: 31 },
      { unitCode: U1, idNumber: P[4], recordId: r4, kind: 'END', daysLate: 31 },
      { unitCode: U3, idNumber: P[0], recordId: r8, kind: 'START', daysLate: 47 },
      { unitCode: U3, idNumber: P[0], recordId: r8, kind: 'END', daysLate: 50 },
    ]);
  });

  it('10a OVERDUE_RECTIFICATION: deadline before L and not completed by L', () => {
    const d = world();
    const rect = (id: number, unit: string, deadline: string, status: string, completedOn: string | null = null) =>
      put(d, 'audit', 'rectification', { id, unit_code: unit, description: '整改', deadline, status, completed_on: completedOn });
    rect(1, U1, '2026-10-30', 'COMPLETED', '2026-10-31'); // completed on L
    rect(2, U1, '2026-10-30', 'COMPLETED', '2026-11-01'); // completed after L
    rect(10, U1, '2026-09-30', 'IN_PROGRESS');
    rect(4, U1, '2026-10-31', 'PENDING'); // deadline is L
    rect(5, X, '2026-01-01', 'PENDING'); // another district
    rect(6, U2, '2026-10-01', 'PENDING');
    expect(answers(d).overdueRectifications).toEqual([
      { unitCode: U1, rectificationId: '2', daysOverdue: 1 },
      { unitCode: U1, rectificationId: '10', daysOverdue: 31 },
      { unitCode: U2, rectificationId: '6', daysOverdue: 30 },
    ]);
  });

  it('10b suspension: units with OPEN or ROUTED leads of the registry rules', () => {
    const d = world();
    const lead = (id: number, unit: string, rule: string | null, status: string) =>
      put(d, 'audit', 'issue_lead', { id, unit_code: unit, source: 'RULE_SWEEP', rule, period: MONTH, description: '线索', status, created_at: '2026-10-02T09:00:00.000+08:00' });
    lead(10, U1, 'GHOST_RECORD', 'OPEN');
    lead(9, U1, 'REGISTRY_LATE', 'ROUTED');
    lead(2, U1, 'UNREPORTED_STAFF', 'CLOSED');
    lead(3, U2, 'OVER_QUOTA', 'OPEN');
    lead(4, U2, 'UNREPORTED_STAFF', 'RESOLVED_BY_DATA');
    lead(5, U2, null, 'OPEN');
    lead(6, X, 'UNREPORTED_STAFF', 'OPEN');
    lead(7, U3, 'UNREPORTED_STAFF', 'OPEN');
    expect(answers(d).registrySuspensions).toEqual([
      { unitCode: U1, leadIds: ['9', '10'] },
      { unitCode: U3, leadIds: ['7'] },
    ]);
  });
});

describe('scales: many districts, and loading with COPY', () => {
  // Loaded here rather than at the top, so this block stands on its own.
  let gen: typeof import('../scripts/seed/generate.ts');
  let loader: typeof import('../scripts/seed/load.ts');
  let divisions: typeof import('../lib/divisions.ts');
  const within = (n: number, target: number, share: number) => n >= target * (1 - share) && n <= target * (1 + share);

  beforeAll(async () => {
    gen = await import('../scripts/seed/generate.ts');
    loader = await import('../scripts/seed/load.ts');
    divisions = await import('../lib/divisions.ts');
  });

  it('--scale district is 萧山 alone with about 800 units and 20,000 people, the planted answer intact', () => {
    const options = { seed: 42, ...gen.SCALES.district };
    expect(options.districts).toEqual(['330109']);
    expect(within(options.units, 800, 0.1) && within(options.people, 20_000, 0.1)).toBe(true);
    const d = gen.generate(options);
    const units = rowsOf(d, 'staffing', 'unit');
    expect(within(units.length, 800, 0.1)).toBe(true);
    expect(within(d.manifest.counts.people, 20_000, 0.1)).toBe(true);
    expect(within(new Set(rowsOf(d, 'staffing', 'registry_record').map((r) => r.id_number)).size, 20_000, 0.1)).toBe(true);
    expect(new Set(units.map((u) => u.name)).size).toBe(units.length);
    const byCategory = new Map<string, number>();
    for (const u of units) byCategory.set(u.category, (byCategory.get(u.category) ?? 0) + 1);
    for (const c of ['DISTRICT_ORGAN', 'FUNDED_INSTITUTION', 'EDUCATION', 'TOWN_SUBDISTRICT']) expect(byCategory.get(c) ?? 0).toBeGreaterThanOrEqual(40);
    const recomputed = unreportedStaff(d, d.manifest.month, '330109');
    expect(recomputed).toEqual(d.manifest.unreportedStaff.units.map(({ code, people }) => ({ code, people })));
    expect(recomputed.length).toBeGreaterThanOrEqual(20);
  });

  it('city scale: every district’s units carry its division, identifiers are valid, ids run on across districts', () => {
    // The city's 13 districts and 8,000 units; fewer people than --scale city (200,000) to stay quick.
    const options = { seed: 7, ...gen.SCALES.city, people: 80_000 };
    const chunks = gen.generateChunks(options);
    const seen: string[] = [];
    const lastId = new Map<string, number>();
    const contractIds = new Set<string>();
    const announcements = new Set<string>();
    const bad: string[] = [];
    let sampled = 0;
    let next = chunks.next();
    for (; !next.done; next = chunks.next()) {
      const chunk = next.value;
      const district = chunk.district;
      seen.push(district);
      const towns = divisions.townsOf(district);
      for (const u of rowsOf(chunk as unknown as GeneratedData, 'staffing', 'unit')) {
        if (!isValidCreditCode(u.code) || creditCodeDivision(u.code) !== district || u.district_code !== district) bad.push(`unit ${u.code} in ${district}`);
        if (u.town_code !== null && (!u.town_code.startsWith(district) || !towns[u.town_code] || divisions.townName(u.town_code) !== towns[u.town_code])) bad.push(`town ${u.town_code}`);
      }
      for (const b of BUREAUS) {
        for (const [table, t] of Object.entries(chunk[b])) {
          const idAt = t.columns.indexOf('id');
          const unitAt = t.columns.indexOf('unit_code');
          const personAt = t.columns.indexOf('id_number');
          if (idAt >= 0 && t.rows.length > 0 && typeof t.rows[0]![idAt] === 'number') {
            // Serial ids continue from one district to the next, with no gap or repeat.
            const from = (lastId.get(`${b}.${table}`) ?? 0) + 1;
            const ids = [t.rows[0]![idAt], t.rows[t.rows.length - 1]![idAt]];
            if (ids[0] !== from || ids[1] !== from + t.rows.length - 1) bad.push(`${b}.${table} ids ${ids.join('..')} after ${from - 1}`);
            lastId.set(`${b}.${table}`, from + t.rows.length - 1);
          }
          for (let i = 0; i < t.rows.length; i += 23) {
            const r = t.rows[i]!;
            sampled++;
            const unit = unitAt >= 0 ? (r[unitAt] as string) : null;
            if (unit !== null && (!isValidCreditCode(unit) || (creditCodeDivision(unit) !== district && !(district === '330109' && creditCodeDivision(unit) === '330110')))) {
              bad.push(`${b}.${table} unit ${unit} in ${district}`);
            }
            const person = personAt >= 0 ? (r[personAt] as string | null) : null;
            if (person !== null && !isValidIdNumber(person)) bad.push(`${b}.${table} id number ${person}`);
          }
        }
      }
      for (const [id] of chunk.hr.employment_contract!.rows) {
        if (contractIds.has(id as string)) bad.push(`contract ${id} twice`);
        contractIds.add(id as string);
      }
      const numberAt = chunk.hr.recruitment!.columns.indexOf('announcement_number');
      for (const r of chunk.hr.recruitment!.rows) {
        if (announcements.has(r[numberAt] as string)) bad.push(`announcement ${r[numberAt]} twice`);
        announcements.add(r[numberAt] as string);
      }
    }
    const manifest = next.value;
    expect(bad.slice(0, 10)).toEqual([]);
    expect(sampled).toBeGreaterThan(20_000);
    expect(seen[0]).toBe('330109');
    expect([...seen].sort()).toEqual([...options.districts].sort());
    expect(seen).toHaveLength(13);
    expect(manifest.counts.units).toBe(8_000);
    expect(within(manifest.counts.people, 80_000, 0.1)).toBe(true);
    for (const p of manifest.planted) expect(creditCodeDivision(p.unitCode)).toBe('330109');
    expect(manifest.unreportedStaff.units.length).toBeGreaterThanOrEqual(20);
  }, 20_000);

  describe('into fresh databases (PostgreSQL when one answers, so COPY; else PGlite)', () => {
    const tdbs = {} as Record<SubgraphName, TestDatabase>;
    const small = { seed: 3, districts: ['330109', '330110', '330122'], units: 90, people: 900, plantedUnits: 6 };

    beforeAll(async () => {
      await Promise.all(BUREAUS.map(async (b) => (tdbs[b] = await freshDatabase(b, `copy${Math.floor(Math.random() * 1e8)}`))));
    });
    afterAll(async () => {
      await Promise.all(Object.values(tdbs).map((t) => t.drop()));
    });
    const dbsOf = () => Object.fromEntries(BUREAUS.map((b) => [b, tdbs[b].db])) as Record<SubgraphName, TestDatabase['db']>;
    const empty = async () => {
      for (const b of BUREAUS) await tdbs[b].db.exec(`TRUNCATE ${Object.keys(TABLE_COLUMNS[b]).map((t) => `"${t}"`).join(', ')} RESTART IDENTITY CASCADE`);
    };
    const countsIn = async (dbs: ReturnType<typeof dbsOf>, tables: Record<BureauName, Record<string, number>>) => {
      const out: string[] = [];
      for (const b of BUREAUS) {
        for (const [table, n] of Object.entries(tables[b])) {
          const [row] = await dbs[b].query<{ n: string | number }>(`SELECT count(*) AS n FROM "${table}"`);
          if (Number(row!.n) !== n) out.push(`${b}.${table}: ${row!.n} loaded, ${n} generated`);
        }
      }
      return out;
    };

    it('loads every row, and text with tabs, newlines, carriage returns and backslashes comes back as it was', async () => {
      const d = gen.generate(small);
      const awkward = 'tab\there, new\nline, return\r\nand a back\\slash, not NULL: \\N';
      const set = (bureau: SubgraphName, table: string, column: string, value: unknown) => {
        const t = d[bureau][table]!;
        t.rows[0]![t.columns.indexOf(column)] = value;
      };
      set('audit', 'issue_lead', 'description', awkward);
      set('audit', 'inspection', 'title', '\\N');
      set('staffing', 'unit', 'name', '单位\t名称\\');
      set('finance', 'payroll_line', 'name', '\\\\');
      const dbs = dbsOf();
      await empty();
      const result = await loader.load(d, dbs);
      expect(await countsIn(dbs, d.manifest.counts.tables)).toEqual([]);
      expect(result.rows).toBe(Object.values(d.manifest.counts.tables).reduce((s, t) => s + Object.values(t).reduce((a, n) => a + n, 0), 0));
      const first = async (bureau: SubgraphName, sql: string) => (await dbs[bureau].query<{ v: unknown }>(sql))[0]!.v;
      expect(await first('audit', 'SELECT description AS v FROM issue_lead ORDER BY id LIMIT 1')).toBe(awkward);
      expect(await first('audit', 'SELECT title AS v FROM inspection ORDER BY id LIMIT 1')).toBe('\\N');
      expect(await first('staffing', `SELECT name AS v FROM unit WHERE code = '${d.staffing.unit!.rows[0]![0]}'`)).toBe('单位\t名称\\');
      expect(await first('finance', 'SELECT name AS v FROM payroll_line ORDER BY id LIMIT 1')).toBe('\\\\');
      // NULLs stay NULL, arrays stay arrays.
      const nulls = d.audit.issue_lead!.rows.filter((r) => r[d.audit.issue_lead!.columns.indexOf('closed_at')] === null).length;
      expect(Number(await first('audit', 'SELECT count(*) AS v FROM issue_lead WHERE closed_at IS NULL'))).toBe(nulls);
      expect(Number(await first('audit', `SELECT count(*) AS v FROM issue_lead WHERE 'HR' = ANY(evidence_bureaus)`))).toBeGreaterThan(0);
    });

    it('streams several districts as npm run seed does: counts, keys, indexes and sequences as before', async () => {
      const dbs = dbsOf();
      await empty();
      const schema = async () =>
        Object.fromEntries(
          await Promise.all(
            BUREAUS.map(async (b) => [
              b,
              await dbs[b].query(
                `SELECT (SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = current_schema()::regnamespace)::int AS keys,
                        (SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema())::int AS indexes`,
              ),
            ]),
          ),
        );
      const before = await schema();
      const { manifest, result } = await loader.seedStreaming(small, dbs, { rebuildIndexes: true });
      expect(result.districts).toBe(3);
      expect(await countsIn(dbs, manifest.counts.tables)).toEqual([]);
      expect(await schema()).toEqual(before);
      const [seq] = await dbs.hr.query<{ next: string | number; max: string | number }>(
        `SELECT nextval(pg_get_serial_sequence('"recruitment_step"', 'id')) AS next, (SELECT max(id) FROM recruitment_step) AS max`,
      );
      expect(Number(seq!.next)).toBe(Number(seq!.max) + 1);
      // Same rows as generating in memory.
      const d = gen.generate(small);
      expect(manifest).toEqual(d.manifest);
      const [units] = await dbs.staffing.query<{ n: string | number }>(`SELECT count(DISTINCT district_code) AS n FROM unit`);
      expect(Number(units!.n)).toBe(3);
    }, 30_000);
  });
});

describe('manifest of every rule', () => {
  it('holds the expected answers of the home district, the same as computed over every district\'s rows', () => {
    const data = generate({ seed: 9, districts: ['330109', '330110', '330106'], units: 900, people: 9000 });
    expect(new Set(rowsOf(data, 'staffing', 'unit').map((u) => u.district_code)).size).toBe(3);
    expect(data.manifest.rules).toEqual(expectedAnswers(data, { month: data.manifest.month }));
    expect(data.manifest.rules.ghostRecords.length).toBeGreaterThan(0);
  });
});
