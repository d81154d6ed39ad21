// The manifest oracle: the ten cross-bureau questions of docs/rules.md computed in plain JS over the
// generated rows. The subgraphs answer the same questions in SQL; this is the independent second
// implementation the tests compare them with, so it shares no code with subgraphs/ or lib/ beyond
// reading a birth date off an ID number. Single passes over each table, joined through Maps keyed by
// `${unit}|${idNumber}`, so a million people take seconds, not hours.
import { birthDateOf } from '../../lib/ids.ts';
import type { BureauRows } from './generate.ts';

export interface RuleOptions {
  /** 6-digit division code of the district; default 330109 (萧山). */
  district?: string;
  /** YYYY-MM */
  month: string;
  /** Rehire age limit in completed years; default 65. */
  ageLimit?: number;
}

export interface RuleAnswers {
  district: string;
  month: string;
  year: number;
  ageLimit: number;
  unreportedStaff: { unitCode: string; people: { idNumber: string; evidence: { kind: string; reference: string }[] }[] }[];
  ghostRecords: { unitCode: string; idNumber: string; recordId: string }[];
  overQuota: { unitCode: string; quota: number; registeredHeadcount: number; hrHeadcount: number }[];
  budgetLinkage: { unitCode: string; budgetId: string; headcountBasis: number; registeredHeadcount: number; amount: number; expectedAmount: number }[];
  quotaRaised: { unitCode: string; decisionId: string; quota: number; priorQuota: number }[];
  disguisedOutsourcing: { unitCode: string; contractNumber: string; idNumber: string; onRegistry: boolean; onPayroll: boolean }[];
  unrecoveredOutsourcing: { unitCode: string; contractNumber: string }[];
  missingAgreements: { unitCode: string; idNumber: string; recordId: string; employmentForm: string }[];
  retireesOverAgeLimit: { unitCode: string; idNumber: string; age: number }[];
  hiredWithoutRecruitment: { unitCode: string; idNumber: string; recordId: string }[];
  payAboveStandard: { unitCode: string; idNumber: string; payrollLineId: string; grossPay: number; standard: number }[];
  registryLate: { unitCode: string; idNumber: string; recordId: string; kind: 'START' | 'END'; daysLate: number }[];
  overdueRectifications: { unitCode: string; rectificationId: string; daysOverdue: number }[];
  registrySuspensions: { unitCode: string; leadIds: string[] }[];
}

export interface RuleData {
  staffing: BureauRows;
  finance: BureauRows;
  hr: BureauRows;
  audit: BureauRows;
}

// ---- small helpers ----------------------------------------------------------------------------

/** Column indices of a table, looked up by name once; a missing table reads as empty. */
function table<C extends string>(bureau: BureauRows, name: string, columns: readonly C[]): { rows: unknown[][]; ix: Record<C, number> } {
  const t = bureau[name];
  const ix = {} as Record<C, number>;
  for (const c of columns) {
    const i = t ? t.columns.indexOf(c) : -1;
    if (t && i < 0) throw new Error(`table ${name} has no column ${c}`);
    ix[c] = i;
  }
  return { rows: t?.rows ?? [], ix };
}

const str = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : str(v));

/** A DATE column as 'YYYY-MM-DD'. */
function date(v: unknown): string {
  return v instanceof Date ? v.toISOString().slice(0, 10) : String(v).slice(0, 10);
}
function dateOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : date(v);
}

const DAY_MS = 86_400_000;
const EIGHT_HOURS_MS = 8 * 3_600_000;

/** A timestamp taken as a calendar date in UTC+8. */
function localDate(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  // Fast path: already written in UTC+8, as the generator does.
  if (typeof v === 'string' && v.length >= 10 && v.endsWith('+08:00')) return v.slice(0, 10);
  const ms = v instanceof Date ? v.getTime() : Date.parse(String(v));
  if (Number.isNaN(ms)) return String(v).slice(0, 10);
  return new Date(ms + EIGHT_HOURS_MS).toISOString().slice(0, 10);
}

function dayNum(d: string): number {
  return Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10))) / DAY_MS;
}
const daysBetween = (from: string, to: string): number => dayNum(to) - dayNum(from);

/** Money (a DECIMAL string such as '6800.00', or a number) as integer cents, half away from zero. */
function cents(v: unknown): number {
  const s = typeof v === 'number' ? v.toFixed(3) : String(v).trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) throw new Error(`not an amount of money: ${s}`);
  const frac = (m[3] ?? '').padEnd(3, '0');
  let c = Number(m[2] || '0') * 100 + Number(frac.slice(0, 2));
  if (Number(frac[2]) >= 5) c += 1;
  return m[1] === '-' ? -c : c;
}
const money = (c: number): number => c / 100;

function isFalse(v: unknown): boolean {
  return v === false || v === 0 || v === 'f' || v === 'false';
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
/** Serial ids compare as numbers; text ids (contract numbers) as strings. */
function cmpId(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && x !== y ? x - y : cmp(a, b);
}

/** Completed years from birth to on (both 'YYYY-MM-DD'). */
function ageOn(birth: string, on: string): number {
  return Number(on.slice(0, 4)) - Number(birth.slice(0, 4)) - (on.slice(5) < birth.slice(5) ? 1 : 0);
}

function lastDayOf(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const d = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${month}-${String(d).padStart(2, '0')}`;
}

const k2 = (unit: string, person: string): string => `${unit}|${person}`;

function addTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

// ---- the rules ----------------------------------------------------------------------------------

interface ActiveRecord {
  id: string;
  unit: string;
  person: string;
  form: string;
  postCategory: string;
  start: string;
  end: string | null;
  recorded: string | null;
}

type Span = [start: string, end: string | null];

const CONTRACT_FORMS = new Set(['LABOUR_CONTRACT', 'DISPATCH', 'TEMPORARY', 'NO_PAPERWORK']);
const RECRUITED_FORMS = new Set(['LABOUR_CONTRACT', 'DISPATCH']);
const NOT_GHOST_FORMS = new Set(['SECONDED', 'PURCHASED_SERVICE']);
const SUSPENDING_RULES = new Set(['UNREPORTED_STAFF', 'GHOST_RECORD', 'REGISTRY_LATE']);
const OPEN_STATUSES = new Set(['OPEN', 'ROUTED']);

export function expectedAnswers(data: RuleData, options: RuleOptions): RuleAnswers {
  const D = options.district ?? '330109';
  const M = options.month;
  const ageLimit = options.ageLimit ?? 65;
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(M)) throw new Error(`month must be YYYY-MM, got ${M}`);
  const Y = Number(M.slice(0, 4));
  const F = `${M}-01`;
  const L = lastDayOf(M);
  const yearStart = `${Y}-01-01`;
  /** Active in M: starts by L and has not ended before F. */
  const inMonth = (start: string, end: string | null): boolean => start <= L && (end === null || end >= F);

  // ---- D-units ----
  const unitT = table(data.staffing, 'unit', ['code', 'category', 'district_code']);
  const category = new Map<string, string>();
  for (const r of unitT.rows) {
    if (str(r[unitT.ix.district_code]).trim() === D) category.set(str(r[unitT.ix.code]), str(r[unitT.ix.category]));
  }
  const isD = (unit: string): boolean => category.has(unit);

  // ---- budgets of Y that can be judged (question 4): which snapshot dates need a headcount ----
  const standardT = table(data.finance, 'funding_standard', ['category', 'year', 'amount_per_head']);
  const fundingStandard = new Map<string, number>(); // category → cents, for Y
  for (const r of standardT.rows) {
    if (Number(r[standardT.ix.year]) === Y) fundingStandard.set(str(r[standardT.ix.category]), cents(r[standardT.ix.amount_per_head]));
  }
  const budgetT = table(data.finance, 'personnel_budget', ['id', 'unit_code', 'year', 'headcount_basis', 'amount', 'registry_snapshot_date']);
  const budgets: { id: string; unit: string; basis: number; amount: number; snapshot: string; standard: number }[] = [];
  const snapshotsOf = new Map<string, string[]>(); // unit → snapshot dates asked for
  const atSnapshot = new Map<string, Set<string>>(); // `${unit}|${date}` → people
  for (const r of budgetT.rows) {
    const unit = str(r[budgetT.ix.unit_code]);
    if (!isD(unit) || Number(r[budgetT.ix.year]) !== Y) continue;
    const standard = fundingStandard.get(category.get(unit)!);
    if (standard === undefined) continue;
    const snapshot = date(r[budgetT.ix.registry_snapshot_date]);
    budgets.push({ id: str(r[budgetT.ix.id]), unit, basis: Number(r[budgetT.ix.headcount_basis]), amount: cents(r[budgetT.ix.amount]), snapshot, standard });
    const list = snapshotsOf.get(unit) ?? [];
    if (!list.includes(snapshot)) list.push(snapshot);
    snapshotsOf.set(unit, list);
    atSnapshot.set(k2(unit, snapshot), new Set());
  }

  // ---- the registry ----
  const regT = table(data.staffing, 'registry_record', ['id', 'unit_code', 'id_number', 'post_category', 'employment_form', 'start_date', 'end_date', 'recorded_at']);
  const active: ActiveRecord[] = [];
  const activeKeys = new Set<string>();
  const registeredCount = new Map<string, number>();
  /** The record that gives a (unit, person) its post category: latest start, then highest id. */
  const leading = new Map<string, ActiveRecord>();
  for (const r of regT.rows) {
    const unit = str(r[regT.ix.unit_code]);
    if (!isD(unit)) continue;
    const person = str(r[regT.ix.id_number]);
    const start = date(r[regT.ix.start_date]);
    const end = dateOrNull(r[regT.ix.end_date]);
    const snapshots = snapshotsOf.get(unit);
    if (snapshots) {
      for (const s of snapshots) if (start <= s && (end === null || end >= s)) atSnapshot.get(k2(unit, s))!.add(person);
    }
    if (!inMonth(start, end)) continue;
    const rec: ActiveRecord = {
      id: str(r[regT.ix.id]),
      unit,
      person,
      form: str(r[regT.ix.employment_form]),
      postCategory: str(r[regT.ix.post_category]),
      start,
      end,
      recorded: localDate(r[regT.ix.recorded_at]),
    };
    active.push(rec);
    const key = k2(unit, person);
    if (!activeKeys.has(key)) {
      activeKeys.add(key);
      registeredCount.set(unit, (registeredCount.get(unit) ?? 0) + 1);
    }
    const lead = leading.get(key);
    if (!lead || rec.start > lead.start || (rec.start === lead.start && cmpId(rec.id, lead.id) > 0)) leading.set(key, rec);
  }

  // ---- HR evidence and payroll at D-units in M ----
  const hrKeys = new Set<string>();
  const hrCount = new Map<string, number>();
  const contractKeys = new Set<string>(); // employment contract or dispatch agreement in force
  const rehireKeys = new Set<string>(); // rehire agreement in force
  const payKeys = new Set<string>();
  /** Agreements (contracts, dispatch, rehire) of registered (unit, person) pairs, for question 9. */
  const spans = new Map<string, Span[]>();
  const unreported = new Map<string, { unit: string; person: string; evidence: { kind: string; reference: string }[] }>();
  const evidence = (key: string, unit: string, person: string, kind: string, reference: string): void => {
    if (activeKeys.has(key)) return;
    let entry = unreported.get(key);
    if (!entry) unreported.set(key, (entry = { unit, person, evidence: [] }));
    entry.evidence.push({ kind, reference });
  };
  const hrEvidence = (key: string, unit: string, person: string, kind: string, reference: string): void => {
    if (!hrKeys.has(key)) {
      hrKeys.add(key);
      hrCount.set(unit, (hrCount.get(unit) ?? 0) + 1);
    }
    evidence(key, unit, person, kind, reference);
  };

  const contractT = table(data.hr, 'employment_contract', ['id', 'id_number', 'unit_code', 'kind', 'start_date', 'end_date', 'terminated_on']);
  for (const r of contractT.rows) {
    const unit = str(r[contractT.ix.unit_code]);
    if (!isD(unit)) continue;
    const person = str(r[contractT.ix.id_number]);
    const start = date(r[contractT.ix.start_date]);
    const end = dateOrNull(r[contractT.ix.terminated_on]) ?? dateOrNull(r[contractT.ix.end_date]);
    const key = k2(unit, person);
    if (activeKeys.has(key)) addTo(spans, key, [start, end] as Span);
    if (!inMonth(start, end)) continue;
    contractKeys.add(key);
    hrEvidence(key, unit, person, str(r[contractT.ix.kind]) === 'DISPATCH' ? 'DISPATCH_AGREEMENT' : 'LABOUR_CONTRACT', str(r[contractT.ix.id]));
  }
  const rehireT = table(data.hr, 'rehire_agreement', ['id', 'id_number', 'unit_code', 'start_date', 'end_date']);
  for (const r of rehireT.rows) {
    const unit = str(r[rehireT.ix.unit_code]);
    if (!isD(unit)) continue;
    const person = str(r[rehireT.ix.id_number]);
    const start = date(r[rehireT.ix.start_date]);
    const end = dateOrNull(r[rehireT.ix.end_date]);
    const key = k2(unit, person);
    if (activeKeys.has(key)) addTo(spans, key, [start, end] as Span);
    if (!inMonth(start, end)) continue;
    rehireKeys.add(key);
    hrEvidence(key, unit, person, 'REHIRE_AGREEMENT', str(r[rehireT.ix.id]));
  }
  const insuranceT = table(data.hr, 'insurance_enrolment', ['id', 'id_number', 'unit_code', 'start_month', 'end_month']);
  for (const r of insuranceT.rows) {
    const unit = str(r[insuranceT.ix.unit_code]);
    if (!isD(unit)) continue;
    const startMonth = str(r[insuranceT.ix.start_month]).slice(0, 7);
    const endMonth = strOrNull(r[insuranceT.ix.end_month])?.slice(0, 7) ?? null;
    if (startMonth > M || (endMonth !== null && endMonth < M)) continue;
    const person = str(r[insuranceT.ix.id_number]);
    hrEvidence(k2(unit, person), unit, person, 'SOCIAL_INSURANCE', str(r[insuranceT.ix.id]));
  }
  const payT = table(data.finance, 'payroll_line', ['id', 'unit_code', 'id_number', 'month', 'gross_pay']);
  const lines: { id: string; unit: string; person: string; key: string; gross: number }[] = [];
  for (const r of payT.rows) {
    const unit = str(r[payT.ix.unit_code]);
    if (!isD(unit) || str(r[payT.ix.month]).slice(0, 7) !== M) continue;
    const person = str(r[payT.ix.id_number]);
    const id = str(r[payT.ix.id]);
    const key = k2(unit, person);
    payKeys.add(key);
    lines.push({ id, unit, person, key, gross: cents(r[payT.ix.gross_pay]) });
    evidence(key, unit, person, 'PAYROLL', id);
  }

  // ---- 1 UNREPORTED_STAFF ----
  const byUnit = new Map<string, { idNumber: string; evidence: { kind: string; reference: string }[] }[]>();
  for (const e of unreported.values()) {
    e.evidence.sort((a, b) => cmp(a.kind + a.reference, b.kind + b.reference));
    addTo(byUnit, e.unit, { idNumber: e.person, evidence: e.evidence });
  }
  const unreportedStaff = [...byUnit.entries()]
    .sort(([a], [b]) => cmp(a, b))
    .map(([unitCode, people]) => ({ unitCode, people: people.sort((a, b) => cmp(a.idNumber, b.idNumber)) }));

  // ---- rules over the active records: 2, 7a, 8a, 9 ----
  const hireT = table(data.hr, 'recruitment_hire', ['recruitment_id', 'id_number']);
  const recruitmentT = table(data.hr, 'recruitment', ['id', 'unit_code']);
  const recruitmentUnit = new Map<string, string>();
  for (const r of recruitmentT.rows) recruitmentUnit.set(str(r[recruitmentT.ix.id]), str(r[recruitmentT.ix.unit_code]));
  const hired = new Set<string>();
  for (const r of hireT.rows) {
    const unit = recruitmentUnit.get(str(r[hireT.ix.recruitment_id]));
    if (unit !== undefined) hired.add(k2(unit, str(r[hireT.ix.id_number])));
  }

  const ghostRecords: RuleAnswers['ghostRecords'] = [];
  const missingAgreements: RuleAnswers['missingAgreements'] = [];
  const hiredWithoutRecruitment: RuleAnswers['hiredWithoutRecruitment'] = [];
  const registryLate: RuleAnswers['registryLate'] = [];
  const rehired = new Set<string>(); // (unit, person) for question 7b
  for (const rec of active) {
    const key = k2(rec.unit, rec.person);
    const hit = { unitCode: rec.unit, idNumber: rec.person, recordId: rec.id };
    if (!NOT_GHOST_FORMS.has(rec.form) && !hrKeys.has(key) && !payKeys.has(key)) ghostRecords.push(hit);
    if ((CONTRACT_FORMS.has(rec.form) && !contractKeys.has(key)) || (rec.form === 'REHIRED_RETIREE' && !rehireKeys.has(key))) {
      missingAgreements.push({ ...hit, employmentForm: rec.form });
    }
    if (rec.form === 'REHIRED_RETIREE') rehired.add(key);
    if (RECRUITED_FORMS.has(rec.form) && rec.start >= yearStart && rec.start <= L && !hired.has(key)) hiredWithoutRecruitment.push(hit);

    // 9: agreements overlapping the record's span.
    let minStart: string | null = null;
    let latestEnd: string | null = null;
    let openEnded = false;
    let any = false;
    for (const [s, e] of spans.get(key) ?? []) {
      if (!((rec.end === null || s <= rec.end) && (e === null || e >= rec.start))) continue;
      any = true;
      if (minStart === null || s < minStart) minStart = s;
      if (e === null) openEnded = true;
      else if (latestEnd === null || e > latestEnd) latestEnd = e;
    }
    if (!any) continue;
    if (rec.recorded !== null && minStart !== null) {
      const late = daysBetween(minStart, rec.recorded);
      if (late > 30) registryLate.push({ ...hit, kind: 'START', daysLate: late });
    }
    if (!openEnded && latestEnd !== null && latestEnd < L) {
      const late = daysBetween(latestEnd, rec.end ?? L);
      if (late > 30) registryLate.push({ ...hit, kind: 'END', daysLate: late });
    }
  }

  // ---- 7b RETIREE_OVER_AGE ----
  for (const key of rehireKeys) rehired.add(key);
  const retireesOverAgeLimit: RuleAnswers['retireesOverAgeLimit'] = [];
  for (const key of rehired) {
    const bar = key.indexOf('|');
    const unitCode = key.slice(0, bar);
    const idNumber = key.slice(bar + 1);
    const age = ageOn(birthDateOf(idNumber), L);
    if (age > ageLimit) retireesOverAgeLimit.push({ unitCode, idNumber, age });
  }

  // ---- 8b PAY_ABOVE_STANDARD ----
  const payStandardT = table(data.hr, 'pay_standard', ['year', 'unit_category', 'post_category', 'monthly_max']);
  const payStandard = new Map<string, number>(); // `${unitCategory}|${postCategory}` → cents, for Y
  for (const r of payStandardT.rows) {
    if (Number(r[payStandardT.ix.year]) === Y) {
      payStandard.set(`${str(r[payStandardT.ix.unit_category])}|${str(r[payStandardT.ix.post_category])}`, cents(r[payStandardT.ix.monthly_max]));
    }
  }
  const payAboveStandard: RuleAnswers['payAboveStandard'] = [];
  for (const line of lines) {
    const rec = leading.get(line.key);
    if (!rec) continue;
    const standard = payStandard.get(`${category.get(line.unit)!}|${rec.postCategory}`);
    if (standard === undefined || !(line.gross > standard)) continue;
    payAboveStandard.push({ unitCode: line.unit, idNumber: line.person, payrollLineId: line.id, grossPay: money(line.gross), standard: money(standard) });
  }

  // ---- 3 OVER_QUOTA and 5 QUOTA_RAISED ----
  const decisionT = table(data.staffing, 'quota_decision', ['id', 'unit_code', 'year', 'quota', 'previous_quota', 'exception_approved']);
  const lastYearQuota = new Map<string, number>();
  const decisions: { id: string; unit: string; quota: number; previous: number | null; approved: unknown }[] = [];
  for (const r of decisionT.rows) {
    const unit = str(r[decisionT.ix.unit_code]);
    if (!isD(unit)) continue;
    const year = Number(r[decisionT.ix.year]);
    const quota = Number(r[decisionT.ix.quota]);
    if (year === Y - 1) lastYearQuota.set(unit, quota);
    if (year !== Y) continue;
    const previous = r[decisionT.ix.previous_quota];
    decisions.push({ id: str(r[decisionT.ix.id]), unit, quota, previous: previous === null || previous === undefined ? null : Number(previous), approved: r[decisionT.ix.exception_approved] });
  }
  const overQuota: RuleAnswers['overQuota'] = [];
  const quotaRaised: RuleAnswers['quotaRaised'] = [];
  for (const d of decisions) {
    const registeredHeadcount = registeredCount.get(d.unit) ?? 0;
    const hrHeadcount = hrCount.get(d.unit) ?? 0;
    if (registeredHeadcount > d.quota || hrHeadcount > d.quota) overQuota.push({ unitCode: d.unit, quota: d.quota, registeredHeadcount, hrHeadcount });
    const prior = lastYearQuota.get(d.unit) ?? d.previous;
    if (prior !== null && d.quota > prior && isFalse(d.approved)) quotaRaised.push({ unitCode: d.unit, decisionId: d.id, quota: d.quota, priorQuota: prior });
  }

  // ---- 4 BUDGET_LINKAGE ----
  const budgetLinkage: RuleAnswers['budgetLinkage'] = [];
  for (const b of budgets) {
    const h = atSnapshot.get(k2(b.unit, b.snapshot))!.size;
    const expected = h * b.standard;
    if (b.basis !== h || b.amount !== expected) {
      budgetLinkage.push({ unitCode: b.unit, budgetId: b.id, headcountBasis: b.basis, registeredHeadcount: h, amount: money(b.amount), expectedAmount: money(expected) });
    }
  }

  // ---- 6a DISGUISED_OUTSOURCING and 6b UNRECOVERED_OUTSOURCING ----
  const serviceT = table(data.finance, 'service_contract', ['number', 'unit_code', 'start_date', 'end_date']);
  const inForce = new Map<string, string>(); // contract number → unit
  for (const r of serviceT.rows) {
    const unit = str(r[serviceT.ix.unit_code]);
    if (!isD(unit)) continue;
    const end = dateOrNull(r[serviceT.ix.end_date]);
    if (date(r[serviceT.ix.start_date]) <= L && end !== null && end >= F) inForce.set(str(r[serviceT.ix.number]), unit);
  }
  const workerT = table(data.finance, 'service_contract_worker', ['contract_number', 'id_number']);
  const disguisedOutsourcing: RuleAnswers['disguisedOutsourcing'] = [];
  const seenWorkers = new Set<string>();
  for (const r of workerT.rows) {
    const contractNumber = str(r[workerT.ix.contract_number]);
    const unit = inForce.get(contractNumber);
    if (unit === undefined) continue;
    const person = str(r[workerT.ix.id_number]);
    const seen = `${contractNumber}|${person}`;
    if (seenWorkers.has(seen)) continue;
    seenWorkers.add(seen);
    const key = k2(unit, person);
    const onRegistry = activeKeys.has(key);
    const onPayroll = payKeys.has(key);
    if (onRegistry || onPayroll) disguisedOutsourcing.push({ unitCode: unit, contractNumber, idNumber: person, onRegistry, onPayroll });
  }
  const recoveryT = table(data.staffing, 'quota_recovery', ['unit_code', 'contract_number']);
  const recovered = new Set<string>();
  for (const r of recoveryT.rows) {
    const number = strOrNull(r[recoveryT.ix.contract_number]);
    if (number !== null) recovered.add(k2(str(r[recoveryT.ix.unit_code]), number));
  }
  const unrecoveredOutsourcing: RuleAnswers['unrecoveredOutsourcing'] = [];
  for (const [contractNumber, unitCode] of inForce) {
    if (!recovered.has(k2(unitCode, contractNumber))) unrecoveredOutsourcing.push({ unitCode, contractNumber });
  }

  // ---- 10a OVERDUE_RECTIFICATION ----
  const rectT = table(data.audit, 'rectification', ['id', 'unit_code', 'deadline', 'status', 'completed_on']);
  const overdueRectifications: RuleAnswers['overdueRectifications'] = [];
  for (const r of rectT.rows) {
    const unit = str(r[rectT.ix.unit_code]);
    if (!isD(unit)) continue;
    const deadline = date(r[rectT.ix.deadline]);
    if (!(deadline < L)) continue;
    const completedOn = dateOrNull(r[rectT.ix.completed_on]);
    if (str(r[rectT.ix.status]) !== 'COMPLETED' || (completedOn !== null && completedOn > L)) {
      overdueRectifications.push({ unitCode: unit, rectificationId: str(r[rectT.ix.id]), daysOverdue: daysBetween(deadline, L) });
    }
  }

  // ---- 10b suspension ----
  const leadT = table(data.audit, 'issue_lead', ['id', 'unit_code', 'rule', 'status']);
  const suspending = new Map<string, string[]>();
  for (const r of leadT.rows) {
    const unit = str(r[leadT.ix.unit_code]);
    if (!isD(unit)) continue;
    const rule = strOrNull(r[leadT.ix.rule]);
    if (rule !== null && SUSPENDING_RULES.has(rule) && OPEN_STATUSES.has(str(r[leadT.ix.status]))) addTo(suspending, unit, str(r[leadT.ix.id]));
  }
  const registrySuspensions = [...suspending.entries()].map(([unitCode, ids]) => ({ unitCode, leadIds: ids.sort(cmpId) }));

  // ---- order: unit code, then ID number or contract number, then the record's id ----
  const byUnitThen =
    <T extends { unitCode: string }>(...rest: ((a: T, b: T) => number)[]) =>
    (a: T, b: T): number => {
      let c = cmp(a.unitCode, b.unitCode);
      for (let i = 0; c === 0 && i < rest.length; i++) c = rest[i]!(a, b);
      return c;
    };
  const byPerson = <T extends { idNumber: string }>(a: T, b: T) => cmp(a.idNumber, b.idNumber);
  const byRecord = <T extends { recordId: string }>(a: T, b: T) => cmpId(a.recordId, b.recordId);

  return {
    district: D,
    month: M,
    year: Y,
    ageLimit,
    unreportedStaff,
    ghostRecords: ghostRecords.sort(byUnitThen(byPerson, byRecord)),
    overQuota: overQuota.sort(byUnitThen()),
    budgetLinkage: budgetLinkage.sort(byUnitThen((a, b) => cmpId(a.budgetId, b.budgetId))),
    quotaRaised: quotaRaised.sort(byUnitThen((a, b) => cmpId(a.decisionId, b.decisionId))),
    disguisedOutsourcing: disguisedOutsourcing.sort(byUnitThen(byPerson, (a, b) => cmp(a.contractNumber, b.contractNumber))),
    unrecoveredOutsourcing: unrecoveredOutsourcing.sort(byUnitThen((a, b) => cmp(a.contractNumber, b.contractNumber))),
    missingAgreements: missingAgreements.sort(byUnitThen(byPerson, byRecord)),
    retireesOverAgeLimit: retireesOverAgeLimit.sort(byUnitThen(byPerson)),
    hiredWithoutRecruitment: hiredWithoutRecruitment.sort(byUnitThen(byPerson, byRecord)),
    payAboveStandard: payAboveStandard.sort(byUnitThen(byPerson, (a, b) => cmpId(a.payrollLineId, b.payrollLineId))),
    registryLate: registryLate.sort(byUnitThen(byPerson, byRecord, (a, b) => cmp(a.kind === 'START' ? '0' : '1', b.kind === 'START' ? '0' : '1'))),
    overdueRectifications: overdueRectifications.sort(byUnitThen((a, b) => cmpId(a.rectificationId, b.rectificationId))),
    registrySuspensions: registrySuspensions.sort(byUnitThen()),
  };
}
