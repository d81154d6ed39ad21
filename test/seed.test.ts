// The demo-data generator: deterministic, valid identifiers, the scale asked for, and a manifest
// whose unreported-staff answer matches the rule recomputed here straight from the generated rows.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { load } from '../scripts/seed/load.ts';
import { freshDatabase, type TestDatabase } from './support/databases.ts';
import { birthDateOf, creditCodeDivision, isValidCreditCode, isValidIdNumber } from '../lib/ids.ts';
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
