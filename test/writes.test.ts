// Writes through the graph (issue 6): every mutation of the four bureaus, through the gateway over HTTP.
// Each applies its change once per idempotency key, refuses a stale version with CONFLICT naming the
// current one, answers every kind of bad input with a named error and leaves the database as it was,
// rolls back a write that fails halfway, and 1,000 concurrent requests leave exactly their intended changes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { makeCreditCode, makeIdNumber } from '../lib/ids.ts';
import { identityOf, type Role } from '../lib/auth/identity.ts';
import { SIGNATURE_HEADER, signRequest } from '../lib/auth/signing.ts';
import type { Database } from '../lib/db.ts';
import type { SubgraphName } from '../lib/subgraph.ts';
import { postGraphQL, startTestFederation, type GraphQLResponse, type TestFederation } from './support/federation.ts';

let data: GeneratedData;
let fed: TestFederation;

beforeAll(async () => {
  data = generate({ seed: 42 });
  // The concurrency test sends 1,000 requests in a burst from a handful of subjects.
  fed = await startTestFederation(data, { limits: { ratePerMinute: 1_000_000 } });
});

afterAll(async () => {
  await fed?.stop();
});

// ---- documents ----------------------------------------------------------------------------------

const REGISTER = `mutation($input: RegisterRegistryRecordInput!, $key: String) {
  registerRegistryRecord(input: $input, idempotencyKey: $key) { id version name unit { code } person { idNumber } employmentForm startDate endDate changeReason } }`;
const CHANGE = `mutation($input: ChangeRegistryRecordInput!, $key: String) {
  changeRegistryRecord(input: $input, idempotencyKey: $key) { id version name post postCategory employmentForm startDate } }`;
const END = `mutation($input: EndRegistryRecordInput!, $key: String) {
  endRegistryRecord(input: $input, idempotencyKey: $key) { id version endDate changeReason } }`;
const DECIDE = `mutation($input: DecideQuotaInput!, $key: String) {
  decideQuota(input: $input, idempotencyKey: $key) { id version year quota previousQuota exceptionApproved exceptionDocument decidedOn unit { code } } }`;
const SUBMIT = `mutation($unit: String!, $subject: String!, $key: String) {
  submitEstablishmentApplication(unit: $unit, subject: $subject, idempotencyKey: $key) { id status unit { code } } }`;
const BUDGET = `mutation($input: RecordBudgetInput!, $key: String) {
  recordBudget(input: $input, idempotencyKey: $key) { id version year headcountBasis standardPerHead amount registrySnapshotDate unit { code } } }`;
const CONTRACT = `mutation($input: RecordContractInput!, $key: String) {
  recordContract(input: $input, idempotencyKey: $key) { id version name kind dispatchAgency startDate endDate signedOn terminatedOn person { idNumber } unit { code } } }`;
const INSURANCE = `mutation($input: RecordInsuranceEnrolmentInput!, $key: String) {
  recordInsuranceEnrolment(input: $input, idempotencyKey: $key) { id version startMonth endMonth person { idNumber } unit { code } } }`;
const CREATE_LEAD = `mutation($input: CreateLeadInput!, $key: String) {
  createLead(input: $input, idempotencyKey: $key) { id version status routedTo source rule period description evidenceBureaus person { idNumber } unit { code } } }`;
const ROUTE = `mutation($id: ID!, $to: LeadRoute!, $version: Int!, $key: String) {
  routeLead(id: $id, to: $to, version: $version, idempotencyKey: $key) { id version status routedTo } }`;
const CLOSE = `mutation($id: ID!, $note: String, $version: Int!, $key: String) {
  closeLead(id: $id, note: $note, version: $version, idempotencyKey: $key) { id version status closedAt } }`;
const PROGRESS = `mutation($input: RectificationProgressInput!, $key: String) {
  recordRectificationProgress(input: $input, idempotencyKey: $key) { id version status completedOn progressNote progress { status note completedOn recordedBy } } }`;

// ---- helpers ------------------------------------------------------------------------------------

type Response = GraphQLResponse<Record<string, any>>;
let keySeq = 0;
const newKey = (tag = 'k') => `test-${tag}-${++keySeq}-${Date.now().toString(36)}`;

const as = (role: Role, query: string, variables: Record<string, unknown>): Promise<Response> => fed.queryAs(role, query, variables);

function ok(res: Response, field: string): Record<string, any> {
  expect(res.errors).toBeUndefined();
  return res.data![field];
}

const rows = <T = Record<string, any>>(bureau: SubgraphName, sql: string, params: unknown[] = []) => fed.dbs[bureau].query<T>(sql, params);
const one = async <T = Record<string, any>>(bureau: SubgraphName, sql: string, params: unknown[] = []) => (await rows<T>(bureau, sql, params))[0]!;

/** A digest of every table of a bureau's database: equal digests, equal contents. */
async function digest(db: Database): Promise<Record<string, string>> {
  const tables = await db.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations' ORDER BY 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await db.query<{ d: string; n: number }>(`SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS d, count(*)::int AS n FROM "${name}" t`);
    out[name] = `${row!.n}:${row!.d}`;
  }
  return out;
}

async function digestAll(): Promise<Record<string, Record<string, string>>> {
  return { staffing: await digest(fed.dbs.staffing), finance: await digest(fed.dbs.finance), hr: await digest(fed.dbs.hr), audit: await digest(fed.dbs.audit) };
}

/** A person the registry has never seen. */
let personSeq = 100;
const newPerson = (birth = '19900315') => makeIdNumber('330109', birth, ++personSeq);
const UNKNOWN_UNIT = makeCreditCode('1', '330109', 'YYYYYYYY9');
const badChecksum = (code: string) => code.slice(0, 17) + (code[17] === '0' ? '1' : '0');

async function anyUnit(offset = 0): Promise<string> {
  return (await one<{ code: string }>('staffing', `SELECT code::text AS code FROM unit ORDER BY code OFFSET $1 LIMIT 1`, [offset])).code;
}

// ---- happy paths --------------------------------------------------------------------------------

describe('staffing (编办) writes', () => {
  it('registers, changes and ends a real-name record, each version one more', async () => {
    const unit = await anyUnit(3);
    const idNumber = newPerson();
    const registered = ok(
      await as('STAFFING_OFFICER', REGISTER, {
        input: { unit, idNumber, name: '陈晓燕', post: '档案整理', postCategory: '辅助管理', employmentForm: 'LABOUR_CONTRACT', startDate: '2026-03-01' },
        key: newKey(),
      }),
      'registerRegistryRecord',
    );
    expect(registered).toMatchObject({ version: 1, name: '陈晓燕', unit: { code: unit }, person: { idNumber }, changeReason: 'ADDED', startDate: '2026-03-01', endDate: null });
    const stored = await one('staffing', `SELECT unit_code::text AS unit, name, version FROM registry_record WHERE id = $1`, [Number(registered.id)]);
    expect(stored).toEqual({ unit, name: '陈晓燕', version: 1 });

    const changed = ok(
      await as('STAFFING_OFFICER', CHANGE, { input: { id: registered.id, version: 1, post: '档案数字化', employmentForm: 'DISPATCH' } }),
      'changeRegistryRecord',
    );
    expect(changed).toMatchObject({ version: 2, post: '档案数字化', employmentForm: 'DISPATCH', name: '陈晓燕' });

    const ended = ok(await as('STAFFING_OFFICER', END, { input: { id: registered.id, version: 2, endDate: '2026-09-30', reason: 'TERMINATED' } }), 'endRegistryRecord');
    expect(ended).toEqual({ id: registered.id, version: 3, endDate: '2026-09-30', changeReason: 'TERMINATED' });
  });

  it('decides a year’s quota, refuses a rise without an approved exception (只减不增) and accepts one with it', async () => {
    const { unit_code: unit, quota } = await one<{ unit_code: string; quota: number }>(
      'staffing',
      `SELECT unit_code::text AS unit_code, quota FROM quota_decision WHERE year = 2026 AND quota > 2 ORDER BY unit_code LIMIT 1`,
    );
    const rise = await as('STAFFING_OFFICER', DECIDE, { input: { unit, year: 2027, quota: quota + 1, decidedOn: '2027-01-15' } });
    expect(rise.errors?.[0]?.extensions).toMatchObject({ code: 'QUOTA_RAISE_REFUSED', field: 'input.quota', previousQuota: quota });
    expect((await rows('staffing', `SELECT 1 FROM quota_decision WHERE unit_code = $1 AND year = 2027`, [unit])).length).toBe(0);

    const lower = ok(await as('STAFFING_OFFICER', DECIDE, { input: { unit, year: 2027, quota: quota - 1, reason: '保洁外包收回', decidedOn: '2027-01-15' } }), 'decideQuota');
    expect(lower).toMatchObject({ version: 1, year: 2027, quota: quota - 1, previousQuota: quota, exceptionApproved: false });

    // Revising the decision needs its version; a rise with an approved exception is accepted.
    const approved = ok(
      await as('STAFFING_OFFICER', DECIDE, {
        input: { unit, year: 2027, quota: quota + 2, exceptionApproved: true, exceptionDocument: '萧编〔2027〕3号', decidedOn: '2027-02-01', version: 1 },
      }),
      'decideQuota',
    );
    expect(approved).toMatchObject({ version: 2, quota: quota + 2, previousQuota: quota, exceptionApproved: true, exceptionDocument: '萧编〔2027〕3号' });
    // Question 5 does not count an approved rise.
    const raised = await fed.query(`query($unit: String!) { districtYear(year: 2027) { quotaRaised(filter: { unit: $unit }) { totalCount } } }`, { unit });
    expect(raised.data!.districtYear.quotaRaised.totalCount).toBe(0);
  });
});

describe('finance (财政局) writes', () => {
  it('records a budget as registry headcount × the category’s standard, and revises it by version', async () => {
    const unit = await anyUnit(5);
    const { category } = await one<{ category: string }>('staffing', `SELECT category::text AS category FROM unit WHERE code = $1`, [unit]);
    const { amount_per_head: standard } = await one<{ amount_per_head: string }>(
      'finance',
      `SELECT amount_per_head::text AS amount_per_head FROM funding_standard WHERE year = 2025 AND category = $1`,
      [category],
    );
    const recorded = ok(
      await as('FINANCE_OFFICER', BUDGET, { input: { unit, year: 2025, headcountBasis: 7, registrySnapshotDate: '2024-12-31' }, key: newKey() }),
      'recordBudget',
    );
    expect(recorded).toMatchObject({ version: 1, year: 2025, headcountBasis: 7, standardPerHead: Number(standard), amount: Number(standard) * 7, unit: { code: unit } });

    const current = await one<{ version: number }>('finance', `SELECT version FROM personnel_budget WHERE unit_code = $1 AND year = 2026`, [unit]);
    const revised = ok(
      await as('FINANCE_OFFICER', BUDGET, { input: { unit, year: 2026, headcountBasis: 3, registrySnapshotDate: '2025-12-31', version: current.version } }),
      'recordBudget',
    );
    expect(revised).toMatchObject({ version: current.version + 1, headcountBasis: 3 });
  });
});

describe('hr (人社局) writes', () => {
  it('records a dispatch agreement and an insurance enrolment, and revises each by version', async () => {
    const unit = await anyUnit(7);
    const idNumber = newPerson('19950101');
    const number = `PQ-TEST-${Date.now()}`;
    const contract = ok(
      await as('HR_OFFICER', CONTRACT, {
        input: { number, idNumber, name: '李娜', unit, kind: 'DISPATCH', dispatchAgency: '杭州人力派遣有限公司', startDate: '2026-04-01', endDate: '2026-09-30', signedOn: '2026-03-25' },
        key: newKey(),
      }),
      'recordContract',
    );
    expect(contract).toMatchObject({ id: number, version: 1, kind: 'DISPATCH', person: { idNumber }, unit: { code: unit } });
    const terminated = ok(
      await as('HR_OFFICER', CONTRACT, {
        input: { number, idNumber, name: '李娜', unit, kind: 'DISPATCH', dispatchAgency: '杭州人力派遣有限公司', startDate: '2026-04-01', endDate: '2026-09-30', signedOn: '2026-03-25', terminatedOn: '2026-06-30', version: 1 },
      }),
      'recordContract',
    );
    expect(terminated).toMatchObject({ version: 2, terminatedOn: '2026-06-30' });

    const enrolment = ok(await as('HR_OFFICER', INSURANCE, { input: { idNumber, name: '李娜', unit, startMonth: '2026-04' } }), 'recordInsuranceEnrolment');
    expect(enrolment).toMatchObject({ version: 1, startMonth: '2026-04', endMonth: null });
    const ended = ok(
      await as('HR_OFFICER', INSURANCE, { input: { id: enrolment.id, version: 1, idNumber, name: '李娜', unit, startMonth: '2026-04', endMonth: '2026-06' } }),
      'recordInsuranceEnrolment',
    );
    expect(ended).toMatchObject({ id: enrolment.id, version: 2, endMonth: '2026-06' });
  });
});

describe('audit (审计/巡察) writes', () => {
  it('creates, routes and closes a lead, and records rectification progress with its history', async () => {
    const unit = await anyUnit(9);
    const lead = ok(
      await as('AUDITOR', CREATE_LEAD, {
        input: { unit, source: 'REPORT', rule: 'UNREPORTED_STAFF', period: '2026-10', description: '群众举报：单位有未纳入实名制的编外人员', evidenceBureaus: ['HR', 'HR', 'STAFFING'] },
        key: newKey(),
      }),
      'createLead',
    );
    expect(lead).toMatchObject({ version: 1, status: 'OPEN', routedTo: null, source: 'REPORT', evidenceBureaus: ['HR', 'STAFFING'], unit: { code: unit }, person: null });
    const routed = ok(await as('AUDITOR', ROUTE, { id: lead.id, to: 'INSPECTION_TOUR', version: 1 }), 'routeLead');
    expect(routed).toEqual({ id: lead.id, version: 2, status: 'ROUTED', routedTo: 'INSPECTION_TOUR' });
    const closed = ok(await as('AUDITOR', CLOSE, { id: lead.id, note: '已核实整改', version: 2 }), 'closeLead');
    expect(closed).toMatchObject({ version: 3, status: 'CLOSED' });

    const rect = await one<{ id: number; version: number }>('audit', `SELECT id, version FROM rectification WHERE status <> 'COMPLETED' AND feedback_form_id IS NOT NULL ORDER BY id LIMIT 1`);
    const progressing = ok(
      await as('AUDITOR', PROGRESS, { input: { rectification: String(rect.id), version: rect.version, status: 'IN_PROGRESS', note: '已制定整改方案' } }),
      'recordRectificationProgress',
    );
    expect(progressing).toMatchObject({ version: rect.version + 1, status: 'IN_PROGRESS', progressNote: '已制定整改方案', completedOn: null });
    const done = ok(
      await as('AUDITOR', PROGRESS, { input: { rectification: String(rect.id), version: rect.version + 1, status: 'COMPLETED', completedOn: '2026-10-20', note: '已整改到位' } }),
      'recordRectificationProgress',
    );
    expect(done).toMatchObject({ version: rect.version + 2, status: 'COMPLETED', completedOn: '2026-10-20' });
    expect(done.progress).toEqual([
      { status: 'IN_PROGRESS', note: '已制定整改方案', completedOn: null, recordedBy: 'demo:auditor' },
      { status: 'COMPLETED', note: '已整改到位', completedOn: '2026-10-20', recordedBy: 'demo:auditor' },
    ]);
  });
});

// ---- bad input, for every mutation: a named error, and the database as it was ------------------------

interface BadCase {
  kind: string;
  vars: Record<string, unknown>;
  code: string;
  field?: string;
  role?: Role;
  /** Extra extensions expected (e.g. currentVersion). */
  extensions?: Record<string, unknown>;
}

interface MutationSpec {
  mutation: string;
  bureau: SubgraphName;
  role: Role;
  doc: string;
  /** Valid variables: applied once with a key before the bad cases, then replayed with that key. */
  valid(): Promise<Record<string, unknown>>;
  /** The bad cases, given the valid variables and what applying them answered. */
  cases(valid: Record<string, any>, applied: Record<string, any>): Promise<BadCase[]>;
}

/** The valid input with some fields changed, under a new key. */
const patch = (vars: Record<string, any>, input: Record<string, unknown>) => ({ ...vars, key: newKey(), input: { ...vars.input, ...input } });
/** The valid request again under a new key: a second application of the same change. */
const again = (vars: Record<string, any>) => ({ ...vars, key: newKey('again') });
const reuse = (vars: Record<string, any>, input: Record<string, unknown>): BadCase => ({
  kind: 'reused idempotency key with other input',
  vars: vars.input ? { ...vars, input: { ...vars.input, ...input } } : { ...vars, ...input },
  code: 'IDEMPOTENCY_KEY_REUSED',
  field: 'idempotencyKey',
});
const scope = (vars: Record<string, any>, role: Role): BadCase => ({ kind: `missing scope (${role})`, role, vars: again(vars), code: 'FORBIDDEN' });
const stale = (vars: Record<string, any>, current: number, field = 'input.version'): BadCase => ({
  kind: 'stale version',
  vars: again(vars),
  code: 'CONFLICT',
  field,
  extensions: { currentVersion: current },
});

async function activeRecords(n: number, offset: number): Promise<{ id: number; version: number }[]> {
  return rows('staffing', `SELECT id, version FROM registry_record WHERE end_date IS NULL ORDER BY id OFFSET $1 LIMIT $2`, [offset, n]);
}

const SPECS: MutationSpec[] = [
  {
    mutation: 'registerRegistryRecord', bureau: 'staffing', role: 'STAFFING_OFFICER', doc: REGISTER,
    valid: async () => ({
      input: { unit: await anyUnit(11), idNumber: newPerson(), name: '周建国', post: '保安', postCategory: '工勤', employmentForm: 'TEMPORARY', startDate: '2026-05-01', endDate: '2026-12-31' },
      key: newKey(),
    }),
    cases: async (v) => [
      { kind: 'bad credit-code checksum', vars: patch(v, { unit: badChecksum(v.input.unit) }), code: 'BAD_USER_INPUT', field: 'input.unit' },
      { kind: 'bad ID-number checksum', vars: patch(v, { idNumber: badChecksum(v.input.idNumber) }), code: 'BAD_USER_INPUT', field: 'input.idNumber' },
      { kind: 'impossible date', vars: patch(v, { startDate: '2026-02-30' }), code: 'BAD_USER_INPUT', field: 'input.startDate' },
      { kind: 'end before start', vars: patch(v, { endDate: '2026-04-30' }), code: 'BAD_USER_INPUT', field: 'input.endDate' },
      { kind: 'start before birth', vars: patch(v, { startDate: '1980-01-01' }), code: 'BAD_USER_INPUT', field: 'input.startDate' },
      { kind: 'unknown enum value', vars: patch(v, { employmentForm: 'FREELANCE' }), code: 'BAD_USER_INPUT', field: 'input.employmentForm' },
      { kind: 'unknown reference (unit)', vars: patch(v, { unit: UNKNOWN_UNIT }), code: 'BAD_USER_INPUT', field: 'input.unit' },
      { kind: 'blank name', vars: patch(v, { name: '  ' }), code: 'BAD_USER_INPUT', field: 'input.name' },
      { kind: 'the same person again over an overlapping period', vars: again(v), code: 'BAD_USER_INPUT', field: 'input.idNumber' },
      { kind: 'malformed idempotency key', vars: { ...v, key: 'short' }, code: 'BAD_USER_INPUT', field: 'idempotencyKey' },
      reuse(v, { name: '周建军' }),
      scope(v, 'FINANCE_OFFICER'),
      scope(v, 'TOWN_OFFICER'),
    ],
  },
  {
    mutation: 'changeRegistryRecord', bureau: 'staffing', role: 'STAFFING_OFFICER', doc: CHANGE,
    valid: async () => {
      const [r] = await activeRecords(1, 20);
      return { input: { id: String(r!.id), version: r!.version, post: '综合文秘', postCategory: '辅助管理' }, key: newKey() };
    },
    cases: async (v) => {
      const [other] = await activeRecords(1, 21);
      const ended = await one<{ id: number; version: number; end: string }>(
        'staffing',
        `SELECT id, version, to_char(end_date, 'YYYY-MM-DD') AS end FROM registry_record WHERE end_date IS NOT NULL ORDER BY id LIMIT 1`,
      );
      const current = { id: String(other!.id), version: other!.version };
      return [
        { kind: 'impossible date', vars: { input: { ...current, startDate: '2026-13-01' } }, code: 'BAD_USER_INPUT', field: 'input.startDate' },
        { kind: 'start after end', vars: { input: { id: String(ended.id), version: ended.version, startDate: '2099-01-01' } }, code: 'BAD_USER_INPUT', field: 'input.startDate' },
        { kind: 'unknown enum value', vars: { input: { ...current, employmentForm: 'FREELANCE' } }, code: 'BAD_USER_INPUT', field: 'input.employmentForm' },
        { kind: 'unknown reference (record)', vars: { input: { id: '99999999', version: 1, post: '文秘' } }, code: 'BAD_USER_INPUT', field: 'input.id' },
        { kind: 'malformed id', vars: { input: { id: 'abc', version: 1, post: '文秘' } }, code: 'BAD_USER_INPUT', field: 'input.id' },
        { kind: 'nothing to change', vars: { input: current }, code: 'BAD_USER_INPUT', field: 'input' },
        { kind: 'blank post', vars: { input: { ...current, post: ' ' } }, code: 'BAD_USER_INPUT', field: 'input.post' },
        stale(v, v.input.version + 1),
        reuse(v, { post: '档案管理' }),
        scope(v, 'HR_OFFICER'),
      ];
    },
  },
  {
    mutation: 'endRegistryRecord', bureau: 'staffing', role: 'STAFFING_OFFICER', doc: END,
    valid: async () => {
      const [r] = await activeRecords(1, 30);
      return { input: { id: String(r!.id), version: r!.version, endDate: '2026-10-31', reason: 'DISMISSED' }, key: newKey() };
    },
    cases: async (v) => {
      const [other] = await activeRecords(1, 31);
      const current = { id: String(other!.id), version: other!.version, reason: 'RETIRED' };
      return [
        { kind: 'impossible date', vars: { input: { ...current, endDate: '2026-11-31' } }, code: 'BAD_USER_INPUT', field: 'input.endDate' },
        { kind: 'end before start', vars: { input: { ...current, endDate: '1990-01-01' } }, code: 'BAD_USER_INPUT', field: 'input.endDate' },
        // IN_SERVICE is a change reason but not an end reason.
        { kind: 'unknown enum value', vars: { input: { ...current, endDate: '2026-10-31', reason: 'IN_SERVICE' } }, code: 'BAD_USER_INPUT', field: 'input.reason' },
        { kind: 'unknown reference (record)', vars: { input: { ...current, id: '99999999', endDate: '2026-10-31' } }, code: 'BAD_USER_INPUT', field: 'input.id' },
        { kind: 'already ended', vars: { input: { ...v.input, version: v.input.version + 1 }, key: newKey() }, code: 'BAD_USER_INPUT', field: 'input.id' },
        stale(v, v.input.version + 1),
        reuse(v, { endDate: '2026-11-30' }),
        scope(v, 'AUDITOR'),
      ];
    },
  },
  {
    mutation: 'decideQuota', bureau: 'staffing', role: 'STAFFING_OFFICER', doc: DECIDE,
    valid: async () => {
      const d = await one<{ unit: string; quota: number }>('staffing', `SELECT unit_code::text AS unit, quota FROM quota_decision WHERE year = 2026 AND quota > 3 ORDER BY unit_code OFFSET 10 LIMIT 1`);
      return { input: { unit: d.unit, year: 2027, quota: d.quota - 1, decidedOn: '2027-01-10' }, key: newKey() };
    },
    cases: async (v) => {
      const revise = { ...v.input, version: 1 };
      return [
        { kind: 'bad credit-code checksum', vars: patch(v, { unit: badChecksum(v.input.unit) }), code: 'BAD_USER_INPUT', field: 'input.unit' },
        { kind: 'impossible date', vars: { input: { ...revise, decidedOn: '2027-02-29' } }, code: 'BAD_USER_INPUT', field: 'input.decidedOn' },
        { kind: 'decided outside its year (period order)', vars: { input: { ...revise, decidedOn: '2029-01-01' } }, code: 'BAD_USER_INPUT', field: 'input.decidedOn' },
        { kind: 'wrong type (Boolean)', vars: { input: { ...revise, exceptionApproved: 'yes' } }, code: 'BAD_USER_INPUT', field: 'input.exceptionApproved' },
        { kind: 'unknown reference (unit)', vars: { input: { ...v.input, unit: UNKNOWN_UNIT } }, code: 'BAD_USER_INPUT', field: 'input.unit' },
        { kind: 'negative quota', vars: { input: { ...revise, quota: -1 } }, code: 'BAD_USER_INPUT', field: 'input.quota' },
        { kind: 'year out of range', vars: { input: { ...revise, year: 3000, decidedOn: '3000-01-01' } }, code: 'BAD_USER_INPUT', field: 'input.year' },
        { kind: 'exception without its document', vars: { input: { ...revise, exceptionApproved: true } }, code: 'BAD_USER_INPUT', field: 'input.exceptionDocument' },
        { kind: 'rise without an approved exception (只减不增)', vars: { input: { ...revise, quota: v.input.quota + 5 } }, code: 'QUOTA_RAISE_REFUSED', field: 'input.quota' },
        // Deciding the year again without the version read: someone decided it meanwhile.
        stale(v, 1),
        reuse(v, { quota: v.input.quota - 2 }),
        scope(v, 'FINANCE_OFFICER'),
      ];
    },
  },
  {
    mutation: 'submitEstablishmentApplication', bureau: 'staffing', role: 'STAFFING_OFFICER', doc: SUBMIT,
    valid: async () => {
      const suspended = new Set(
        (await rows<{ unit: string }>('audit', `SELECT DISTINCT unit_code::text AS unit FROM issue_lead WHERE status IN ('OPEN', 'ROUTED') AND rule IN ('UNREPORTED_STAFF', 'GHOST_RECORD', 'REGISTRY_LATE')`)).map((r) => r.unit),
      );
      const units = await rows<{ code: string }>('staffing', `SELECT code::text AS code FROM unit ORDER BY code`);
      return { unit: units.find((u) => !suspended.has(u.code))!.code, subject: '调整内设机构', key: newKey() };
    },
    cases: async (v) => [
      { kind: 'bad credit-code checksum', vars: { ...v, unit: badChecksum(v.unit), key: newKey() }, code: 'BAD_USER_INPUT', field: 'unit' },
      { kind: 'unknown reference (unit)', vars: { ...v, unit: UNKNOWN_UNIT, key: newKey() }, code: 'BAD_USER_INPUT', field: 'unit' },
      { kind: 'blank subject', vars: { ...v, subject: ' ', key: newKey() }, code: 'BAD_USER_INPUT', field: 'subject' },
      reuse(v, { subject: '增设内设机构' }),
      scope(v, 'FINANCE_OFFICER'),
    ],
  },
  {
    mutation: 'recordBudget', bureau: 'finance', role: 'FINANCE_OFFICER', doc: BUDGET,
    valid: async () => ({ input: { unit: await anyUnit(13), year: 2025, headcountBasis: 4, registrySnapshotDate: '2024-12-31' }, key: newKey() }),
    cases: async (v) => {
      const revise = { ...v.input, version: 1 };
      return [
        { kind: 'bad credit-code checksum', vars: patch(v, { unit: badChecksum(v.input.unit) }), code: 'BAD_USER_INPUT', field: 'input.unit' },
        { kind: 'impossible date', vars: { input: { ...revise, registrySnapshotDate: '2025-02-29' } }, code: 'BAD_USER_INPUT', field: 'input.registrySnapshotDate' },
        { kind: 'snapshot outside the budget period', vars: { input: { ...revise, registrySnapshotDate: '2023-06-30' } }, code: 'BAD_USER_INPUT', field: 'input.registrySnapshotDate' },
        { kind: 'wrong type (Int)', vars: { input: { ...revise, headcountBasis: 'seven' } }, code: 'BAD_USER_INPUT', field: 'input.headcountBasis' },
        { kind: 'negative headcount', vars: { input: { ...revise, headcountBasis: -1 } }, code: 'BAD_USER_INPUT', field: 'input.headcountBasis' },
        { kind: 'unknown reference (unit)', vars: { input: { ...v.input, unit: UNKNOWN_UNIT } }, code: 'BAD_USER_INPUT', field: 'input.unit' },
        { kind: 'unknown reference (funding standard of the year)', vars: { input: { ...v.input, year: 2027, registrySnapshotDate: '2026-12-31' } }, code: 'BAD_USER_INPUT', field: 'input.year' },
        stale(v, 1),
        reuse(v, { headcountBasis: 5 }),
        scope(v, 'STAFFING_OFFICER'),
      ];
    },
  },
  {
    mutation: 'recordContract', bureau: 'hr', role: 'HR_OFFICER', doc: CONTRACT,
    valid: async () => ({
      input: { number: `HT-BAD-${Date.now()}`, idNumber: newPerson('19920202'), name: '王磊', unit: await anyUnit(15), kind: 'LABOUR_CONTRACT', startDate: '2026-01-01', endDate: '2027-12-31', signedOn: '2025-12-20' },
      key: newKey(),
    }),
    cases: async (v) => {
      const fresh = { ...v.input, number: `HT-BAD2-${Date.now()}` };
      return [
        { kind: 'bad credit-code checksum', vars: { input: { ...fresh, unit: badChecksum(fresh.unit) } }, code: 'BAD_USER_INPUT', field: 'input.unit' },
        { kind: 'bad ID-number checksum', vars: { input: { ...fresh, idNumber: badChecksum(fresh.idNumber) } }, code: 'BAD_USER_INPUT', field: 'input.idNumber' },
        { kind: 'impossible date', vars: { input: { ...fresh, signedOn: '2025-04-31' } }, code: 'BAD_USER_INPUT', field: 'input.signedOn' },
        { kind: 'end before start', vars: { input: { ...fresh, endDate: '2025-06-30' } }, code: 'BAD_USER_INPUT', field: 'input.endDate' },
        { kind: 'terminated after the agreed end', vars: { input: { ...fresh, terminatedOn: '2028-01-31' } }, code: 'BAD_USER_INPUT', field: 'input.terminatedOn' },
        { kind: 'unknown enum value', vars: { input: { ...fresh, kind: 'GIG' } }, code: 'BAD_USER_INPUT', field: 'input.kind' },
        { kind: 'dispatch without its agency', vars: { input: { ...fresh, kind: 'DISPATCH' } }, code: 'BAD_USER_INPUT', field: 'input.dispatchAgency' },
        { kind: 'malformed contract number', vars: { input: { ...fresh, number: '合同#1' } }, code: 'BAD_USER_INPUT', field: 'input.number' },
        { kind: 'unknown reference (unit)', vars: { input: { ...fresh, unit: UNKNOWN_UNIT } }, code: 'BAD_USER_INPUT', field: 'input.unit' },
        stale(v, 1),
        reuse(v, { name: '王蕾' }),
        scope(v, 'FINANCE_OFFICER'),
      ];
    },
  },
  {
    mutation: 'recordInsuranceEnrolment', bureau: 'hr', role: 'HR_OFFICER', doc: INSURANCE,
    valid: async () => ({ input: { idNumber: newPerson('19930303'), name: '赵敏', unit: await anyUnit(17), startMonth: '2026-02' }, key: newKey() }),
    cases: async (v, applied) => [
      { kind: 'bad ID-number checksum', vars: patch(v, { idNumber: badChecksum(v.input.idNumber) }), code: 'BAD_USER_INPUT', field: 'input.idNumber' },
      { kind: 'bad credit-code checksum', vars: patch(v, { unit: badChecksum(v.input.unit) }), code: 'BAD_USER_INPUT', field: 'input.unit' },
      { kind: 'impossible month', vars: patch(v, { startMonth: '2026-13' }), code: 'BAD_USER_INPUT', field: 'input.startMonth' },
      { kind: 'end before start', vars: patch(v, { endMonth: '2025-12' }), code: 'BAD_USER_INPUT', field: 'input.endMonth' },
      { kind: 'unknown reference (unit)', vars: patch(v, { unit: UNKNOWN_UNIT }), code: 'BAD_USER_INPUT', field: 'input.unit' },
      { kind: 'unknown reference (enrolment)', vars: { input: { ...v.input, id: '99999999', version: 1 } }, code: 'BAD_USER_INPUT', field: 'input.id' },
      { kind: 'overlapping enrolment', vars: again(v), code: 'BAD_USER_INPUT', field: 'input.startMonth' },
      { kind: 'stale version', vars: { input: { ...v.input, id: applied.id, version: 5, endMonth: '2026-06' } }, code: 'CONFLICT', field: 'input.version', extensions: { currentVersion: 1 } },
      reuse(v, { startMonth: '2026-03' }),
      scope(v, 'AUDITOR'),
    ],
  },
  {
    mutation: 'createLead', bureau: 'audit', role: 'AUDITOR', doc: CREATE_LEAD,
    valid: async () => ({
      input: { unit: await anyUnit(19), idNumber: newPerson('19880808'), source: 'SPECIAL_INSPECTION', period: '2026', description: '专项检查发现未签订劳动合同', evidenceBureaus: ['HR'] },
      key: newKey(),
    }),
    cases: async (v) => {
      const foreign = await one<{ id: number }>('audit', `SELECT id FROM finding WHERE unit_code <> $1 ORDER BY id LIMIT 1`, [v.input.unit]);
      return [
        { kind: 'bad credit-code checksum', vars: patch(v, { unit: badChecksum(v.input.unit) }), code: 'BAD_USER_INPUT', field: 'input.unit' },
        { kind: 'bad ID-number checksum', vars: patch(v, { idNumber: badChecksum(v.input.idNumber) }), code: 'BAD_USER_INPUT', field: 'input.idNumber' },
        { kind: 'impossible period', vars: patch(v, { period: '2026-00' }), code: 'BAD_USER_INPUT', field: 'input.period' },
        { kind: 'unknown enum value', vars: patch(v, { source: 'RUMOUR' }), code: 'BAD_USER_INPUT', field: 'input.source' },
        { kind: 'the sweep’s own source', vars: patch(v, { source: 'RULE_SWEEP' }), code: 'BAD_USER_INPUT', field: 'input.source' },
        { kind: 'unknown rule', vars: patch(v, { rule: 'NO_SUCH_RULE' }), code: 'BAD_USER_INPUT', field: 'input.rule' },
        { kind: 'unknown reference (unit)', vars: patch(v, { unit: UNKNOWN_UNIT }), code: 'BAD_USER_INPUT', field: 'input.unit' },
        { kind: 'unknown reference (finding)', vars: patch(v, { finding: '99999999' }), code: 'BAD_USER_INPUT', field: 'input.finding' },
        { kind: 'finding about another unit', vars: patch(v, { finding: String(foreign.id) }), code: 'BAD_USER_INPUT', field: 'input.finding' },
        { kind: 'blank description', vars: patch(v, { description: '' }), code: 'BAD_USER_INPUT', field: 'input.description' },
        reuse(v, { description: '另一条线索' }),
        scope(v, 'HR_OFFICER'),
      ];
    },
  },
  {
    mutation: 'routeLead', bureau: 'audit', role: 'AUDITOR', doc: ROUTE,
    valid: async () => {
      const l = await one<{ id: number; version: number }>('audit', `SELECT id, version FROM issue_lead WHERE status IN ('OPEN', 'ROUTED') ORDER BY id LIMIT 1`);
      return { id: String(l.id), to: 'AUDIT', version: l.version, key: newKey() };
    },
    cases: async (v) => {
      const closed = await one<{ id: number; version: number }>('audit', `SELECT id, version FROM issue_lead WHERE status = 'CLOSED' ORDER BY id LIMIT 1`);
      return [
        { kind: 'unknown enum value', vars: { ...v, to: 'POLICE', version: v.version + 1, key: newKey() }, code: 'BAD_USER_INPUT', field: 'to' },
        { kind: 'unknown reference (lead)', vars: { ...v, id: '99999999', key: newKey() }, code: 'BAD_USER_INPUT', field: 'id' },
        { kind: 'malformed id', vars: { ...v, id: 'x', key: newKey() }, code: 'BAD_USER_INPUT', field: 'id' },
        { kind: 'lead not open', vars: { id: String(closed.id), to: 'AUDIT', version: closed.version }, code: 'BAD_USER_INPUT', field: 'id' },
        stale(v, v.version + 1, 'version'),
        reuse(v, { to: 'DISCIPLINE' }),
        scope(v, 'FINANCE_OFFICER'),
      ];
    },
  },
  {
    mutation: 'closeLead', bureau: 'audit', role: 'AUDITOR', doc: CLOSE,
    valid: async () => {
      const l = await one<{ id: number; version: number }>('audit', `SELECT id, version FROM issue_lead WHERE status IN ('OPEN', 'ROUTED') ORDER BY id OFFSET 1 LIMIT 1`);
      return { id: String(l.id), note: '整改到位', version: l.version, key: newKey() };
    },
    cases: async (v) => [
      { kind: 'unknown reference (lead)', vars: { ...v, id: '99999999', key: newKey() }, code: 'BAD_USER_INPUT', field: 'id' },
      { kind: 'note too long', vars: { ...v, note: '长'.repeat(2001), version: v.version + 1, key: newKey() }, code: 'BAD_USER_INPUT', field: 'note' },
      { kind: 'lead not open', vars: { ...v, version: v.version + 1, key: newKey() }, code: 'BAD_USER_INPUT', field: 'id' },
      stale(v, v.version + 1, 'version'),
      reuse(v, { note: '另有说明' }),
      scope(v, 'HR_OFFICER'),
    ],
  },
  {
    mutation: 'recordRectificationProgress', bureau: 'audit', role: 'AUDITOR', doc: PROGRESS,
    valid: async () => {
      const r = await one<{ id: number; version: number }>(
        'audit',
        `SELECT id, version FROM rectification WHERE status <> 'COMPLETED' AND feedback_form_id IS NOT NULL ORDER BY id OFFSET 3 LIMIT 1`,
      );
      return { input: { rectification: String(r.id), version: r.version, status: 'IN_PROGRESS', note: '正在整改' }, key: newKey() };
    },
    cases: async (v) => {
      const current = { ...v.input, version: v.input.version + 1 };
      return [
        { kind: 'impossible date', vars: { input: { ...current, status: 'COMPLETED', completedOn: '2026-09-31' } }, code: 'BAD_USER_INPUT', field: 'input.completedOn' },
        { kind: 'completed before the feedback form was issued', vars: { input: { ...current, status: 'COMPLETED', completedOn: '2000-01-01' } }, code: 'BAD_USER_INPUT', field: 'input.completedOn' },
        { kind: 'completed in the future', vars: { input: { ...current, status: 'COMPLETED', completedOn: '2099-01-01' } }, code: 'BAD_USER_INPUT', field: 'input.completedOn' },
        { kind: 'completed without a date', vars: { input: { ...current, status: 'COMPLETED' } }, code: 'BAD_USER_INPUT', field: 'input.completedOn' },
        { kind: 'unknown enum value', vars: { input: { ...current, status: 'DONE' } }, code: 'BAD_USER_INPUT', field: 'input.status' },
        { kind: 'unknown reference (rectification)', vars: { input: { ...current, rectification: '99999999' } }, code: 'BAD_USER_INPUT', field: 'input.rectification' },
        stale(v, v.input.version + 1),
        reuse(v, { note: '另一进展' }),
        scope(v, 'STAFFING_OFFICER'),
      ];
    },
  },
];

describe.each(SPECS)('$mutation: bad input', (spec) => {
  it('answers each kind with its code naming the field, changes nothing, and replays the applied request', async () => {
    const valid = await spec.valid();
    const first = await as(spec.role, spec.doc, valid);
    const applied = ok(first, spec.mutation);
    const before = await digest(fed.dbs[spec.bureau]);
    const cases = await spec.cases(valid, applied);
    const answers: [string, unknown][] = [];
    for (const c of cases) {
      const res = await as(c.role ?? spec.role, spec.doc, c.vars);
      answers.push([c.kind, res.errors?.[0]?.extensions]);
      expect([c.kind, res.data?.[spec.mutation] ?? null]).toEqual([c.kind, null]);
    }
    expect(answers).toEqual(
      cases.map((c) => [c.kind, expect.objectContaining({ code: c.code, ...(c.field ? { field: c.field } : {}), ...c.extensions })]),
    );
    // The retry of the applied request answers the same and applies nothing.
    const replay = await as(spec.role, spec.doc, valid);
    expect(replay).toEqual(first);
    expect(await digest(fed.dbs[spec.bureau])).toEqual(before);
  });
});

// ---- access control, masking, a write failing halfway ----------------------------------------------

describe('access control of writes', () => {
  it('masks the ID number and name a write returns to a caller without personal:read', async () => {
    const token = await fed.signToken({ sub: 'test:clerk', role: 'STAFFING_OFFICER', scope: 'detail:read staffing:write' });
    const idNumber = newPerson('19870707');
    const res = await postGraphQL<Record<string, any>>(
      fed.gatewayUrl,
      { query: REGISTER, variables: { input: { unit: await anyUnit(23), idNumber, name: '孙小梅', post: '保洁', postCategory: '工勤', employmentForm: 'TEMPORARY', startDate: '2026-06-01' } } },
      { authorization: `Bearer ${token}` },
    );
    const record = ok(res, 'registerRegistryRecord');
    expect(record.name).toBe('孙**');
    expect(record.person.idNumber).toBe(`${idNumber.slice(0, 6)}********${idNumber.slice(14)}`);
    expect(JSON.stringify(res)).not.toContain(idNumber);
    const stored = await one('staffing', `SELECT id_number::text AS id, name FROM registry_record WHERE id = $1`, [Number(record.id)]);
    expect(stored).toEqual({ id: idNumber, name: '孙小梅' });
  });

  it('is refused by the owning subgraph itself, not only by the gateway, without the bureau’s write scope', async () => {
    const analyst = identityOf('test:analyst', 'ANALYST');
    const before = await digestAll();
    const calls: [SubgraphName, string, string, Record<string, unknown>][] = [
      ['staffing', 'staffing:write', END, { input: { id: '1', version: 1, endDate: '2026-10-31', reason: 'DISMISSED' } }],
      ['finance', 'finance:write', BUDGET, { input: { unit: await anyUnit(1), year: 2025, headcountBasis: 1, registrySnapshotDate: '2024-12-31' } }],
      ['hr', 'hr:write', INSURANCE, { input: { idNumber: newPerson(), name: '钱多多', unit: await anyUnit(1), startMonth: '2026-01' } }],
      ['audit', 'audit:write', PROGRESS, { input: { rectification: '1', version: 1, status: 'IN_PROGRESS' } }],
    ];
    for (const [bureau, scopeNeeded, query, variables] of calls) {
      // Only what the subgraph resolves: the mutation's own fields, no entity references.
      const body = JSON.stringify({ query: query.replace(/ (unit|person) \{[^}]*\}/g, ''), variables });
      const res = await fetch(fed.subgraphUrls[bureau], { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signRequest(fed.signingKey, body, analyst) }, body });
      const json = (await res.json()) as Response;
      expect([bureau, json.errors?.[0]?.extensions]).toEqual([bureau, expect.objectContaining({ code: 'FORBIDDEN', scope: scopeNeeded })]);
    }
    expect(await digestAll()).toEqual(before);
  });

  it('keeps a caller with a row scope to its own units’ records, in writes as in reads', async () => {
    // No role has both a write scope and a row scope today; the subgraphs refuse the combination all the same.
    const [own, other] = [await anyUnit(25), await anyUnit(26)];
    const townWriter = { ...identityOf('test:town-writer', 'STAFFING_OFFICER'), units: [own] };
    const before = await digest(fed.dbs.staffing);
    const input = { unit: other, idNumber: newPerson(), name: '吴桐', post: '保安', postCategory: '工勤', employmentForm: 'TEMPORARY', startDate: '2026-06-01' };
    const body = JSON.stringify({ query: REGISTER.replace(/ (unit|person) \{[^}]*\}/g, ''), variables: { input } });
    const res = await fetch(fed.subgraphUrls.staffing, { method: 'POST', headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signRequest(fed.signingKey, body, townWriter) }, body });
    const json = (await res.json()) as Response;
    expect(json.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'row_scope', field: 'input.unit' });
    expect(await digest(fed.dbs.staffing)).toEqual(before);
  });
});

describe('a write failing halfway', () => {
  it('leaves nothing behind: the first insert and the idempotency key roll back with the failed update, and a retry applies once', async () => {
    const r = await one<{ id: number; version: number }>('audit', `SELECT id, version FROM rectification WHERE status <> 'COMPLETED' ORDER BY id OFFSET 6 LIMIT 1`);
    const vars = { input: { rectification: String(r.id), version: r.version, status: 'IN_PROGRESS', note: '半途失败' }, key: newKey('halfway') };
    // The progress report is inserted first; the update of the rectification after it then violates a constraint.
    await rows('audit', `ALTER TABLE rectification ADD CONSTRAINT test_halfway CHECK (progress_note IS DISTINCT FROM '半途失败')`);
    try {
      const before = await digest(fed.dbs.audit);
      const failed = await as('AUDITOR', PROGRESS, vars);
      expect(failed.data?.recordRectificationProgress ?? null).toBeNull();
      expect(failed.errors?.[0]?.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', rolledBack: true });
      // No database text (constraint names, rows) reaches the caller.
      expect(JSON.stringify(failed.errors)).not.toMatch(/test_halfway|constraint|violat/i);
      expect(await digest(fed.dbs.audit)).toEqual(before);
    } finally {
      await rows('audit', `ALTER TABLE rectification DROP CONSTRAINT test_halfway`);
    }
    const retried = ok(await as('AUDITOR', PROGRESS, vars), 'recordRectificationProgress');
    expect(retried).toMatchObject({ version: r.version + 1, progressNote: '半途失败' });
    expect(ok(await as('AUDITOR', PROGRESS, vars), 'recordRectificationProgress')).toEqual(retried);
    const reports = await one<{ n: number }>('audit', `SELECT count(*)::int AS n FROM rectification_progress WHERE rectification_id = $1`, [r.id]);
    expect(reports.n).toBe(1);
  });
});

// ---- 1,000 concurrent mutations -----------------------------------------------------------------

type Row = Record<string, unknown>;

/** Every row of a table by primary key (as JSON). */
async function tableRows(db: Database, table: string): Promise<Map<string, Row>> {
  const pk = await db.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
     WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY a.attname`,
    [`"${table}"`],
  );
  const all = await db.query<{ row: Row }>(`SELECT to_jsonb(t) AS row FROM "${table}" t`);
  return new Map(all.map(({ row }) => [pk.map((c) => String(row[c.name])).join('|'), row]));
}

interface TableDiff {
  added: Row[];
  removed: Row[];
  changed: { before: Row; after: Row }[];
}

function diffRows(before: Map<string, Row>, after: Map<string, Row>): TableDiff {
  const d: TableDiff = { added: [], removed: [], changed: [] };
  for (const [k, row] of after) {
    const was = before.get(k);
    if (!was) d.added.push(row);
    else if (JSON.stringify(was) !== JSON.stringify(row)) d.changed.push({ before: was, after: row });
  }
  for (const [k, row] of before) if (!after.has(k)) d.removed.push(row);
  return d;
}

/** The tables a burst of writes may change; every other table must keep its digest. */
const WRITTEN: Record<SubgraphName, string[]> = {
  staffing: ['registry_record', 'quota_decision', 'idempotency_key'],
  finance: ['personnel_budget', 'idempotency_key'],
  hr: ['employment_contract', 'insurance_enrolment', 'idempotency_key'],
  audit: ['issue_lead', 'idempotency_key'],
};

async function snapshot() {
  const out = {} as Record<SubgraphName, { digest: Record<string, string>; rows: Record<string, Map<string, Row>> }>;
  for (const bureau of Object.keys(WRITTEN) as SubgraphName[]) {
    const db = fed.dbs[bureau];
    const rowsOf: Record<string, Map<string, Row>> = {};
    for (const t of WRITTEN[bureau]) rowsOf[t] = await tableRows(db, t);
    out[bureau] = { digest: await digest(db), rows: rowsOf };
  }
  return out;
}

interface Sent {
  group: string;
  role: Role;
  doc: string;
  mutation: string;
  vars: Record<string, any>;
}

const byKey = <T, K>(list: T[], key: (t: T) => K) => {
  const m = new Map<K, T[]>();
  for (const t of list) m.set(key(t), [...(m.get(key(t)) ?? []), t]);
  return m;
};

/** Failures a client retries with the same idempotency key: none is about the request itself. */
const TRANSIENT = new Set(['NETWORK_ERROR', 'UPSTREAM_ERROR', 'GATEWAY_UNAVAILABLE', 'SUBGRAPH_ERROR', 'SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_TIMEOUT', 'ACCESS_LOG_UNAVAILABLE']);

describe('1,000 concurrent mutations', () => {
  it('apply each intended change exactly once, lose no conflicting write silently, and change nothing else', async () => {
    const units = (await rows<{ code: string }>('staffing', `SELECT code::text AS code FROM unit ORDER BY code`)).map((u) => u.code);
    const budgeted2025 = new Set((await rows<{ u: string }>('finance', `SELECT unit_code::text AS u FROM personnel_budget WHERE year = 2025`)).map((r) => r.u));
    const quotaUnits = await rows<{ unit: string; quota: number }>(
      'staffing',
      `SELECT d.unit_code::text AS unit, d.quota FROM quota_decision d WHERE d.year = 2026 AND d.quota > 2
       AND NOT EXISTS (SELECT 1 FROM quota_decision n WHERE n.unit_code = d.unit_code AND n.year = 2027) ORDER BY d.unit_code LIMIT 25`,
    );
    const records = await activeRecords(50, 100);
    const leads = await rows<{ id: number; version: number }>('audit', `SELECT id, version FROM issue_lead WHERE status IN ('OPEN', 'ROUTED') ORDER BY id OFFSET 10 LIMIT 25`);
    expect([quotaUnits.length, records.length, leads.length]).toEqual([25, 50, 25]);

    const sends: Sent[] = [];
    const send = (group: string, role: Role, doc: string, mutation: string, vars: Record<string, any>, times = 1) => {
      for (let i = 0; i < times; i++) sends.push({ group, role, doc, mutation, vars });
    };
    const tag = Date.now().toString(36);
    // A: 100 registrations, each sent three times with one key.
    for (let i = 0; i < 100; i++) {
      const input = { unit: units[i % 40]!, idNumber: newPerson('19910101'), name: `并发${i}`, post: '辅助岗', postCategory: '辅助管理', employmentForm: 'LABOUR_CONTRACT', startDate: '2026-07-01' };
      send(`register:${i}`, 'STAFFING_OFFICER', REGISTER, 'registerRegistryRecord', { input, key: `burst-${tag}-reg-${i}` }, 3);
    }
    // B: 50 records, each changed by four officers at once from the same version: one may win.
    for (const r of records) {
      for (let j = 0; j < 4; j++) {
        send(`change:${r.id}`, 'STAFFING_OFFICER', CHANGE, 'changeRegistryRecord', { input: { id: String(r.id), version: r.version, post: `岗位${r.id}-${j}` }, key: `burst-${tag}-chg-${r.id}-${j}` });
      }
    }
    // C: 50 budgets, each sent twice with one key.
    for (const unit of units.filter((u) => !budgeted2025.has(u)).slice(0, 50)) {
      send(`budget:${unit}`, 'FINANCE_OFFICER', BUDGET, 'recordBudget', { input: { unit, year: 2025, headcountBasis: 3, registrySnapshotDate: '2024-12-31' }, key: `burst-${tag}-bud-${unit}` }, 2);
    }
    // D and E: 50 contracts and 50 insurance enrolments, each sent twice with one key.
    for (let i = 0; i < 50; i++) {
      const idNumber = newPerson('19940404');
      const unit = units[60 + (i % 30)]!;
      send(`contract:${i}`, 'HR_OFFICER', CONTRACT, 'recordContract', {
        input: { number: `HT-BURST-${tag}-${i}`, idNumber, name: `合同${i}`, unit, kind: 'LABOUR_CONTRACT', startDate: '2026-07-01', signedOn: '2026-06-25' },
        key: `burst-${tag}-con-${i}`,
      }, 2);
      send(`insurance:${i}`, 'HR_OFFICER', INSURANCE, 'recordInsuranceEnrolment', { input: { idNumber, name: `合同${i}`, unit, startMonth: '2026-07' }, key: `burst-${tag}-ins-${i}` }, 2);
    }
    // F: 50 new leads, each sent twice with one key.
    for (let i = 0; i < 50; i++) {
      send(`lead:${i}`, 'AUDITOR', CREATE_LEAD, 'createLead', {
        input: { unit: units[100 + (i % 40)]!, source: 'REPORT', period: '2026-10', description: `举报线索${i}`, evidenceBureaus: ['STAFFING'] },
        key: `burst-${tag}-lead-${i}`,
      }, 2);
    }
    // G: 25 leads, each routed two ways at once from the same version.
    for (const l of leads) {
      for (const to of ['AUDIT', 'DISCIPLINE']) send(`route:${l.id}`, 'AUDITOR', ROUTE, 'routeLead', { id: String(l.id), to, version: l.version, key: `burst-${tag}-route-${l.id}-${to}` });
    }
    // H: 25 units' 2027 quota decided twice at once, neither having seen the other.
    for (const q of quotaUnits) {
      for (const quota of [q.quota - 1, q.quota - 2]) {
        send(`quota:${q.unit}`, 'STAFFING_OFFICER', DECIDE, 'decideQuota', { input: { unit: q.unit, year: 2027, quota, decidedOn: '2027-01-20' }, key: `burst-${tag}-quota-${q.unit}-${quota}` });
      }
    }
    expect(sends.length).toBe(1000);

    const before = await snapshot();
    // Interleaved, so that copies of one request are not neighbours.
    const order = sends.map((s, i) => ({ s, i, r: (i * 7919) % sends.length })).sort((a, b) => a.r - b.r);
    const sendOnce = (s: Sent): Promise<Response> =>
      as(s.role, s.doc, s.vars).catch((err: Error) => ({ status: 0, errors: [{ message: err.message, extensions: { code: 'NETWORK_ERROR' } }] }));
    const answers = await Promise.all(order.map(({ s }) => sendOnce(s)));
    const results = order.map(({ s }, n) => ({ ...s, res: answers[n]! }));
    // What a client does on a failure that is not about its input (the graph overloaded, a connection lost):
    // it retries with the same key. On a loaded machine a burst can outlast the 60 s in which a bureau's own
    // signed question to the graph (is the unit known?) is accepted; the retry must then apply exactly once.
    for (let round = 0; round < 5; round++) {
      const failed = results.filter((r) => TRANSIENT.has(String(r.res.errors?.[0]?.extensions?.code)));
      if (failed.length === 0) break;
      const again = await Promise.all(failed.map((r) => sendOnce(r)));
      failed.forEach((r, n) => (r.res = again[n]!));
    }
    const after = await snapshot();

    // Answers: every request succeeded but the losers of a version race, which got CONFLICT.
    const unexpected = results.filter((r) => r.res.errors && r.res.errors[0]?.extensions?.code !== 'CONFLICT');
    expect(unexpected.map((r) => [r.group, r.res.status, r.res.errors])).toEqual([]);
    const groups = byKey(results, (r) => r.group);
    const winners = new Map<string, (typeof results)[number]>();
    for (const [group, list] of groups) {
      const won = list.filter((r) => !r.res.errors);
      const lost = list.filter((r) => r.res.errors);
      if (/^(change|route|quota):/.test(group)) {
        // Exactly one write per record won; each loser was told, with the version it now has.
        expect([group, won.length, lost.length]).toEqual([group, 1, list.length - 1]);
        const current = won[0]!.res.data![won[0]!.mutation].version;
        for (const l of lost) expect(l.res.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: current });
      } else {
        // Retries with one key: one change, the same answer to each.
        expect([group, lost.length]).toEqual([group, 0]);
        for (const r of won) expect(r.res.data).toEqual(won[0]!.res.data);
      }
      winners.set(group, won[0]!);
    }

    // The database: untouched tables keep their digest; the written ones differ by the intended changes only.
    for (const bureau of Object.keys(WRITTEN) as SubgraphName[]) {
      for (const [table, d] of Object.entries(after[bureau].digest)) {
        // data_version counts committed writes (the caches' key): it moves with every applied change.
        if (table === 'data_version') expect(d).not.toEqual(before[bureau].digest[table]);
        else if (!WRITTEN[bureau].includes(table)) expect([bureau, table, d]).toEqual([bureau, table, before[bureau].digest[table]]);
      }
    }
    const diff = (bureau: SubgraphName, table: string) => diffRows(before[bureau].rows[table]!, after[bureau].rows[table]!);
    const winnersOf = (prefix: string) => [...winners].filter(([g]) => g.startsWith(prefix)).map(([, w]) => w);
    const sortBy = <T>(list: T[], key: (t: T) => string) => [...list].sort((a, b) => key(a).localeCompare(key(b)));

    const registry = diff('staffing', 'registry_record');
    expect(registry.removed).toEqual([]);
    expect(sortBy(registry.added.map((r) => `${r.unit_code}|${r.id_number}|${r.name}|${r.version}|${r.change_reason}`), (s) => s)).toEqual(
      sortBy(winnersOf('register:').map((w) => `${w.vars.input.unit}|${w.vars.input.idNumber}|${w.vars.input.name}|1|ADDED`), (s) => s),
    );
    // Each raced record carries the winner's post and nothing of the losers'.
    expect(registry.changed.length).toBe(50);
    for (const { before: b, after: a } of registry.changed) {
      const won = winners.get(`change:${a.id}`)!;
      expect(a).toEqual({ ...b, post: won.vars.input.post, version: (b.version as number) + 1 });
    }
    const quota = diff('staffing', 'quota_decision');
    expect([quota.removed, quota.changed]).toEqual([[], []]);
    expect(sortBy(quota.added.map((q) => `${q.unit_code}|${q.year}|${q.quota}|${q.version}`), (s) => s)).toEqual(
      sortBy(winnersOf('quota:').map((w) => `${w.vars.input.unit}|2027|${w.vars.input.quota}|1`), (s) => s),
    );
    const budgets = diff('finance', 'personnel_budget');
    expect([budgets.removed, budgets.changed, budgets.added.length]).toEqual([[], [], 50]);
    expect(new Set(budgets.added.map((b) => `${b.unit_code}|${b.year}|${b.headcount_basis}`))).toEqual(
      new Set(winnersOf('budget:').map((w) => `${w.vars.input.unit}|2025|3`)),
    );
    const contracts = diff('hr', 'employment_contract');
    expect([contracts.removed, contracts.changed]).toEqual([[], []]);
    expect(new Set(contracts.added.map((c) => c.id))).toEqual(new Set(winnersOf('contract:').map((w) => w.vars.input.number)));
    const enrolments = diff('hr', 'insurance_enrolment');
    expect([enrolments.removed, enrolments.changed]).toEqual([[], []]);
    expect(sortBy(enrolments.added.map((e) => `${e.id_number}|${e.unit_code}|${e.start_month}`), (s) => s)).toEqual(
      sortBy(winnersOf('insurance:').map((w) => `${w.vars.input.idNumber}|${w.vars.input.unit}|2026-07`), (s) => s),
    );
    const issueLeads = diff('audit', 'issue_lead');
    expect(issueLeads.removed).toEqual([]);
    expect(sortBy(issueLeads.added.map((l) => String(l.description)), (s) => s)).toEqual(sortBy(winnersOf('lead:').map((w) => w.vars.input.description), (s) => s));
    expect(issueLeads.changed.length).toBe(25);
    for (const { before: b, after: a } of issueLeads.changed) {
      const won = winners.get(`route:${a.id}`)!;
      expect(a).toEqual({ ...b, status: 'ROUTED', routed_to: won.vars.to, version: (b.version as number) + 1 });
    }
    // One stored key per applied request; none for the losers, whose transactions rolled back.
    const keys = (bureau: SubgraphName) => diff(bureau, 'idempotency_key');
    const appliedKeys = (prefixes: string[]) => new Set([...winners].filter(([g]) => prefixes.some((p) => g.startsWith(p))).map(([, w]) => w.vars.key));
    for (const [bureau, prefixes] of [
      ['staffing', ['register:', 'change:', 'quota:']],
      ['finance', ['budget:']],
      ['hr', ['contract:', 'insurance:']],
      ['audit', ['lead:', 'route:']],
    ] as [SubgraphName, string[]][]) {
      const k = keys(bureau);
      expect([bureau, k.removed, k.changed]).toEqual([bureau, [], []]);
      expect([bureau, new Set(k.added.map((r) => r.key))]).toEqual([bureau, appliedKeys(prefixes)]);
    }
    // Embedded PGlite runs one transaction at a time: the burst queues far longer there.
  }, 240_000);
});
