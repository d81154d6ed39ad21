// Deterministic demo data for the four bureaus: units, off-establishment staff and everything the
// bureaus hold about them, for 萧山区 (330109) alone or for many districts (a city, the province),
// plus planted anomalies in 萧山 whose expected answer (the manifest) is computed from what was
// planted. Same options, same bytes: everything comes from one seeded PRNG and no clock is read.
// Districts are generated one after another and can be consumed one at a time (generateChunks), so
// that a province need not be held in memory to be loaded.
import { CREDIT_ALPHABET, creditCodeCheckChar, makeCreditCode, makeIdNumber } from '../../lib/ids.ts';
import { HANGZHOU_DISTRICTS, XIAOSHAN, ZHEJIANG_DISTRICTS, district as districtOf, shortDistrictName, townsOf, type District } from '../../lib/divisions.ts';
import type { EvidenceKind } from '../../lib/roster.ts';
import { Random } from './random.ts';
import { expectedAnswers, type RuleAnswers } from './expected.ts';
import { addDays, addMonths, addMonthsToDate, addYears, dayNumber, firstDay, fromDayNumber, lastDay, monthOf, timestamp } from './dates.ts';
import {
  APPLICATION_SUBJECTS,
  DISPATCH_AGENCIES,
  dispatchAgenciesOf,
  suppliersOf,
  DISTRICT_ORGANS,
  DISTRICT_SCHOOLS,
  FINDINGS,
  FUNDED_INSTITUTIONS,
  MASS_ORGANIZATIONS,
  MORE_FUNDED_INSTITUTIONS,
  OUTSIDE_BIRTHPLACES,
  POSTS,
  SCHOOL_POSTS,
  SCHOOL_SUFFIXES,
  SUPPLIERS,
  TOWN_INSTITUTIONS,
  TOWN_POSTS,
  educationFor,
  personName,
  type PostCategory,
} from './names.ts';
import { BUREAU_NAMES, TABLE_COLUMNS, TableBuilder, type BureauName, type Row, type TableName } from './tables.ts';

export { BUREAU_NAMES, type BureauName } from './tables.ts';

export interface GenerateOptions {
  seed: number;
  /** Units in all districts together (default 220). */
  units?: number;
  /** Off-establishment staff in all districts together (default 3200). */
  people?: number;
  /**
   * Division codes of the districts to generate (default just 萧山, 330109, which must be among them).
   * Units and people are shared out by district size; planted answers are all in 萧山.
   */
  districts?: readonly string[];
  month?: string;
  plantedUnits?: number;
  /** Share of records given each kind of anomaly (the ten questions); see DEFAULT_RATES. */
  rates?: Partial<AnomalyRates>;
}

/** Rates of background anomalies, each a share of the records it applies to. */
export interface AnomalyRates {
  /** Registered contract or dispatch staff with no contract, insurance or pay (question 2). */
  ghostRecord: number;
  /** Units whose quota is set below their registered headcount (question 3). */
  overQuota: number;
  /** Budgets whose headcount basis is off (question 4). */
  budgetHeadcount: number;
  /** Budgets whose amount is off (question 4). */
  budgetAmount: number;
  /** Quotas raised with an approved exception (not an anomaly: the look-alike of question 5). */
  quotaRaisedApproved: number;
  /** Quotas raised without an approved exception (question 5). */
  quotaRaised: number;
  /** Purchase-of-service contracts whose quota was never recovered (question 6). */
  unrecoveredOutsourcing: number;
  /** Contract staff paid and insured but with no contract on file (question 7). */
  noAgreement: number;
  /** Rehired retirees older than 65 (question 7). */
  retireeOverAge: number;
  /** Contract and dispatch hires with no public-recruitment record (question 8). */
  hiredWithoutRecruitment: number;
  /** Payroll lines above the pay standard (question 8). */
  payAboveStandard: number;
  /** Registry entries made 35-90 days after the contract started (question 9). */
  registryLateStart: number;
  /** Contracts ended while the registry record stays open (question 9). */
  registryLateEnd: number;
}

export const DEFAULT_RATES: AnomalyRates = {
  ghostRecord: 0.01,
  overQuota: 0.04,
  budgetHeadcount: 0.03,
  budgetAmount: 0.02,
  quotaRaisedApproved: 0.07,
  quotaRaised: 0.03,
  unrecoveredOutsourcing: 0.2,
  noAgreement: 0.01,
  retireeOverAge: 0.1,
  hiredWithoutRecruitment: 0.04,
  payAboveStandard: 0.01,
  registryLateStart: 0.01,
  registryLateEnd: 0.005,
};

export interface TableRows {
  columns: string[];
  rows: unknown[][];
}
/** Tables of one bureau, keyed by SQL table name, in foreign-key order. */
export type BureauRows = Record<string, TableRows>;

export type PlantedKind =
  | 'CONTRACT_INSURANCE_PAYROLL_UNREGISTERED'
  | 'DISPATCH_ONLY_UNREGISTERED'
  | 'REGISTRY_ENDED_PAYROLL_CONTINUES'
  | 'REGISTERED_ELSEWHERE'
  | 'REHIRE_UNREGISTERED'
  | 'REGISTRY_STARTS_AFTER_MONTH';

export type NegativeControlKind =
  | 'CONTRACT_TERMINATED_BEFORE_MONTH'
  | 'PAYROLL_OTHER_MONTH'
  | 'REGISTRY_ENDS_MID_MONTH'
  | 'OTHER_DISTRICT'
  | 'CONTRACT_STARTS_AFTER_MONTH'
  | 'REHIRE_ENDED_BEFORE_MONTH';

export interface Evidence {
  bureau: 'HR' | 'FINANCE';
  kind: EvidenceKind;
  reference: string;
}

export interface Manifest {
  seed: number;
  month: string;
  district: '330109';
  counts: {
    units: number;
    /** Distinct people (ID numbers) anywhere in the data. */
    people: number;
    tables: Record<BureauName, Record<string, number>>;
  };
  unreportedStaff: {
    units: {
      code: string;
      name: string;
      people: { idNumber: string; name: string; evidence: Evidence[] }[];
      /** OPEN or ROUTED leads at the unit, newest created_at first, then id descending. */
      openLeadIds: string[];
    }[];
  };
  /** What was planted where; unitCode is where the person shows up as unreported. */
  planted: { kind: PlantedKind; unitCode: string; idNumber: string }[];
  /** Look-alikes that must not be answers. */
  negativeControls: { kind: NegativeControlKind; unitCode: string; idNumber: string }[];
  /** Credit codes of units outside the district that appear in HR and finance data only. */
  otherDistrictUnits: string[];
  /** The expected answer of every cross-bureau rule in the home district (docs/rules.md). */
  rules: RuleAnswers;
}

export interface GeneratedData {
  staffing: BureauRows;
  finance: BureauRows;
  hr: BureauRows;
  audit: BureauRows;
  manifest: Manifest;
}

type Category = 'DISTRICT_ORGAN' | 'FUNDED_INSTITUTION' | 'EDUCATION' | 'TOWN_SUBDISTRICT';
type Form = 'LABOUR_CONTRACT' | 'DISPATCH' | 'REHIRED_RETIREE' | 'TEMPORARY' | 'SECONDED' | 'PURCHASED_SERVICE' | 'NO_PAPERWORK';
type Funding = 'FULL' | 'PARTIAL' | 'SELF_FUNDED';
type Sex = 'MALE' | 'FEMALE';
type LeadStatus = 'OPEN' | 'ROUTED' | 'CLOSED' | 'RESOLVED_BY_DATA';

interface Unit {
  code: string;
  name: string;
  nature: 'ORGAN' | 'PUBLIC_INSTITUTION' | 'MASS_ORGANIZATION';
  category: Category;
  funding: Funding;
  supervisor: string | null;
  town: string | null;
  size: number;
  actual: number;
  /** Relative number of off-establishment staff. */
  weight: number;
}

interface Person {
  idNumber: string;
  name: string;
  sex: Sex;
  birth: string;
  education: string;
}

interface Job {
  post: string;
  postCategory: PostCategory;
  form: Form;
}

const CATEGORIES: readonly Category[] = ['DISTRICT_ORGAN', 'FUNDED_INSTITUTION', 'EDUCATION', 'TOWN_SUBDISTRICT'];
const CATEGORY_SHARE: Record<Category, number> = { DISTRICT_ORGAN: 0.15, FUNDED_INSTITUTION: 0.35, EDUCATION: 0.25, TOWN_SUBDISTRICT: 0.25 };
const PLANTED_KINDS: readonly PlantedKind[] = [
  'CONTRACT_INSURANCE_PAYROLL_UNREGISTERED',
  'DISPATCH_ONLY_UNREGISTERED',
  'REGISTRY_ENDED_PAYROLL_CONTINUES',
  'REGISTERED_ELSEWHERE',
  'REHIRE_UNREGISTERED',
  'REGISTRY_STARTS_AFTER_MONTH',
];
const CONTROL_KINDS: readonly NegativeControlKind[] = [
  'CONTRACT_TERMINATED_BEFORE_MONTH',
  'PAYROLL_OTHER_MONTH',
  'REGISTRY_ENDS_MID_MONTH',
  'OTHER_DISTRICT',
  'CONTRACT_STARTS_AFTER_MONTH',
  'REHIRE_ENDED_BEFORE_MONTH',
];
/** 余杭区: a neighbouring district whose units must never count for 萧山. */
const OTHER_DISTRICT = '330110';
/** Institutions only 萧山 has. */
const LOCAL_ONLY = /湘湖/;
const POST_CATEGORY_WEIGHTS: readonly (readonly [PostCategory, number])[] = [
  ['辅助管理', 50],
  ['专业技术', 20],
  ['工勤', 30],
];
const MONTHLY_MAX: Record<PostCategory, number> = { 辅助管理: 6800, 专业技术: 8600, 工勤: 5800 };
const CATEGORY_PAY: Record<Category, number> = { DISTRICT_ORGAN: 1.05, FUNDED_INSTITUTION: 1, EDUCATION: 1, TOWN_SUBDISTRICT: 0.95 };
const FUNDING_PER_HEAD: Record<Category, number> = { DISTRICT_ORGAN: 98_000, FUNDED_INSTITUTION: 92_000, EDUCATION: 86_000, TOWN_SUBDISTRICT: 80_000 };

function money(cents: number): string {
  const c = Math.round(cents);
  return `${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A table's rows of the district being generated; serial ids continue across districts. */
class Table<B extends BureauName, T extends TableName<B>> extends TableBuilder<B, T> {
  private drained = 0;

  override get nextId(): number {
    return this.drained + this.rows.length + 1;
  }

  /** As TableBuilder.add, without building a key list per row: a missing column still throws. */
  override add(row: Row<B, T>): void {
    const values = row as Record<string, unknown>;
    const columns = this.columns;
    const out = new Array<unknown>(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const v = values[columns[i]!];
      if (v === undefined) throw new Error(`row misses column ${columns[i]}`);
      out[i] = v;
    }
    this.rows.push(out);
  }

  /** Rows generated so far, drained or not. */
  get total(): number {
    return this.drained + this.rows.length;
  }

  /** Hands over the rows held and forgets them. */
  drain(): unknown[][] {
    const out = this.rows.slice();
    this.rows.length = 0;
    this.drained += out.length;
    return out;
  }
}

type Tables<B extends BureauName> = { [T in TableName<B>]: Table<B, T> };

function tablesOf<B extends BureauName>(bureau: B): Tables<B> {
  const out: Record<string, Table<B, TableName<B>>> = {};
  for (const [name, columns] of Object.entries(TABLE_COLUMNS[bureau] as Record<string, readonly string[]>)) {
    out[name] = new Table(columns);
  }
  return out as Tables<B>;
}

function drainAll(tables: object): BureauRows {
  const out: BureauRows = {};
  for (const [name, t] of Object.entries(tables as Record<string, Table<BureauName, never>>)) {
    out[name] = { columns: [...t.columns], rows: t.drain() };
  }
  return out;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function minDate(a: string, b: string): string {
  return a < b ? a : b;
}

/** The sizes behind `--scale`: the generate options each scale maps to. */
export const SCALES = {
  /** 萧山 alone. */
  district: { districts: [XIAOSHAN], units: 800, people: 20_000 },
  /** Hangzhou: 13 districts. */
  city: { districts: HANGZHOU_DISTRICTS.map((d) => d.code), units: 8_000, people: 200_000 },
  /** Zhejiang: 90 county-level divisions. */
  province: { districts: ZHEJIANG_DISTRICTS.map((d) => d.code), units: 50_000, people: 1_000_000 },
} as const satisfies Record<string, Required<Pick<GenerateOptions, 'districts' | 'units' | 'people'>>>;
export type ScaleName = keyof typeof SCALES;

/** One district's rows (the first chunk also carries the province-wide standards). */
export interface DataChunk {
  district: string;
  units: number;
  people: number;
  staffing: BureauRows;
  finance: BureauRows;
  hr: BureauRows;
  audit: BureauRows;
}

/** How many units and people each district gets, before anything is generated. */
export interface DistrictPlan {
  district: District;
  home: boolean;
  units: number;
  people: number;
}

interface World {
  seed: number;
  month: string;
  plantedCount: number;
  rates: AnomalyRates;
  rng: Random;
  creditCodes: Set<string>;
  idNumbers: Set<string>;
  contractSeq: { HT: number; PQ: number; FP: number };
  staffing: Tables<'staffing'>;
  finance: Tables<'finance'>;
  hr: Tables<'hr'>;
  audit: Tables<'audit'>;
}

/** What the home district adds to the manifest. */
interface HomeAnswers {
  unreportedStaff: Manifest['unreportedStaff'];
  planted: Manifest['planted'];
  negativeControls: Manifest['negativeControls'];
  otherDistrictUnits: string[];
}

/** Shares `total` out in proportion to `weights` (largest remainder; ties to the earlier). */
function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (sum > 0 ? (total * w) / sum : total / weights.length));
  const out = exact.map(Math.floor);
  let rest = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; rest > 0; k++, rest--) out[order[k % order.length]![1]]! += 1;
  return out;
}

/** Units and people per district: 萧山 first, the others in code order; bigger districts get more. */
export function planDistricts(options: Pick<GenerateOptions, 'districts' | 'units' | 'people'>): DistrictPlan[] {
  const codes = options.districts ?? [XIAOSHAN];
  const unitCount = options.units ?? 220;
  const peopleCount = options.people ?? 3200;
  if (new Set(codes).size !== codes.length) throw new Error('districts must not repeat');
  if (!codes.includes(XIAOSHAN)) throw new Error(`districts must include ${XIAOSHAN} (萧山), where the planted answers are`);
  const districts = [XIAOSHAN, ...codes.filter((c) => c !== XIAOSHAN).sort()].map((c) => {
    const d = districtOf(c);
    if (!d) throw new Error(`unknown district ${c}: expected a county-level division code of Zhejiang`);
    return d;
  });
  const min = 8;
  if (!Number.isInteger(unitCount) || unitCount < min * districts.length) {
    throw new Error(`units must be an integer of at least ${min * districts.length} (${min} per district), got ${unitCount}`);
  }
  if (!Number.isInteger(peopleCount) || peopleCount < 0) throw new Error(`people must be a non-negative integer, got ${peopleCount}`);
  // Every district has its organs and towns whatever its size: half fixed, half by population.
  const mean = districts.reduce((s, d) => s + d.population, 0) / districts.length;
  const weights = districts.map((d) => 0.5 + (0.5 * d.population) / mean);
  const units = apportion(unitCount - min * districts.length, weights).map((n) => n + min);
  districts.forEach((d, i) => {
    const { capacity } = namePools(localiser(d, i === 0));
    const most = CATEGORIES.reduce((s, c) => s + capacity[c], 0);
    if (units[i]! > most) throw new Error(`${d.name} would get ${units[i]} units, but at most ${most} can be named there; ask for fewer units`);
  });
  const people = apportion(peopleCount, units);
  return districts.map((d, i) => ({ district: d, home: i === 0, units: units[i]!, people: people[i]! }));
}

/**
 * The data district by district: yields one chunk per district (萧山 first) and returns the manifest.
 * Rows of a chunk are handed over and not kept, so memory stays at about one district's worth.
 * Options are checked at once (throwing), before the first chunk is asked for.
 */
export function generateChunks(options: GenerateOptions): Generator<DataChunk, Manifest, void> {
  const w = createWorld(options);
  return districtsOf(w, planDistricts(options));
}

function createWorld(options: GenerateOptions): World {
  const seed = options.seed;
  const month = options.month ?? '2026-10';
  const plantedCount = options.plantedUnits ?? 24;
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new Error(`month must be YYYY-MM, got ${month}`);
  const plans = planDistricts(options);
  const homeUnits = plans[0]!.units;
  if (!Number.isInteger(plantedCount) || plantedCount < 0 || plantedCount > homeUnits - 1) {
    throw new Error(`plantedUnits must be an integer from 0 to ${homeUnits - 1} (萧山's units - 1), got ${plantedCount}`);
  }
  const rates: AnomalyRates = { ...DEFAULT_RATES, ...options.rates };
  for (const [name, rate] of Object.entries(rates)) {
    if (!(name in DEFAULT_RATES)) throw new Error(`unknown rate ${name}; known: ${Object.keys(DEFAULT_RATES).join(', ')}`);
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) throw new Error(`rate ${name} must be between 0 and 1, got ${rate}`);
  }
  return {
    seed,
    month,
    plantedCount,
    rates,
    rng: new Random(seed),
    creditCodes: new Set(),
    idNumbers: new Set(),
    contractSeq: { HT: 0, PQ: 0, FP: 0 },
    staffing: tablesOf('staffing'),
    finance: tablesOf('finance'),
    hr: tablesOf('hr'),
    audit: tablesOf('audit'),
  };
}

function* districtsOf(w: World, plans: readonly DistrictPlan[]): Generator<DataChunk, Manifest, void> {
  const { seed, month } = w;
  let home: HomeAnswers | null = null;
  let rules: RuleAnswers | null = null;
  let units = 0;
  for (const plan of plans) {
    const answers = generateDistrict(w, plan);
    units += plan.units;
    const chunk: DataChunk = {
      district: plan.district.code,
      units: plan.units,
      people: plan.people,
      staffing: drainAll(w.staffing),
      finance: drainAll(w.finance),
      hr: drainAll(w.hr),
      audit: drainAll(w.audit),
    };
    if (plan.home) {
      home = answers;
      // Every row about the home district's units is in its own chunk, so its answers need no other.
      rules = expectedAnswers(chunk, { district: XIAOSHAN, month });
    }
    yield chunk;
  }
  const tables = {} as Record<BureauName, Record<string, number>>;
  for (const b of BUREAU_NAMES) {
    tables[b] = Object.fromEntries(Object.entries(w[b] as Record<string, Table<BureauName, never>>).map(([t, table]) => [t, table.total]));
  }
  return {
    seed,
    month,
    district: XIAOSHAN,
    counts: { units, people: w.idNumbers.size, tables },
    ...home!,
    rules: rules!,
  };
}

/** All districts' rows in memory, with the manifest. */
export function generate(options: GenerateOptions): GeneratedData {
  const chunks = generateChunks(options);
  const rows = { staffing: {}, finance: {}, hr: {}, audit: {} } as Record<BureauName, BureauRows>;
  let next = chunks.next();
  for (; !next.done; next = chunks.next()) {
    for (const b of BUREAU_NAMES) {
      for (const [name, t] of Object.entries(next.value[b])) {
        const into = rows[b][name];
        if (!into) rows[b][name] = t;
        else for (const r of t.rows) into.rows.push(r);
      }
    }
  }
  const data: GeneratedData = { ...rows, manifest: next.value };
  return data;
}

/** One district: its units, staff and everything the bureaus hold about them; 萧山 also gets the plants. */
function generateDistrict(w: World, plan: DistrictPlan): HomeAnswers | null {
  const { month, plantedCount, rates, rng, creditCodes, idNumbers, contractSeq, staffing, finance, hr, audit } = w;
  const unitCount = plan.units;
  const peopleCount = plan.people;
  const D = plan.district;
  const isHome = plan.home;
  const L10N = localiser(D, isHome);

  const Y = Number(month.slice(0, 4));
  const F = firstDay(month);
  const L = lastDay(month);
  const prevMonth = addMonths(month, -1);
  const nextMonth = addMonths(month, 1);
  const between = (from: string, to: string): string => {
    const a = dayNumber(from);
    const b = dayNumber(to);
    return fromDayNumber(b <= a ? a : rng.int(a, b));
  };
  const recordedAt = (date: string, lagFrom = 1, lagTo = 10): string =>
    timestamp(addDays(date, rng.int(lagFrom, lagTo)), rng.int(8, 17), rng.int(0, 59), rng.int(0, 59));

  // ---- units ----------------------------------------------------------------------------------
  const newCreditCode = (kind: '1' | '2' | '3', division: string): string => {
    for (;;) {
      let org = '';
      for (let i = 0; i < 8; i++) org += String(rng.int(0, 9));
      org += CREDIT_ALPHABET[Math.floor(rng.next() * CREDIT_ALPHABET.length)];
      const code = makeCreditCode(kind, division, org);
      if (!creditCodes.has(code)) {
        creditCodes.add(code);
        return code;
      }
    }
  };
  const units = buildUnits(unitCount, rng, newCreditCode, D, L10N);
  const unitByCode = new Map(units.map((u) => [u.code, u]));
  for (const u of units) {
    staffing.unit.add({
      code: u.code,
      name: u.name,
      nature: u.nature,
      category: u.category,
      funding_form: u.funding,
      supervising_unit_code: u.supervisor,
      district_code: D.code,
      town_code: u.town,
      establishment_size: u.size,
      establishment_actual: u.actual,
    });
  }
  const otherDistrictUnits = isHome ? [newCreditCode('2', OTHER_DISTRICT), newCreditCode('2', OTHER_DISTRICT), newCreditCode('1', OTHER_DISTRICT)] : [];

  // ---- people ---------------------------------------------------------------------------------
  const newPerson = (birthFrom: string, birthTo: string, sex: Sex = rng.chance(0.52) ? 'FEMALE' : 'MALE'): Person => {
    const birth = between(birthFrom, birthTo);
    // Most were born in the district, some elsewhere in Zhejiang, a few in other provinces.
    const where = rng.next();
    const division = where < 0.7 ? D.code : where < 0.92 ? rng.pick(ZHEJIANG_DISTRICTS).code : rng.pick(OUTSIDE_BIRTHPLACES);
    const digits = birth.slice(0, 4) + birth.slice(5, 7) + birth.slice(8, 10);
    let idNumber: string;
    do {
      idNumber = makeIdNumber(division, digits, rng.int(0, 499) * 2 + (sex === 'MALE' ? 1 : 0));
    } while (idNumbers.has(idNumber));
    idNumbers.add(idNumber);
    const year = Number(birth.slice(0, 4));
    return { idNumber, name: personName(rng, sex, year), sex, birth, education: educationFor(rng, year) };
  };
  const workingAgePerson = (): Person => newPerson(`${Y - 64}-01-01`, `${Y - 22}-12-31`);
  /** Born so that they retired (men 60, women 55) at least half a year before the month. */
  const retiree = (): Person => {
    const sex: Sex = rng.chance(0.5) ? 'FEMALE' : 'MALE';
    return newPerson(`${Y - 64}-01-01`, sex === 'MALE' ? `${Y - 61}-06-30` : `${Y - 56}-06-30`, sex);
  };
  /** Past the usual rehire age limit of 65 by the month (question 7). */
  const oldRetiree = (): Person => newPerson(`${Y - 74}-01-01`, `${Y - 67}-12-31`);
  const retiredOn = (p: Person): string => addYears(p.birth, p.sex === 'MALE' ? 60 : 55);

  const makeJob = (unit: Unit, form: Form): Job => {
    const postCategory = form === 'PURCHASED_SERVICE' ? '工勤' : rng.weighted(POST_CATEGORY_WEIGHTS);
    const pool = unit.category === 'EDUCATION' ? SCHOOL_POSTS : unit.category === 'TOWN_SUBDISTRICT' ? TOWN_POSTS : POSTS;
    return { post: rng.pick(pool[postCategory]), postCategory, form };
  };

  // ---- row writers ----------------------------------------------------------------------------
  const addRegistry = (unit: string, p: Person, job: Job, start: string, end: string | null, reason: string, recorded: string): number => {
    const id = staffing.registry_record.nextId;
    staffing.registry_record.add({
      id,
      unit_code: unit,
      id_number: p.idNumber,
      name: p.name,
      education: p.education,
      post: job.post,
      post_category: job.postCategory,
      employment_form: job.form,
      start_date: start,
      end_date: end,
      change_reason: reason,
      recorded_at: recorded,
    });
    return id;
  };
  const contractId = (prefix: keyof typeof contractSeq, start: string): string =>
    `${prefix}-${start.slice(0, 4)}-${String(++contractSeq[prefix]).padStart(6, '0')}`;
  const addContract = (
    unit: string,
    p: Person,
    kind: 'LABOUR_CONTRACT' | 'DISPATCH',
    start: string,
    end: string | null,
    terminatedOn: string | null = null,
  ): string => {
    const id = contractId(kind === 'DISPATCH' ? 'PQ' : 'HT', start);
    hr.employment_contract.add({
      id,
      id_number: p.idNumber,
      name: p.name,
      unit_code: unit,
      kind,
      dispatch_agency: kind === 'DISPATCH' ? rng.pick(L10N.agencies) : null,
      start_date: start,
      end_date: end,
      signed_on: addDays(start, -rng.int(0, 10)),
      terminated_on: terminatedOn,
    });
    return id;
  };
  const addRehire = (unit: string, p: Person, start: string, end: string | null): string => {
    const id = contractId('FP', start);
    hr.rehire_agreement.add({ id, id_number: p.idNumber, name: p.name, unit_code: unit, retired_on: retiredOn(p), start_date: start, end_date: end });
    return id;
  };
  const addInsurance = (unit: string, p: Person, startMonth: string, endMonth: string | null): number => {
    const id = hr.insurance_enrolment.nextId;
    hr.insurance_enrolment.add({ id, id_number: p.idNumber, name: p.name, unit_code: unit, start_month: startMonth, end_month: endMonth });
    return id;
  };
  const payFor = (category: Category, postCategory: PostCategory): number => {
    const max = Math.round((MONTHLY_MAX[postCategory] * CATEGORY_PAY[category]) / 100) * 100;
    // About one in a hundred is paid above the standard (question 8).
    return rng.chance(rates.payAboveStandard) ? max * (1.05 + rng.next() * 0.15) : max * (0.6 + rng.next() * 0.35);
  };
  const addPayroll = (unit: string, p: Person, m: string, postCategory: PostCategory): number => {
    const id = finance.payroll_line.nextId;
    const u = unitByCode.get(unit);
    const funding = u?.funding ?? 'FULL';
    const source = funding === 'SELF_FUNDED' ? 'UNIT_OWN_FUNDS' : funding === 'PARTIAL' ? rng.pick(['BUDGET', 'UNIT_OWN_FUNDS']) : rng.chance(0.08) ? 'SPECIAL_FUND' : 'BUDGET';
    finance.payroll_line.add({
      id,
      unit_code: unit,
      id_number: p.idNumber,
      name: p.name,
      month: m,
      gross_pay: money(payFor(u?.category ?? 'FUNDED_INSTITUTION', postCategory) * 100),
      funding_source: source,
    });
    return id;
  };
  const addExit = (unit: string, p: Person, on: string, reason: string): void => {
    hr.exit_record.add({ id: hr.exit_record.nextId, id_number: p.idNumber, unit_code: unit, exit_on: on, reason });
  };
  /** Consecutive terms from start until one covers the month's last day; optionally open-ended after k terms. */
  const terms = (start: string, months: number, openAfter: number | null): [string, string | null][] => {
    const out: [string, string | null][] = [];
    let s = start;
    for (let k = 0; ; k++) {
      if (openAfter !== null && k >= openAfter) {
        out.push([s, null]);
        return out;
      }
      const e = addDays(addMonthsToDate(s, months), -1);
      out.push([s, e]);
      if (e >= L) return out;
      s = addDays(e, 1);
    }
  };

  // ---- normal staff: registered where they work, so never unreported ---------------------------
  const cumulative: number[] = [];
  let totalWeight = 0;
  for (const u of units) cumulative.push((totalWeight += u.weight));
  const weightedUnit = (): Unit => {
    const r = rng.next() * totalWeight;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! > r) hi = mid;
      else lo = mid + 1;
    }
    return units[lo]!;
  };
  const otherUnit = (not: string): Unit => {
    for (;;) {
      const u = rng.pick(units);
      if (u.code !== not) return u;
    }
  };

  interface Hire {
    unit: Unit;
    person: Person;
    start: string;
  }
  const recruitable: Hire[] = [];
  const purchasedService: { unit: Unit; person: Person }[] = [];
  const latestStart = addDays(F, -45);

  const normalPerson = (unit: Unit): void => {
    const form = rng.weighted<Form>([
      ['DISPATCH', unit.category === 'EDUCATION' ? 40 : 52],
      ['LABOUR_CONTRACT', unit.category === 'EDUCATION' ? 38 : 26],
      ['REHIRED_RETIREE', 6],
      ['TEMPORARY', 5],
      ['SECONDED', 3],
      ['PURCHASED_SERVICE', 4],
      ['NO_PAPERWORK', 2],
    ]);
    const p = form === 'REHIRED_RETIREE' ? (rng.chance(rates.retireeOverAge) ? oldRetiree() : retiree()) : workingAgePerson();
    const job = makeJob(unit, form);
    let start: string;
    if (form === 'REHIRED_RETIREE') {
      const retired = retiredOn(p);
      start = addDays(retired, rng.int(1, 180));
      if (start > latestStart) start = latestStart;
    } else {
      const from = form === 'TEMPORARY' ? addDays(F, -700) : `${Y - 12}-01-01`;
      const adult = addYears(p.birth, 18);
      const lo = dayNumber(adult > from ? adult : from);
      const hi = dayNumber(latestStart);
      // Skewed towards recent hires, as turnover leaves fewer long-serving staff.
      start = fromDayNumber(lo >= hi ? hi : hi - Math.floor((hi - lo) * rng.next() ** 1.6));
    }
    const lateRegistry = rng.chance(rates.registryLateStart);
    const lagMax = Math.max(1, dayNumber(F) - dayNumber(start) - 1);
    const recorded = lateRegistry ? recordedAt(start, Math.min(35, lagMax), Math.min(90, lagMax)) : recordedAt(start);
    const recent = dayNumber(F) - dayNumber(start) < 365;

    // An earlier stint elsewhere, long ended: history the rule must ignore.
    if (form !== 'REHIRED_RETIREE' && rng.chance(0.04)) {
      const prevEnd = addDays(start, -rng.int(30, 120));
      const prevStart = addDays(prevEnd, -rng.int(365, 1500));
      if (prevStart >= `${Y - 14}-01-01` && prevStart >= addYears(p.birth, 18)) {
        const prev = otherUnit(unit.code);
        const prevJob = makeJob(prev, form === 'DISPATCH' ? 'DISPATCH' : 'LABOUR_CONTRACT');
        addRegistry(prev.code, p, prevJob, prevStart, prevEnd, 'TERMINATED', recordedAt(prevStart));
        const natural = addDays(addYears(prevStart, 3), -1);
        addContract(prev.code, p, prevJob.form === 'DISPATCH' ? 'DISPATCH' : 'LABOUR_CONTRACT', prevStart, natural > prevEnd ? natural : prevEnd, prevEnd);
        addInsurance(prev.code, p, monthOf(prevStart), monthOf(prevEnd));
        addExit(prev.code, p, prevEnd, 'RESIGNED');
      }
    }

    addRegistry(unit.code, p, job, start, null, recent ? 'ADDED' : 'IN_SERVICE', recorded);
    const contractForm = form === 'LABOUR_CONTRACT' || form === 'DISPATCH' || form === 'TEMPORARY';
    if (contractForm && rng.chance(rates.ghostRecord)) return; // registered, nothing else anywhere
    if (contractForm && rng.chance(rates.noAgreement)) {
      // Insured and paid, but HR has no contract on file.
      addInsurance(unit.code, p, monthOf(start), null);
      addPayroll(unit.code, p, prevMonth, job.postCategory);
      addPayroll(unit.code, p, month, job.postCategory);
      return;
    }
    if (contractForm && rng.chance(rates.registryLateEnd) && dayNumber(F) - dayNumber(start) > 400) {
      // Left 35-200 days before the month, but the registry record was never closed.
      const left = addDays(F, -rng.int(35, 200));
      const kind = form === 'DISPATCH' ? 'DISPATCH' : 'LABOUR_CONTRACT';
      addContract(unit.code, p, kind, start, addDays(addYears(start, 5), -1), left);
      addInsurance(unit.code, p, monthOf(start), monthOf(left));
      addPayroll(unit.code, p, monthOf(left), job.postCategory);
      addExit(unit.code, p, left, 'RESIGNED');
      return;
    }
    let paid = true;
    switch (form) {
      case 'LABOUR_CONTRACT':
        for (const [s, e] of terms(start, 36, rng.chance(0.3) ? 2 : null)) addContract(unit.code, p, 'LABOUR_CONTRACT', s, e);
        addInsurance(unit.code, p, monthOf(start), null);
        recruitable.push({ unit, person: p, start });
        break;
      case 'DISPATCH':
        for (const [s, e] of terms(start, 24, null)) addContract(unit.code, p, 'DISPATCH', s, e);
        addInsurance(unit.code, p, monthOf(start), null);
        recruitable.push({ unit, person: p, start });
        break;
      case 'TEMPORARY':
        for (const [s, e] of terms(start, 12, null)) addContract(unit.code, p, 'LABOUR_CONTRACT', s, e);
        addInsurance(unit.code, p, monthOf(start), null);
        break;
      case 'REHIRED_RETIREE':
        for (const [s, e] of terms(start, 12, rng.chance(0.2) ? 1 : null)) addRehire(unit.code, p, s, e);
        break;
      case 'SECONDED':
        paid = false;
        break;
      case 'PURCHASED_SERVICE':
        paid = false;
        purchasedService.push({ unit, person: p });
        break;
      case 'NO_PAPERWORK':
        break;
    }
    if (paid) {
      addPayroll(unit.code, p, prevMonth, job.postCategory);
      addPayroll(unit.code, p, month, job.postCategory);
    }
  };

  const formerPerson = (unit: Unit): void => {
    const form: Form = rng.chance(0.6) ? 'DISPATCH' : 'LABOUR_CONTRACT';
    const p = workingAgePerson();
    const job = makeJob(unit, form);
    const adult = addYears(p.birth, 18);
    const from = `${Y - 10}-01-01`;
    const start = between(adult > from ? adult : from, addDays(F, -400));
    const end = between(addDays(start, 180), addDays(F, -60));
    const ageAtEnd = Number(end.slice(0, 4)) - Number(p.birth.slice(0, 4));
    let reason = rng.weighted([
      ['TERMINATED', 68],
      ['DISMISSED', 15],
      ['RETIRED', 15],
      ['DECEASED', 2],
    ] as const);
    if (reason === 'RETIRED' && ageAtEnd < (p.sex === 'MALE' ? 60 : 55)) reason = 'TERMINATED';
    addRegistry(unit.code, p, job, start, end, reason, recordedAt(start));
    const exitReason =
      reason === 'DISMISSED' ? 'DISMISSED' : reason === 'RETIRED' ? 'RETIRED' : reason === 'DECEASED' ? 'OTHER'
        : rng.weighted([
            ['CONTRACT_EXPIRED', 30],
            ['RESIGNED', 30],
            ['PUBLIC_INSTITUTION_POST', 15],
            ['SOCIAL_WORKER', 10],
            ['VILLAGE_WORKER', 10],
            ['OTHER', 5],
          ] as const);
    const kind = form === 'DISPATCH' ? 'DISPATCH' : 'LABOUR_CONTRACT';
    if (exitReason === 'CONTRACT_EXPIRED') addContract(unit.code, p, kind, start, end);
    else {
      const natural = addDays(addYears(start, 3), -1);
      addContract(unit.code, p, kind, start, natural > end ? natural : end, end);
    }
    addInsurance(unit.code, p, monthOf(start), monthOf(end));
    if (reason !== 'DECEASED' || rng.chance(0.5)) addExit(unit.code, p, end, exitReason);
  };

  for (let i = 0; i < peopleCount; i++) {
    const unit = weightedUnit();
    if (rng.chance(0.08)) formerPerson(unit);
    else normalPerson(unit);
  }

  // ---- planted anomalies: the expected answer -------------------------------------------------
  const expected = new Map<string, Map<string, { name: string; evidence: Evidence[] }>>();
  const planted: Manifest['planted'] = [];
  const note = (unit: string, p: Person, kind: EvidenceKind, reference: string | number): void => {
    let byPerson = expected.get(unit);
    if (!byPerson) expected.set(unit, (byPerson = new Map()));
    let entry = byPerson.get(p.idNumber);
    if (!entry) byPerson.set(p.idNumber, (entry = { name: p.name, evidence: [] }));
    entry.evidence.push({ bureau: kind === 'PAYROLL' ? 'FINANCE' : 'HR', kind, reference: String(reference) });
  };
  const contractKind = (kind: 'LABOUR_CONTRACT' | 'DISPATCH'): EvidenceKind => (kind === 'DISPATCH' ? 'DISPATCH_AGREEMENT' : 'LABOUR_CONTRACT');

  const plantedUnits = isHome ? pickSpread(units, plantedCount, rng) : [];
  const plantedSet = new Set(plantedUnits.map((u) => u.code));
  let kindCursor = 0;
  for (const unit of plantedUnits) {
    const anomalies = rng.weighted([
      [1, 45],
      [2, 35],
      [3, 20],
    ] as const);
    for (let a = 0; a < anomalies; a++) {
      const kind = PLANTED_KINDS[kindCursor++ % PLANTED_KINDS.length]!;
      const u = unit.code;
      const postCategory = rng.weighted(POST_CATEGORY_WEIGHTS);
      switch (kind) {
        case 'CONTRACT_INSURANCE_PAYROLL_UNREGISTERED': {
          const p = workingAgePerson();
          const ck = rng.chance(0.6) ? 'LABOUR_CONTRACT' : 'DISPATCH';
          const start = between(addDays(F, -240), addDays(F, -35));
          if (rng.chance(0.35)) {
            // Renewed mid-month: two contracts active in the month, both evidence.
            const split = addDays(F, rng.int(5, 20));
            note(u, p, contractKind(ck), addContract(u, p, ck, start, addDays(split, -1)));
            note(u, p, contractKind(ck), addContract(u, p, ck, split, addDays(addYears(split, 2), -1)));
          } else {
            note(u, p, contractKind(ck), addContract(u, p, ck, start, rng.chance(0.5) ? null : addDays(addYears(start, 3), -1)));
          }
          note(u, p, 'SOCIAL_INSURANCE', addInsurance(u, p, monthOf(start), null));
          addPayroll(u, p, prevMonth, postCategory);
          note(u, p, 'PAYROLL', addPayroll(u, p, month, postCategory));
          planted.push({ kind, unitCode: u, idNumber: p.idNumber });
          break;
        }
        case 'DISPATCH_ONLY_UNREGISTERED': {
          const p = workingAgePerson();
          // Dispatch for a temporary post: six months, possibly starting inside the month.
          const start = between(addDays(F, -120), addDays(F, 10));
          note(u, p, 'DISPATCH_AGREEMENT', addContract(u, p, 'DISPATCH', start, addDays(addMonthsToDate(start, 6), -1)));
          planted.push({ kind, unitCode: u, idNumber: p.idNumber });
          break;
        }
        case 'REGISTRY_ENDED_PAYROLL_CONTINUES': {
          const p = workingAgePerson();
          const job = makeJob(unit, rng.chance(0.5) ? 'DISPATCH' : 'LABOUR_CONTRACT');
          const start = between(`${Y - 5}-01-01`, addDays(F, -400));
          const end = between(addDays(F, -90), addDays(F, -1));
          addRegistry(u, p, job, start, end, rng.pick(['TERMINATED', 'DISMISSED']), recordedAt(start));
          addContract(u, p, job.form === 'DISPATCH' ? 'DISPATCH' : 'LABOUR_CONTRACT', start, addDays(addYears(start, 5), -1), end);
          addInsurance(u, p, monthOf(start), monthOf(end));
          addPayroll(u, p, prevMonth, job.postCategory);
          note(u, p, 'PAYROLL', addPayroll(u, p, month, job.postCategory));
          planted.push({ kind, unitCode: u, idNumber: p.idNumber });
          break;
        }
        case 'REGISTERED_ELSEWHERE': {
          const p = workingAgePerson();
          const x = otherUnit(u);
          const job = makeJob(x, rng.chance(0.5) ? 'DISPATCH' : 'LABOUR_CONTRACT');
          const start = between(`${Y - 4}-01-01`, addDays(F, -120));
          addRegistry(x.code, p, job, start, null, 'IN_SERVICE', recordedAt(start));
          // Insured through X, where the record is: evidence there is covered.
          addInsurance(x.code, p, monthOf(start), null);
          const ck = job.form === 'DISPATCH' ? 'DISPATCH' : 'LABOUR_CONTRACT';
          const cStart = between(addDays(F, -300), addDays(F, -30));
          note(u, p, contractKind(ck), addContract(u, p, ck, cStart, addDays(addYears(cStart, 2), -1)));
          addPayroll(u, p, prevMonth, job.postCategory);
          note(u, p, 'PAYROLL', addPayroll(u, p, month, job.postCategory));
          planted.push({ kind, unitCode: u, idNumber: p.idNumber });
          break;
        }
        case 'REHIRE_UNREGISTERED': {
          const p = retiree();
          const start = between(addDays(F, -300), addDays(F, -15));
          note(u, p, 'REHIRE_AGREEMENT', addRehire(u, p, start, rng.chance(0.5) ? null : addDays(addYears(start, 1), -1)));
          if (rng.chance(0.5)) note(u, p, 'PAYROLL', addPayroll(u, p, month, postCategory));
          planted.push({ kind, unitCode: u, idNumber: p.idNumber });
          break;
        }
        case 'REGISTRY_STARTS_AFTER_MONTH': {
          const p = workingAgePerson();
          const job = makeJob(unit, 'LABOUR_CONTRACT');
          const cStart = between(addDays(F, -90), addDays(F, 10));
          const rStart = between(addDays(L, 1), addDays(L, 45));
          addRegistry(u, p, job, rStart, null, 'ADDED', recordedAt(rStart));
          note(u, p, 'LABOUR_CONTRACT', addContract(u, p, 'LABOUR_CONTRACT', cStart, addDays(addYears(cStart, 3), -1)));
          if (rng.chance(0.5)) note(u, p, 'SOCIAL_INSURANCE', addInsurance(u, p, monthOf(cStart), null));
          planted.push({ kind, unitCode: u, idNumber: p.idNumber });
          break;
        }
      }
    }
  }

  // ---- negative controls: look like answers, are not -----------------------------------------
  const negativeControls: Manifest['negativeControls'] = [];
  const controlCount = isHome ? Math.max(CONTROL_KINDS.length * 2, Math.round(plantedCount / 2) * 2) : 0;
  for (let i = 0; i < controlCount; i++) {
    const kind = CONTROL_KINDS[i % CONTROL_KINDS.length]!;
    // Half at planted units (would add a wrong person), half elsewhere (would add a wrong unit).
    const unit = i % 2 === 0 && plantedUnits.length > 0 ? rng.pick(plantedUnits) : rng.pick(units.filter((u) => !plantedSet.has(u.code)));
    let u = unit.code;
    const postCategory = rng.weighted(POST_CATEGORY_WEIGHTS);
    let p: Person;
    switch (kind) {
      case 'CONTRACT_TERMINATED_BEFORE_MONTH': {
        p = workingAgePerson();
        const start = between(addDays(F, -400), addDays(F, -100));
        const terminated = between(addDays(F, -40), addDays(F, -1));
        addContract(u, p, rng.pick(['LABOUR_CONTRACT', 'DISPATCH']), start, rng.chance(0.5) ? null : addDays(addYears(start, 3), -1), terminated);
        addInsurance(u, p, monthOf(start), monthOf(terminated));
        addPayroll(u, p, monthOf(terminated), postCategory);
        break;
      }
      case 'PAYROLL_OTHER_MONTH':
        p = workingAgePerson();
        addPayroll(u, p, rng.chance(0.5) ? prevMonth : nextMonth, postCategory);
        break;
      case 'REGISTRY_ENDS_MID_MONTH': {
        p = workingAgePerson();
        const job = makeJob(unit, 'LABOUR_CONTRACT');
        const start = between(`${Y - 4}-01-01`, addDays(F, -200));
        const end = addDays(F, rng.int(10, 20));
        addRegistry(u, p, job, start, end, 'TERMINATED', recordedAt(start));
        addContract(u, p, 'LABOUR_CONTRACT', start, addDays(addYears(start, 5), -1), end);
        addInsurance(u, p, monthOf(start), month);
        addPayroll(u, p, month, job.postCategory);
        break;
      }
      case 'OTHER_DISTRICT': {
        p = workingAgePerson();
        u = otherDistrictUnits[i % otherDistrictUnits.length]!;
        const start = between(addDays(F, -500), addDays(F, -60));
        addContract(u, p, rng.pick(['LABOUR_CONTRACT', 'DISPATCH']), start, null);
        addInsurance(u, p, monthOf(start), null);
        addPayroll(u, p, month, postCategory);
        break;
      }
      case 'CONTRACT_STARTS_AFTER_MONTH': {
        p = workingAgePerson();
        const start = between(addDays(L, 1), addDays(L, 30));
        addContract(u, p, 'LABOUR_CONTRACT', start, addDays(addYears(start, 3), -1));
        addInsurance(u, p, monthOf(start), null);
        break;
      }
      case 'REHIRE_ENDED_BEFORE_MONTH': {
        p = retiree();
        const start = between(addDays(F, -400), addDays(F, -200));
        addRehire(u, p, start, addDays(F, -rng.int(1, 60)));
        break;
      }
    }
    negativeControls.push({ kind, unitCode: u, idNumber: p.idNumber });
  }

  // ---- purchase of services and recovered quota -----------------------------------------------
  const contractsByUnit = new Map<string, string[]>();
  let contractSeqNo = 0;
  const serviceUnits = rng.shuffle(units).slice(0, Math.max(3, Math.round(units.length * 0.12)));
  for (const unit of serviceUnits) {
    const functions = rng.shuffle(['SECURITY', 'CLEANING', 'GREENING'] as const).slice(0, rng.int(1, 2)) as string[];
    if (rng.chance(0.1)) functions.push(rng.pick(['BASIC_PUBLIC_SERVICE', 'TECHNICAL_SERVICE']));
    for (const fn of functions) {
      const year = rng.chance(0.5) ? Y - 1 : Y;
      const number = `${L10N.contractPrefix}-${year}-${String(++contractSeqNo).padStart(4, '0')}`;
      const workers = Array.from({ length: rng.int(2, 8) }, () => newPerson(`${Y - 60}-01-01`, `${Y - 25}-12-31`));
      finance.service_contract.add({
        number,
        unit_code: unit.code,
        function: fn,
        supplier_name: rng.pick(L10N.suppliers[fn]!),
        supplier_code: companyCode(rng, D.code),
        start_date: `${year}-01-01`,
        end_date: `${year + 1}-12-31`,
        amount: money(workers.length * rng.int(55_000, 75_000) * 2 * 100),
      });
      for (const w of workers) {
        finance.service_contract_worker.add({ id: finance.service_contract_worker.nextId, contract_number: number, id_number: w.idNumber, name: w.name });
      }
      pushTo(contractsByUnit, unit.code, number);
      // Some outsourced functions never had their quota recovered (question 6).
      if (!rng.chance(rates.unrecoveredOutsourcing)) {
        staffing.quota_recovery.add({
          id: staffing.quota_recovery.nextId,
          unit_code: unit.code,
          function: fn,
          count: Math.max(1, workers.length - (rng.chance(0.2) ? 1 : 0)),
          year,
          contract_number: number,
        });
      }
    }
    if (rng.chance(0.3)) {
      staffing.quota_recovery.add({
        id: staffing.quota_recovery.nextId,
        unit_code: unit.code,
        function: rng.pick(['SECURITY', 'CLEANING', 'GREENING']),
        count: rng.int(1, 4),
        year: Y - 2,
        contract_number: null,
      });
    }
  }
  // Registered purchased-service staff also listed on the unit's service contract: disguised outsourcing.
  for (const { unit, person } of purchasedService) {
    const numbers = contractsByUnit.get(unit.code);
    if (!numbers) continue;
    finance.service_contract_worker.add({ id: finance.service_contract_worker.nextId, contract_number: numbers[0]!, id_number: person.idNumber, name: person.name });
  }

  // ---- public recruitment ---------------------------------------------------------------------
  const STEPS = ['ANNOUNCEMENT', 'REGISTRATION', 'QUALIFICATION_REVIEW', 'WRITTEN_EXAM', 'INTERVIEW', 'PHYSICAL_EXAM', 'BACKGROUND_CHECK', 'PUBLICITY', 'HIRED'] as const;
  const STEP_GAP: Record<(typeof STEPS)[number], [number, number]> = {
    ANNOUNCEMENT: [0, 0],
    REGISTRATION: [7, 14],
    QUALIFICATION_REVIEW: [3, 7],
    WRITTEN_EXAM: [7, 14],
    INTERVIEW: [5, 10],
    PHYSICAL_EXAM: [3, 7],
    BACKGROUND_CHECK: [3, 7],
    PUBLICITY: [3, 5],
    HIRED: [7, 7],
  };
  const announcementSeq = new Map<number, number>();
  const addRecruitment = (unit: Unit, announced: string, posts: number, lastStep: number): { id: number; hiredOn: string | null } => {
    const year = Number(announced.slice(0, 4));
    const seq = (announcementSeq.get(year) ?? 0) + 1;
    announcementSeq.set(year, seq);
    const id = hr.recruitment.nextId;
    hr.recruitment.add({
      id,
      unit_code: unit.code,
      announcement_number: `${L10N.abbr}人社编外招〔${year}〕${seq}号`,
      title: `${unit.name}${year}年公开招聘编外工作人员公告`,
      announced_on: announced,
      posts,
    });
    let date = announced;
    for (let i = 0; i <= lastStep; i++) {
      const step = STEPS[i]!;
      const [a, b] = STEP_GAP[step];
      date = addDays(date, rng.int(a, b));
      hr.recruitment_step.add({ id: hr.recruitment_step.nextId, recruitment_id: id, step, completed_on: date });
    }
    return { id, hiredOn: lastStep === STEPS.length - 1 ? date : null };
  };
  const groups = new Map<string, Hire[]>();
  for (const h of recruitable) {
    // Recent hires mostly went through public recruitment; the rest did not (question 8).
    if (h.start < `${Y - 6}-01-01` || rng.chance(rates.hiredWithoutRecruitment)) continue;
    const key = `${h.unit.code}|${h.start.slice(0, 4)}`;
    pushTo(groups, key, h);
  }
  for (const hires of groups.values()) {
    const first = hires.reduce((m, h) => (h.start < m ? h.start : m), hires[0]!.start);
    const { id, hiredOn } = addRecruitment(hires[0]!.unit, addDays(first, -rng.int(75, 90)), hires.length + rng.int(0, 2), STEPS.length - 1);
    for (const h of hires) {
      hr.recruitment_hire.add({ id: hr.recruitment_hire.nextId, recruitment_id: id, id_number: h.person.idNumber, name: h.person.name, hired_on: hiredOn! });
    }
  }
  // Recruitments still under way in the month.
  for (const unit of rng.shuffle(units).slice(0, Math.max(2, Math.round(units.length * 0.04)))) {
    addRecruitment(unit, between(addDays(F, -60), addDays(F, -20)), rng.int(1, 5), rng.int(1, 5));
  }

  // ---- quotas, funding, budgets, pay standards ------------------------------------------------
  const activeAt = (from: string, to: string): Map<string, number> => {
    const counts = new Map<string, number>();
    const cols = TABLE_COLUMNS.staffing.registry_record;
    const iu = cols.indexOf('unit_code');
    const is = cols.indexOf('start_date');
    const ie = cols.indexOf('end_date');
    for (const r of staffing.registry_record.rows) {
      const end = r[ie] as string | null;
      if ((r[is] as string) <= to && (end === null || end >= from)) counts.set(r[iu] as string, (counts.get(r[iu] as string) ?? 0) + 1);
    }
    return counts;
  };
  const headcount = activeAt(F, L);
  let documentSeq = 0;
  for (const u of units) {
    const h = headcount.get(u.code) ?? 0;
    const previous = h + rng.int(0, 4);
    const before = previous + rng.int(0, 3);
    staffing.quota_decision.add({
      id: staffing.quota_decision.nextId,
      unit_code: u.code,
      year: Y - 1,
      quota: previous,
      previous_quota: before,
      reason: '年度核定',
      exception_approved: false,
      exception_document: null,
      decided_on: `${Y - 1}-01-${String(rng.int(10, 28)).padStart(2, '0')}`,
    });
    // In principle only down (只减不增); a few raised with an approved exception, a few without (question 5).
    const r = rng.next();
    let quota: number;
    let approved = false;
    let reason = '年度核定';
    if (r < rates.quotaRaisedApproved) {
      quota = previous + rng.int(1, 3);
      approved = true;
      reason = '新增职能，经批准核增';
    } else if (r < rates.quotaRaisedApproved + rates.quotaRaised) {
      quota = previous + rng.int(1, 2);
      reason = '工作任务增加';
    } else if (h > 0 && rng.chance(rates.overQuota)) {
      quota = Math.max(0, h - rng.int(1, 3)); // set below the people already registered (question 3)
    } else {
      quota = Math.min(previous, h + rng.int(0, 2));
    }
    staffing.quota_decision.add({
      id: staffing.quota_decision.nextId,
      unit_code: u.code,
      year: Y,
      quota,
      previous_quota: previous,
      reason,
      exception_approved: approved,
      exception_document: approved ? `${L10N.abbr}编办〔${Y}〕${++documentSeq}号` : null,
      decided_on: `${Y}-01-${String(rng.int(10, 28)).padStart(2, '0')}`,
    });
  }

  // Province-wide standards (one per category and year): with the first district.
  for (const year of isHome ? [Y - 1, Y] : []) {
    for (const c of CATEGORIES) {
      finance.funding_standard.add({
        id: finance.funding_standard.nextId,
        category: c,
        year,
        amount_per_head: money((year === Y ? FUNDING_PER_HEAD[c] : FUNDING_PER_HEAD[c] - 3000) * 100),
      });
    }
  }
  const snapshot = `${Y - 1}-12-31`;
  const atSnapshot = activeAt(snapshot, snapshot);
  for (const u of units) {
    let basis = atSnapshot.get(u.code) ?? 0;
    const standard = FUNDING_PER_HEAD[u.category];
    let amount = basis * standard;
    // A few budgets do not follow registry headcount × standard (question 4).
    const broken = rng.next();
    if (broken < rates.budgetHeadcount) basis += rng.int(1, 3);
    else if (broken < rates.budgetHeadcount + rates.budgetAmount) amount += rng.int(1, 5) * 10_000;
    finance.personnel_budget.add({
      id: finance.personnel_budget.nextId,
      unit_code: u.code,
      year: Y,
      headcount_basis: basis,
      standard_per_head: money(standard * 100),
      amount: money(amount * 100),
      registry_snapshot_date: snapshot,
    });
  }
  for (const year of isHome ? [Y - 1, Y] : []) {
    for (const c of CATEGORIES) {
      for (const [pc] of POST_CATEGORY_WEIGHTS) {
        const max = Math.round((MONTHLY_MAX[pc] * CATEGORY_PAY[c] * (year === Y ? 1 : 0.97)) / 100) * 100;
        hr.pay_standard.add({ id: hr.pay_standard.nextId, year, unit_category: c, post_category: pc, monthly_max: money(max * 100) });
      }
    }
  }

  // ---- establishment applications -------------------------------------------------------------
  for (const u of units) {
    const isPlanted = plantedSet.has(u.code);
    if (!isPlanted && !rng.chance(0.25)) continue;
    const status = isPlanted && rng.chance(0.5) ? 'SUSPENDED' : rng.weighted([
      ['SUBMITTED', 30],
      ['APPROVED', 45],
      ['REJECTED', 15],
      ['SUSPENDED', 10],
    ] as const);
    staffing.establishment_application.add({
      id: staffing.establishment_application.nextId,
      unit_code: u.code,
      subject: rng.pick(APPLICATION_SUBJECTS),
      submitted_on: between(addDays(F, -400), addDays(F, -5)),
      status,
      suspension_reason: status === 'SUSPENDED' ? '实名制信息不实、不准确或未及时更新，暂停办理至整改到位' : null,
    });
  }

  // ---- inspections, findings, feedback, rectifications -----------------------------------------
  const inspectionUnits = new Map<number, Set<string>>();
  const findingsAt = new Map<string, { id: number; inspectionKind: string; found: string; rule: string | null }[]>();
  const addInspection = (kind: string, title: string, year: number, stage: string | null, started: string, ended: string | null, covered: readonly Unit[]): void => {
    const id = audit.inspection.nextId;
    audit.inspection.add({ id, kind, title, year, stage, started_on: started, ended_on: ended });
    const set = new Set<string>();
    for (const u of covered) {
      if (set.has(u.code)) continue;
      set.add(u.code);
      audit.inspection_unit.add({ inspection_id: id, unit_code: u.code });
    }
    inspectionUnits.set(id, set);
    if (kind === 'ANNUAL_REVIEW') return;
    const lastFound = ended && ended < F ? ended : addDays(F, -1);
    for (const code of set) {
      const mustFind = kind === 'SPECIAL_INSPECTION' && year === Y && plantedSet.has(code);
      if (!mustFind && !rng.chance(0.35)) continue;
      const made: { id: number; found: string; rule: string | null }[] = [];
      const n = rng.int(1, 2);
      for (let k = 0; k < n; k++) {
        const [description, rule] = mustFind && k === 0 ? FINDINGS[0]! : rng.pick(FINDINGS);
        const fid = audit.finding.nextId;
        const found = between(addDays(started, 10), lastFound);
        audit.finding.add({ id: fid, inspection_id: id, unit_code: code, description, rule, found_on: found });
        made.push({ id: fid, found, rule });
        pushTo(findingsAt, code, { id: fid, inspectionKind: kind, found, rule });
      }
      const latest = made.reduce((m, f) => (f.found > m ? f.found : m), made[0]!.found);
      let formId: number | null = null;
      let deadline = addDays(latest, 60);
      if (rng.chance(0.7)) {
        formId = audit.feedback_form.nextId;
        const issued = addDays(latest, rng.int(5, 15));
        deadline = addDays(issued, rng.pick([30, 60, 90]));
        audit.feedback_form.add({
          id: formId,
          inspection_id: id,
          unit_code: code,
          issued_on: issued,
          content: `${unitByCode.get(code)!.name}：${made.length}项问题，请限期整改并报送整改情况`,
          deadline,
        });
      } else if (!rng.chance(0.3)) continue;
      for (const f of made) {
        // Past the deadline: most done, some still open (question 10).
        const past = deadline < F;
        const status = past ? (rng.chance(0.7) ? 'COMPLETED' : rng.pick(['PENDING', 'IN_PROGRESS'])) : rng.pick(['PENDING', 'IN_PROGRESS', 'IN_PROGRESS']);
        audit.rectification.add({
          id: audit.rectification.nextId,
          unit_code: code,
          feedback_form_id: formId,
          finding_id: f.id,
          description: `整改：${f.rule ?? '制度建设'}`,
          deadline,
          status,
          completed_on: status === 'COMPLETED' ? between(addDays(f.found, 10), minDate(addDays(deadline, rng.chance(0.8) ? 0 : 20), addDays(F, -1))) : null,
          progress_note: status === 'PENDING' ? null : status === 'COMPLETED' ? '已整改到位' : '正在整改，已制定整改方案',
        });
      }
    }
  };
  const byCategory = (c: Category) => units.filter((u) => u.category === c);
  const sample = (list: readonly Unit[], n: number) => rng.shuffle(list).slice(0, Math.min(n, list.length));
  const early = (year: number, fromMonth: number, toMonth: number) => between(`${year}-${String(fromMonth).padStart(2, '0')}-01`, `${year}-${String(toMonth).padStart(2, '0')}-28`);
  const thisYearStart = (): string => between(`${Y}-01-10`, addDays(F, -90));

  const s1 = early(Y - 1, 3, 5);
  addInspection('SPECIAL_INSPECTION', `${L10N.prefix}${Y - 1}年度编外用工管理专项检查`, Y - 1, 'USE_OF_RESULTS', s1, addDays(s1, rng.int(150, 200)), sample(units, 40));
  const s2 = thisYearStart();
  addInspection('SPECIAL_INSPECTION', `${L10N.prefix}${Y}年度编外用工管理专项检查`, Y, 'RECTIFICATION', s2, null, [...plantedUnits, ...sample(units, 20)]);
  const tourUnits = rng.shuffle(units).slice(0, Math.min(60, units.length));
  for (let round = 0; round < 5; round++) {
    const year = round < 3 ? Y - 1 : Y;
    const start = year === Y ? thisYearStart() : early(year, 2 + round * 3, 3 + round * 3);
    const ended = round === 4 ? null : addDays(start, rng.int(45, 75));
    addInspection('INSPECTION_TOUR', L10N.local(`区委第${round + 1}轮巡察（${year}年）`), year, null, start, ended, tourUnits.filter((_, i) => i % 5 === round));
  }
  for (const u of sample([...byCategory('DISTRICT_ORGAN'), ...byCategory('FUNDED_INSTITUTION'), ...byCategory('TOWN_SUBDISTRICT')], 28)) {
    const year = rng.chance(0.5) ? Y - 1 : Y;
    const start = year === Y ? thisYearStart() : early(year, 2, 10);
    addInspection('ECONOMIC_RESPONSIBILITY_AUDIT', `${u.name}主要负责人任期经济责任审计`, year, null, start, year === Y && rng.chance(0.3) ? null : addDays(start, rng.int(40, 90)), [u]);
  }
  const pe = early(Y - 1, 6, 8);
  addInspection('PERFORMANCE_EVALUATION', `${L10N.prefix}${Y - 1}年度编外用工绩效评估`, Y - 1, null, pe, addDays(pe, 90), sample(units, 18));
  const ar = `${Y - 1}-12-01`;
  addInspection('ANNUAL_REVIEW', `${L10N.prefix}${Y - 1}年度机构编制工作综合考评`, Y - 1, null, ar, `${Y}-01-31`, units);
  const sa = thisYearStart();
  addInspection('SPECIAL_AUDIT', `${L10N.prefix}${Y}年度镇街编外用工专项审计`, Y, null, sa, addDays(sa, 60) < F ? addDays(sa, 60) : null, byCategory('TOWN_SUBDISTRICT'));

  // ---- issue leads ----------------------------------------------------------------------------
  const leads: { id: number; unit: string; status: LeadStatus; createdAt: string }[] = [];
  const LEAD_SOURCE: Record<string, string> = {
    SPECIAL_INSPECTION: 'SPECIAL_INSPECTION',
    INSPECTION_TOUR: 'INSPECTION_TOUR',
    ECONOMIC_RESPONSIBILITY_AUDIT: 'ECONOMIC_RESPONSIBILITY_AUDIT',
    PERFORMANCE_EVALUATION: 'PERFORMANCE_EVALUATION',
    SPECIAL_AUDIT: 'SPECIAL_AUDIT',
  };
  const addLead = (
    unit: string,
    status: LeadStatus,
    createdAt: string,
    options: { idNumber?: string | null; sweep?: boolean; description?: string } = {},
  ): void => {
    const id = audit.issue_lead.nextId;
    const finding = options.sweep ? undefined : (findingsAt.get(unit) ?? []).find((f) => f.inspectionKind in LEAD_SOURCE);
    const sweep = options.sweep || (!finding && rng.chance(0.6));
    const source = sweep ? 'RULE_SWEEP' : finding ? LEAD_SOURCE[finding.inspectionKind]! : 'REPORT';
    // UNREPORTED_STAFF sweeps are only planted where the answer has that unit.
    const rule = options.sweep ? 'UNREPORTED_STAFF' : sweep ? rng.pick(['OVER_QUOTA', 'GHOST_RECORD', 'BUDGET_LINKAGE', 'REGISTRY_LATE']) : (finding?.rule ?? null);
    const closedAt = status === 'CLOSED' || status === 'RESOLVED_BY_DATA' ? timestamp(addDays(createdAt.slice(0, 10), rng.int(5, 60)), rng.int(8, 17), rng.int(0, 59)) : null;
    audit.issue_lead.add({
      id,
      unit_code: unit,
      id_number: options.idNumber ?? null,
      source,
      rule,
      finding_id: finding && !sweep ? finding.id : null,
      period: sweep ? month : createdAt.slice(0, 4),
      description: options.description ?? `${unitByCode.get(unit)!.name}编外用工问题线索`,
      status,
      routed_to: status === 'ROUTED' ? rng.pick(['INSPECTION_TOUR', 'AUDIT', 'DISCIPLINE']) : null,
      // A Postgres array literal: PGlite does not serialise a JS array for an enum[] parameter.
      evidence_bureaus: sweep ? '{STAFFING,HR,FINANCE}' : rng.chance(0.5) ? '{AUDIT}' : null,
      created_at: createdAt,
      closed_at: closedAt,
    });
    leads.push({ id, unit, status, createdAt });
  };
  const leadTime = (): string => timestamp(between(addDays(F, -300), addDays(F, 20)), rng.int(8, 17), rng.int(0, 59), rng.int(0, 59));

  // Leads elsewhere and at planted units are interleaved so ids do not follow units.
  const leadPlan: (() => void)[] = [];
  plantedUnits.forEach((unit, i) => {
    const people = [...(expected.get(unit.code)?.keys() ?? [])];
    const someone = people.length > 0 ? rng.pick(people) : null;
    const name = someone ? expected.get(unit.code)!.get(someone)!.name : '';
    const sweep = { sweep: true, idNumber: someone, description: `${name}在${unit.name}有用工或发薪记录，未纳入实名制管理` };
    switch (i % 4) {
      case 0:
        leadPlan.push(() => addLead(unit.code, 'OPEN', leadTime(), sweep));
        leadPlan.push(() => addLead(unit.code, 'CLOSED', leadTime()));
        break;
      case 1: {
        // Same creation time: the order falls back to id, descending.
        const same = leadTime();
        leadPlan.push(() => addLead(unit.code, 'ROUTED', same, sweep));
        leadPlan.push(() => addLead(unit.code, 'OPEN', same));
        leadPlan.push(() => addLead(unit.code, 'CLOSED', leadTime()));
        break;
      }
      case 2:
        leadPlan.push(() => addLead(unit.code, 'CLOSED', leadTime(), sweep));
        break;
      case 3:
        leadPlan.push(() => addLead(unit.code, 'ROUTED', leadTime()));
        leadPlan.push(() => addLead(unit.code, 'RESOLVED_BY_DATA', leadTime(), sweep));
        leadPlan.push(() => addLead(unit.code, 'OPEN', leadTime()));
        break;
    }
  });
  const others = units.filter((u) => !plantedSet.has(u.code));
  for (let i = 0; i < Math.round(units.length * 0.3); i++) {
    const unit = rng.pick(others);
    const status = rng.weighted<LeadStatus>([
      ['OPEN', 30],
      ['ROUTED', 20],
      ['CLOSED', 35],
      ['RESOLVED_BY_DATA', 15],
    ]);
    leadPlan.push(() => addLead(unit.code, status, leadTime()));
  }
  for (const make of rng.shuffle(leadPlan)) make();

  // ---- the home district's part of the manifest -------------------------------------------------
  if (!isHome) return null;
  const openLeads = (unit: string): string[] =>
    leads
      .filter((l) => l.unit === unit && (l.status === 'OPEN' || l.status === 'ROUTED'))
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || b.id - a.id)
      .map((l) => String(l.id));
  const answerUnits = [...expected.keys()].sort(cmp).map((code) => ({
    code,
    name: unitByCode.get(code)!.name,
    people: [...expected.get(code)!.entries()]
      .sort(([a], [b]) => cmp(a, b))
      .map(([idNumber, { name, evidence }]) => ({
        idNumber,
        name,
        evidence: [...evidence].sort((a, b) => cmp(a.bureau + a.kind + a.reference, b.bureau + b.kind + b.reference)),
      })),
    openLeadIds: openLeads(code),
  }));
  return { unreportedStaff: { units: answerUnits }, planted, negativeControls, otherDistrictUnits };
}

/** A company's credit code (authority 9, kind 1: registered with market regulation) in a district. */
function companyCode(rng: Random, division: string): string {
  let org = '';
  for (let i = 0; i < 8; i++) org += String(rng.int(0, 9));
  org += CREDIT_ALPHABET[Math.floor(rng.next() * CREDIT_ALPHABET.length)];
  const first17 = `91${division}${org}`;
  return first17 + creditCodeCheckChar(first17);
}

/** n distinct units, taking the categories in turn so every category gets some. */
function pickSpread(units: readonly Unit[], n: number, rng: Random): Unit[] {
  const pools = CATEGORIES.map((c) => rng.shuffle(units.filter((u) => u.category === c)));
  const out: Unit[] = [];
  for (let i = 0; out.length < n; i++) {
    const pool = pools[i % pools.length]!;
    const u = pool.shift();
    if (u) out.push(u);
  }
  return out;
}

function shortTown(name: string): string {
  return name.replace(/(街道|镇|乡)$/, '');
}

/** How a district names things: 萧山 keeps the short 区 names of its own records. */
interface Localiser {
  /** 区教育局 → 余杭区教育局, 团区委 → 团桐庐县委; unchanged in 萧山. */
  local(name: string): string;
  /** 萧山中学, 萧山区第二高级中学 → 余杭中学, 余杭区第二高级中学. */
  school(name: string): string;
  /** Before titles of inspections: '' in 萧山, else the district's name. */
  prefix: string;
  /** In document numbers: 萧人社编外招, 萧编办. */
  abbr: string;
  /** Of purchase-of-service contract numbers. */
  contractPrefix: string;
  agencies: readonly string[];
  suppliers: Readonly<Record<string, readonly string[]>>;
  /** Names of the district's own towns and subdistricts, by code. */
  towns: Readonly<Record<string, string>>;
}

function localiser(d: District, home: boolean): Localiser {
  const short = shortDistrictName(d);
  if (home) {
    return {
      local: (name) => name,
      school: (name) => name,
      prefix: '',
      abbr: '萧',
      contractPrefix: 'XSCG',
      agencies: DISPATCH_AGENCIES,
      suppliers: SUPPLIERS,
      towns: townsOf(d.code),
    };
  }
  return {
    local: (name) => (name === '团区委' ? `团${d.name}委` : name.startsWith('区') ? d.name + name.slice(1) : name),
    school: (name) => name.replace('萧山区', d.name).replace('萧山', short),
    prefix: d.name,
    abbr: short,
    contractPrefix: `CG${d.code}`,
    agencies: dispatchAgenciesOf(d.city, short),
    suppliers: suppliersOf(d.city, short),
    towns: townsOf(d.code),
  };
}

/** The district's institution names and how many units of each category can be named. */
function namePools(l10n: Localiser) {
  const towns = Object.keys(l10n.towns).length;
  const localised = (list: typeof FUNDED_INSTITUTIONS) =>
    list.filter(([name]) => l10n.prefix === '' || !LOCAL_ONLY.test(name)).map(([name, sup, funding]) => [l10n.local(name), l10n.local(sup), funding] as const);
  const funded = localised(FUNDED_INSTITUTIONS);
  const moreFunded = localised(MORE_FUNDED_INSTITUTIONS);
  const capacity: Record<Category, number> = {
    DISTRICT_ORGAN: DISTRICT_ORGANS.length + MASS_ORGANIZATIONS.length,
    // Then a community health centre per town.
    FUNDED_INSTITUTION: funded.length + moreFunded.length + towns,
    EDUCATION: DISTRICT_SCHOOLS.length + towns * SCHOOL_SUFFIXES.length,
    TOWN_SUBDISTRICT: towns * (1 + TOWN_INSTITUTIONS.length),
  };
  return { funded, moreFunded, capacity };
}

/** Units in supervisor-before-supervised order (the unit table references itself). */
function buildUnits(
  n: number,
  rng: Random,
  creditCode: (kind: '1' | '2' | '3', division: string) => string,
  d: District,
  l10n: Localiser,
): Unit[] {
  const TOWNS = l10n.towns;
  const towns = Object.keys(TOWNS).sort();
  const { funded, moreFunded, capacity } = namePools(l10n);
  const total = CATEGORIES.reduce((s, c) => s + capacity[c], 0);
  if (n > total) throw new Error(`at most ${total} units can be named in ${d.name}; asked for ${n}`);
  const want: Record<Category, number> = {
    DISTRICT_ORGAN: Math.round(n * CATEGORY_SHARE.DISTRICT_ORGAN),
    FUNDED_INSTITUTION: Math.round(n * CATEGORY_SHARE.FUNDED_INSTITUTION),
    EDUCATION: Math.round(n * CATEGORY_SHARE.EDUCATION),
    TOWN_SUBDISTRICT: 0,
  };
  want.TOWN_SUBDISTRICT = n - want.DISTRICT_ORGAN - want.FUNDED_INSTITUTION - want.EDUCATION;
  // Categories whose name pool runs out hand the rest to those with room.
  let spill = 0;
  for (const c of CATEGORIES) {
    if (want[c] > capacity[c]) {
      spill += want[c] - capacity[c];
      want[c] = capacity[c];
    }
  }
  // One at a time to each category with room, so no one category swallows the rest.
  while (spill > 0) {
    for (const c of ['TOWN_SUBDISTRICT', 'EDUCATION', 'FUNDED_INSTITUTION', 'DISTRICT_ORGAN'] as const) {
      if (spill > 0 && want[c] < capacity[c]) {
        want[c]++;
        spill--;
      }
    }
  }

  const units: Unit[] = [];
  const sizeOf = (lo: number, hi: number) => {
    const size = rng.int(lo, hi);
    return { size, actual: size - rng.int(0, Math.floor(size * 0.12)) };
  };
  const codeByName = new Map<string, string>();
  const add = (u: Omit<Unit, 'code' | 'size' | 'actual'>, kind: '1' | '2' | '3', sizeRange: [number, number]): void => {
    const code = creditCode(kind, d.code);
    codeByName.set(u.name, code);
    units.push({ ...u, code, ...sizeOf(...sizeRange) });
  };

  let mass = Math.min(MASS_ORGANIZATIONS.length, Math.floor(want.DISTRICT_ORGAN / 7));
  let organs = want.DISTRICT_ORGAN - mass;
  if (organs > DISTRICT_ORGANS.length) {
    mass += organs - DISTRICT_ORGANS.length;
    organs = DISTRICT_ORGANS.length;
  }
  for (const name of DISTRICT_ORGANS.slice(0, organs).map(l10n.local)) {
    add({ name, nature: 'ORGAN', category: 'DISTRICT_ORGAN', funding: 'FULL', supervisor: null, town: null, weight: rng.int(8, 20) }, '1', [20, 90]);
  }
  for (const name of MASS_ORGANIZATIONS.slice(0, mass).map(l10n.local)) {
    add({ name, nature: 'MASS_ORGANIZATION', category: 'DISTRICT_ORGAN', funding: 'FULL', supervisor: null, town: null, weight: rng.int(2, 6) }, '3', [6, 20]);
  }
  // Institutions whose supervising organ exists come first, so small data sets stay consistent.
  const health = l10n.local('区卫生健康局');
  const institutions = [
    ...funded.filter(([, sup]) => codeByName.has(sup)),
    ...funded.filter(([, sup]) => !codeByName.has(sup)),
    ...moreFunded,
  ].map(([name, sup, funding]) => ({ name, sup, funding, town: null as string | null }));
  for (const town of towns) institutions.push({ name: `${TOWNS[town]}社区卫生服务中心`, sup: health, funding: 'PARTIAL', town });
  for (const { name, sup, funding, town } of institutions.slice(0, want.FUNDED_INSTITUTION)) {
    const hospital = name.endsWith('医院');
    add(
      { name, nature: 'PUBLIC_INSTITUTION', category: 'FUNDED_INSTITUTION', funding, supervisor: codeByName.get(sup) ?? null, town, weight: hospital ? rng.int(30, 60) : rng.int(5, 25) },
      '2',
      hospital ? [300, 800] : [10, 80],
    );
  }
  const education = codeByName.get(l10n.local('区教育局')) ?? null;
  const subdistricts = towns.filter((t) => TOWNS[t]!.endsWith('街道'));
  const centralTowns = (subdistricts.length > 0 ? subdistricts : towns).slice(0, 4);
  const districtSchools = Math.min(DISTRICT_SCHOOLS.length, Math.ceil(want.EDUCATION * 0.15));
  DISTRICT_SCHOOLS.slice(0, districtSchools).map(l10n.school).forEach((name, i) => {
    add(
      { name, nature: 'PUBLIC_INSTITUTION', category: 'EDUCATION', funding: name.endsWith('幼儿园') ? 'PARTIAL' : 'FULL', supervisor: education, town: centralTowns[i % centralTowns.length]!, weight: rng.int(12, 30) },
      '2',
      [60, 200],
    );
  });
  let school = 0;
  for (const suffix of SCHOOL_SUFFIXES) {
    for (const town of towns) {
      if (school++ >= want.EDUCATION - districtSchools) break;
      add(
        {
          name: `${l10n.school('萧山区')}${shortTown(TOWNS[town]!)}${suffix}`,
          nature: 'PUBLIC_INSTITUTION',
          category: 'EDUCATION',
          funding: suffix.endsWith('幼儿园') ? 'PARTIAL' : 'FULL',
          supervisor: education,
          town,
          weight: rng.int(8, 24),
        },
        '2',
        [30, 150],
      );
    }
  }
  const governments = towns.slice(0, Math.min(towns.length, want.TOWN_SUBDISTRICT));
  for (const town of governments) {
    const name = TOWNS[town]!.endsWith('街道') ? `${TOWNS[town]}办事处` : `${TOWNS[town]}人民政府`;
    add({ name, nature: 'ORGAN', category: 'TOWN_SUBDISTRICT', funding: 'FULL', supervisor: null, town, weight: rng.int(25, 60) }, '1', [60, 160]);
  }
  let inst = 0;
  for (const suffix of TOWN_INSTITUTIONS) {
    for (const town of towns) {
      if (inst++ >= want.TOWN_SUBDISTRICT - governments.length) break;
      const government = TOWNS[town]!.endsWith('街道') ? `${TOWNS[town]}办事处` : `${TOWNS[town]}人民政府`;
      add(
        {
          name: `${TOWNS[town]}${suffix}`,
          nature: 'PUBLIC_INSTITUTION',
          category: 'TOWN_SUBDISTRICT',
          funding: rng.chance(0.1) ? 'PARTIAL' : 'FULL',
          supervisor: codeByName.get(government) ?? null,
          town,
          weight: rng.int(4, 14),
        },
        '2',
        [8, 30],
      );
    }
  }
  return units;
}
