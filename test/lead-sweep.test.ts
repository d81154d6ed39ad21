// The lead sweep (数据比对线索) and suspension (暂停办理) through the gateway: the sweep records every
// rule's hits as issue leads exactly as the manifest expects, is idempotent, marks vanished causes
// RESOLVED_BY_DATA, routes by rule (问题抄送); a unit with open registry leads cannot file an
// establishment application until they are closed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import type { RuleAnswers } from '../scripts/seed/expected.ts';
import { readOperation } from '../lib/operations.ts';
import { monthRange } from '../lib/cross-check.ts';
import { SWEEP_RULE_NAMES } from '../lib/lead-rules.ts';
import { SWEEP_RULES } from '../subgraphs/audit/rules.ts';
import { startTestFederation, type GraphQLResponse, type TestFederation } from './support/federation.ts';

const SWEEP = `mutation($month: Month!, $route: Boolean) {
  runLeadSweep(month: $month, route: $route) {
    found created reopened unchanged resolvedByData
    rules { rule period found created reopened unchanged resolvedByData }
  }
}`;
const LEADS = `query($after: String, $status: [LeadStatus!]) {
  leads(filter: { source: RULE_SWEEP, status: $status }, first: 1000, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { id version unit { code } person { idNumber } rule period status routedTo evidenceBureaus description }
  }
}`;
const SUBMIT = `mutation($unit: String!, $subject: String!) { submitEstablishmentApplication(unit: $unit, subject: $subject) { id status unit { code } } }`;

let data: GeneratedData;
let expected: RuleAnswers;
let fed: TestFederation;

/** The (rule, period, unit, person) keys the manifest says the sweep must hold as open leads. */
function expectedKeys(): Set<string> {
  const m = expected.month;
  const y = String(expected.year);
  const keys = new Set<string>();
  const add = (rule: string, period: string, unit: string, person: string | null = null) => keys.add(`${rule}|${period}|${unit}|${person ?? ''}`);
  for (const u of expected.unreportedStaff) for (const p of u.people) add('UNREPORTED_STAFF', m, u.unitCode, p.idNumber);
  for (const h of expected.ghostRecords) add('GHOST_RECORD', m, h.unitCode, h.idNumber);
  for (const h of expected.overQuota) add('OVER_QUOTA', m, h.unitCode);
  for (const h of expected.unrecoveredOutsourcing) add('UNRECOVERED_OUTSOURCING', m, h.unitCode);
  for (const h of expected.disguisedOutsourcing) add('DISGUISED_OUTSOURCING', m, h.unitCode, h.idNumber);
  for (const h of expected.payAboveStandard) add('PAY_ABOVE_STANDARD', m, h.unitCode, h.idNumber);
  for (const h of expected.missingAgreements) add('NO_AGREEMENT', m, h.unitCode, h.idNumber);
  for (const h of expected.retireesOverAgeLimit) add('RETIREE_OVER_AGE', m, h.unitCode, h.idNumber);
  for (const h of expected.hiredWithoutRecruitment) add('HIRED_WITHOUT_RECRUITMENT', m, h.unitCode, h.idNumber);
  for (const h of expected.registryLate) add('REGISTRY_LATE', m, h.unitCode, h.idNumber);
  for (const h of expected.overdueRectifications) add('OVERDUE_RECTIFICATION', m, h.unitCode);
  for (const h of expected.budgetLinkage) add('BUDGET_LINKAGE', y, h.unitCode);
  for (const h of expected.quotaRaised) add('QUOTA_RAISED', y, h.unitCode);
  return keys;
}

async function sweepLeads(status?: string[]) {
  const out: Record<string, any>[] = [];
  let after: string | null = null;
  do {
    const res: GraphQLResponse<Record<string, any>> = await fed.query(LEADS, { after, status });
    expect(res.errors).toBeUndefined();
    out.push(...res.data!.leads.nodes);
    after = res.data!.leads.pageInfo.hasNextPage ? res.data!.leads.pageInfo.endCursor : null;
  } while (after);
  return out;
}

const keyOf = (l: Record<string, any>) => `${l.rule}|${l.period}|${l.unit.code}|${l.person?.idNumber ?? ''}`;

async function sweep(route = true) {
  const res = await fed.query(SWEEP, { month: expected.month, route });
  expect(res.errors).toBeUndefined();
  return res.data!.runLeadSweep;
}

beforeAll(async () => {
  data = generate({ seed: 42 });
  expected = data.manifest.rules;
  fed = await startTestFederation(data);
});

afterAll(async () => {
  await fed?.stop();
});

describe('lead sweep', () => {
  it('records the hits of every rule as open leads, exactly the manifest, routed by rule', async () => {
    const want = expectedKeys();
    const openBefore = (await sweepLeads(['OPEN', 'ROUTED'])).map(keyOf);
    const report = await sweep();
    expect(report.found).toBe(want.size);
    expect(report.created + report.reopened + report.unchanged).toBe(want.size);
    // Seeded sweep leads already open for a key the rules still find are kept, not duplicated.
    expect(report.unchanged).toBe(new Set(openBefore.filter((k) => want.has(k))).size);
    expect(report.rules.every((r: any) => r.found > 0)).toBe(true);

    const open = await sweepLeads(['OPEN', 'ROUTED']);
    expect(new Set(open.map(keyOf))).toEqual(want);
    expect(open.length - new Set(open.map(keyOf)).size).toBe(openBefore.length - new Set(openBefore).size);
    const fresh = open.filter((l) => l.status === 'ROUTED' && l.description);
    const routeOf = new Map(fresh.map((l) => [l.rule, new Set<string>()]));
    for (const l of fresh) routeOf.get(l.rule)!.add(l.routedTo);
    expect(routeOf.get('PAY_ABOVE_STANDARD')).toEqual(new Set(['AUDIT']));
    expect(routeOf.get('GHOST_RECORD')).toEqual(new Set(['INSPECTION_TOUR']));
    expect(routeOf.get('HIRED_WITHOUT_RECRUITMENT')).toEqual(new Set(['DISCIPLINE']));
    const ghost = open.find((l) => l.rule === 'GHOST_RECORD')!;
    expect(ghost.evidenceBureaus).toEqual(['STAFFING', 'HR', 'FINANCE']);
  });

  it('is idempotent: a second run, by the npm command, adds nothing', async () => {
    const before = await sweepLeads();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/leads-sweep.ts', '--gateway', fed.gatewayUrl, '--month', expected.month],
      { cwd: process.cwd(), env: { ...process.env, NODE_OPTIONS: '', GATEWAY_TOKEN: fed.tokens.AUDITOR } },
    );
    expect(stdout).toMatch(/0 new leads, 0 reopened, \d+ already open, 0 resolved by data/);
    const after = await sweepLeads();
    expect(after.length).toBe(before.length);
  });

  it('sweeps only the rules asked for, refusing unknown ones; the command knows every rule', async () => {
    expect(Object.keys(SWEEP_RULE_NAMES)).toEqual(SWEEP_RULES.map((r) => r.rule));
    const one = await fed.query(`mutation($month: Month!) { runLeadSweep(month: $month, rules: ["OVER_QUOTA"]) { found rules { rule found } } }`, { month: expected.month });
    expect(one.errors).toBeUndefined();
    expect(one.data!.runLeadSweep.rules).toEqual([{ rule: 'OVER_QUOTA', found: expected.overQuota.length }]);
    expect(one.data!.runLeadSweep.found).toBe(expected.overQuota.length);
    const before = await sweepLeads();
    const bad = await fed.query(`mutation($month: Month!) { runLeadSweep(month: $month, rules: ["OVER_QUOTA", "NO_SUCH_RULE"]) { found } }`, { month: expected.month });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rules' });
    expect(bad.errors?.[0]?.message).toContain('NO_SUCH_RULE');
    expect(await sweepLeads()).toEqual(before);
  });

  it('marks a lead RESOLVED_BY_DATA when its cause has gone, and opens it again when it returns', async () => {
    const person = expected.unreportedStaff[0]!.people[0]!.idNumber;
    const unit = expected.unreportedStaff[0]!.unitCode;
    const leadOf = async () => (await sweepLeads()).filter((l) => l.rule === 'UNREPORTED_STAFF' && l.unit.code === unit && l.person?.idNumber === person);
    // The establishment office registers the person (seconded, entered long ago: no other rule fires).
    await fed.dbs.staffing.query(
      `INSERT INTO registry_record (unit_code, id_number, name, post, post_category, employment_form, start_date, change_reason, recorded_at)
       VALUES ($1, $2, '补录', '借调岗', '辅助管理', 'SECONDED', '2000-01-01', 'ADDED', '2000-01-01T09:00:00+08:00')`,
      [unit, person],
    );
    const ruleOf = (report: any) => report.rules.find((r: any) => r.rule === 'UNREPORTED_STAFF');
    const gone = await sweep();
    expect(ruleOf(gone)).toMatchObject({ created: 0, resolvedByData: 1 });
    const resolved = await leadOf();
    expect(resolved.map((l) => l.status)).toContain('RESOLVED_BY_DATA');
    expect(resolved.filter((l) => l.status === 'OPEN' || l.status === 'ROUTED')).toEqual([]);

    await fed.dbs.staffing.query(`DELETE FROM registry_record WHERE id_number = $1 AND name = '补录'`, [person]);
    const back = await sweep();
    expect(ruleOf(back)).toMatchObject({ created: 0, reopened: 1 });
    const reopened = await leadOf();
    expect(reopened.length).toBe(resolved.length);
    expect(reopened.some((l) => l.status === 'ROUTED')).toBe(true);
  });

  it('routes and closes leads, refusing bad ids and leads that are not open', async () => {
    const lead = (await sweepLeads(['OPEN', 'ROUTED']))[0]!;
    const routed = await fed.query(`mutation($id: ID!, $v: Int!) { routeLead(id: $id, to: DISCIPLINE, version: $v) { id status routedTo version } }`, { id: lead.id, v: lead.version });
    expect(routed.data!.routeLead).toEqual({ id: lead.id, status: 'ROUTED', routedTo: 'DISCIPLINE', version: lead.version + 1 });
    const closed = await fed.query(`mutation($id: ID!, $v: Int!) { closeLead(id: $id, note: "已整改", version: $v) { status closedAt version } }`, { id: lead.id, v: lead.version + 1 });
    expect(closed.data!.closeLead.status).toBe('CLOSED');
    const version = closed.data!.closeLead.version;
    for (const [id, field] of [[lead.id, 'id'], ['0', 'id'], ['99999999', 'id'], ['x', 'id']] as const) {
      const res = await fed.query(`mutation($id: ID!, $v: Int!) { closeLead(id: $id, version: $v) { id } }`, { id, v: version });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const stillClosed = await fed.query(`query($id: ID!) { lead(id: $id) { status } }`, { id: lead.id });
    expect(stillClosed.data!.lead.status).toBe('CLOSED');
  });
});

describe('suspension of establishment applications (暂停办理)', () => {
  it('refuses an application while the unit has open registry leads, naming the rectification, and accepts it once they are closed', async () => {
    const res = await fed.query(readOperation('RectificationsAndSuspensions'), { month: expected.month, first: 1 });
    const suspended = res.data!.districtMonth.registrySuspensions.nodes[0];
    const unit: string = suspended.unit.code;
    const count = async () => (await fed.dbs.staffing.query<{ n: number }>(`SELECT count(*)::int AS n FROM establishment_application WHERE unit_code = $1`, [unit]))[0]!.n;
    const before = await count();

    const refused = await fed.queryAs('STAFFING_OFFICER', SUBMIT, { unit, subject: '增设内设机构' });
    expect(refused.data?.submitEstablishmentApplication ?? null).toBeNull();
    const error = refused.errors![0]!;
    expect(error.extensions).toMatchObject({ code: 'APPLICATION_SUSPENDED', unit });
    expect(error.message).toContain(suspended.rectificationNeeded);
    expect(error.extensions!.leadIds).toEqual(suspended.leads.map((l: any) => l.id));
    expect(await count()).toBe(before);

    for (const lead of suspended.leads) {
      const { version } = (await fed.query(`query($id: ID!) { lead(id: $id) { version } }`, { id: lead.id })).data!.lead;
      const closed = await fed.query(`mutation($id: ID!, $v: Int!) { closeLead(id: $id, note: "实名制已更新", version: $v) { status } }`, { id: lead.id, v: version });
      expect(closed.data!.closeLead.status).toBe('CLOSED');
    }
    const accepted = await fed.queryAs('STAFFING_OFFICER', SUBMIT, { unit, subject: '增设内设机构' });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data!.submitEstablishmentApplication).toMatchObject({ status: 'SUBMITTED', unit: { code: unit } });
    expect(await count()).toBe(before + 1);
  });

  it('answers bad applications with BAD_USER_INPUT naming the field and writes nothing', async () => {
    const total = async () => (await fed.dbs.staffing.query<{ n: number }>(`SELECT count(*)::int AS n FROM establishment_application`))[0]!.n;
    const before = await total();
    const unit = expected.overQuota[0]!.unitCode;
    for (const [variables, field] of [
      [{ unit: '11330109000000000X', subject: '增设' }, 'unit'],
      [{ unit: unit.slice(0, 8) + '000000000' + unit[17], subject: '增设' }, 'unit'],
      [{ unit, subject: '   ' }, 'subject'],
      [{ unit, subject: '长'.repeat(201) }, 'subject'],
    ] as const) {
      const res = await fed.queryAs('STAFFING_OFFICER', SUBMIT, variables);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(await total()).toBe(before);
  });
});

describe('unit profile across bureaus', () => {
  it('costs the same subgraph requests for a small and a large unit, and names the rules the unit breaks', async () => {
    // Records active in the month, per unit.
    const sizes = new Map<string, number>();
    const reg = data.staffing.registry_record!;
    const [iu, is, ie] = ['unit_code', 'start_date', 'end_date'].map((c) => reg.columns.indexOf(c)) as [number, number, number];
    const first = `${expected.month}-01`;
    const { last } = monthRange(expected.month);
    for (const r of reg.rows) {
      if ((r[is] as string) <= last && (r[ie] === null || (r[ie] as string) >= first)) sizes.set(r[iu] as string, (sizes.get(r[iu] as string) ?? 0) + 1);
    }
    const bySize = [...sizes].sort((a, b) => a[1] - b[1]);
    const small = bySize[0]![0];
    const large = bySize[bySize.length - 1]![0];
    expect(sizes.get(large)!).toBeGreaterThan(5 * sizes.get(small)!);

    const profile = async (code: string) => {
      const before = fed.subgraphRequests();
      const res = await fed.query(readOperation('UnitProfile'), { code, month: expected.month, year: expected.year });
      const after = fed.subgraphRequests();
      expect(res.errors).toBeUndefined();
      return { data: res.data!, requests: Object.fromEntries(Object.keys(after).map((k) => [k, (after as any)[k] - (before as any)[k]])) };
    };
    const a = await profile(small);
    const b = await profile(large);
    expect(b.requests).toEqual(a.requests);
    expect(b.data.unit.registry.length).toBe(sizes.get(large));

    // Which rules the large unit breaks, per the manifest.
    const hits = (list: { unitCode: string }[]) => list.filter((h) => h.unitCode === large).length;
    expect(b.data.month.ghostRecords.totalCount).toBe(hits(expected.ghostRecords));
    expect(b.data.month.missingAgreements.totalCount).toBe(hits(expected.missingAgreements));
    expect(b.data.month.registryLate.totalCount).toBe(hits(expected.registryLate));
    expect(b.data.year.budgetLinkage.totalCount).toBe(hits(expected.budgetLinkage));
    expect(b.data.month.payAboveStandard.totalCount).toBe(hits(expected.payAboveStandard));
  });
});
