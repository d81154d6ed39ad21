// Attacks on the gateway and the subgraphs, each through the HTTP endpoint the attacker would use,
// each expected to get its own error code and to leave an entry in the access log.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { readOperation } from '../lib/operations.ts';
import { isValidIdNumber } from '../lib/ids.ts';
import { SIGNATURE_HEADER, randomSigningKey, signRequest } from '../lib/auth/signing.ts';
import { identityOf } from '../lib/auth/identity.ts';
import { postGraphQL, startTestFederation, type TestFederation } from './support/federation.ts';

const RATE = 300;
let data: GeneratedData;
let fed: TestFederation;
const logged: string[] = [];

/** The newest access-log entry. */
async function lastEntry() {
  const { entries } = await fed.accessLog.query({ first: 1 });
  return entries[0]!;
}

const UNIT_QUERY = `query($code: String!) { unit(code: $code) { code name } }`;

beforeAll(async () => {
  // Every line anything prints during these tests is kept, to check that no full ID number is among them.
  for (const method of ['log', 'info', 'warn', 'error'] as const) {
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
  }
  data = generate({ seed: 42 });
  fed = await startTestFederation(data, { limits: { ratePerMinute: RATE } });
});

afterAll(async () => {
  await fed?.stop();
  jest.restoreAllMocks();
});

describe('bad tokens get UNAUTHENTICATED (HTTP 401) and are recorded', () => {
  const Q = '{ towns { code } }';
  const cases: [string, () => Promise<string | null>, string][] = [
    ['no token', async () => null, 'missing'],
    ['expired', () => fed.signToken({ sub: 'x', role: 'AUDITOR' }, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }), 'expired'],
    ['not yet valid', () => fed.signToken({ sub: 'x', role: 'AUDITOR' }, { notBefore: '1h', expiresIn: '2h' }), 'not_yet_valid'],
    ['wrong issuer', () => fed.signToken({ sub: 'x', role: 'AUDITOR' }, { issuer: 'someone-else' }), 'wrong_issuer'],
    ['wrong audience', () => fed.signToken({ sub: 'x', role: 'AUDITOR' }, { audience: 'another-api' }), 'wrong_audience'],
    [
      'unsigned (alg none)',
      async () => {
        const b = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${b({ alg: 'none', typ: 'JWT' })}.${b({ sub: 'x', role: 'AUDITOR', iss: 'bianwai-demo', aud: 'bianwai-gateway', exp: 9999999999 })}.`;
      },
      'unsecured',
    ],
    [
      'tampered (role raised in the payload)',
      async () => {
        const [h, p, s] = fed.tokens.ANALYST.split('.') as [string, string, string];
        const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
        return `${h}.${Buffer.from(JSON.stringify({ ...payload, role: 'AUDITOR' })).toString('base64url')}.${s}`;
      },
      'bad_signature',
    ],
  ];
  it.each(cases)('%s', async (_name, token, reason) => {
    const t = await token();
    const res = await postGraphQL<any>(fed.gatewayUrl, { query: Q }, t ? { authorization: `Bearer ${t}` } : {});
    expect(res.status).toBe(401);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
    expect(res.data ?? null).toBeNull();
    expect(await lastEntry()).toMatchObject({ decision: 'DENIED', rule: `UNAUTHENTICATED:${reason}`, subject: null });
  });
});

describe('calls around the gateway are refused by the subgraph (401/403) and recorded', () => {
  const body = JSON.stringify({ query: '{ _service { sdl } }' });
  const post = (url: string, headers: Record<string, string>) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it.each(['staffing', 'finance', 'hr', 'audit'] as const)('%s: unsigned, forged, tampered, too old and replayed', async (name) => {
    const url = fed.subgraphUrls[name];
    const auditor = identityOf('attacker', 'AUDITOR');
    const unsigned = await post(url, {});
    expect(unsigned.status).toBe(401);
    expect(await lastEntry()).toMatchObject({ decision: 'DENIED', subgraphs: [name] });
    // A client-set identity header is not an identity: only the signature carries one.
    const spoofed = await post(url, { 'x-identity': JSON.stringify(auditor) });
    expect(spoofed.status).toBe(401);
    const forged = await post(url, { [SIGNATURE_HEADER]: signRequest(randomSigningKey(), body, auditor) });
    expect(forged.status).toBe(403);
    expect((await lastEntry()).rule).toBe('SUBGRAPH_SIGNATURE:bad signature');
    const tampered = await post(url, { [SIGNATURE_HEADER]: signRequest(fed.signingKey, '{"query":"{ __typename }"}', auditor) });
    expect(tampered.status).toBe(403);
    const old = await post(url, { [SIGNATURE_HEADER]: signRequest(fed.signingKey, body, auditor, Date.now() - 10 * 60_000) });
    expect(old.status).toBe(401);
    const signature = signRequest(fed.signingKey, body, auditor);
    expect((await post(url, { [SIGNATURE_HEADER]: signature })).status).toBe(200);
    const replayed = await post(url, { [SIGNATURE_HEADER]: signature });
    expect(replayed.status).toBe(403);
    expect(await lastEntry()).toMatchObject({ decision: 'DENIED', rule: 'SUBGRAPH_SIGNATURE:replayed request', subgraphs: [name] });
  });
});

describe('roles and row scope', () => {
  it('removes a field the role may not see, says which rule, and returns the rest', async () => {
    const unit = data.manifest.rules.payAboveStandard[0]!.unitCode;
    const q = `query($code: String!) { unit(code: $code) { code name payroll(month: "2026-10") { id grossPay } } }`;
    const res = await fed.queryAs('ANALYST', q, { code: unit });
    expect(res.data?.unit.code).toBe(unit);
    expect(res.data?.unit.payroll.length).toBeGreaterThan(0);
    expect(res.data?.unit.payroll[0]).toEqual({ id: expect.any(String) });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'requiresScopes:pay:read', field: 'PayrollLine.grossPay' });
    expect(res.errors?.[0]?.path).toEqual(['unit', 'payroll', 'grossPay']);
    expect(await lastEntry()).toMatchObject({ decision: 'PARTIAL', rule: 'requiresScopes:pay:read', role: 'ANALYST' });
    const finance = await fed.queryAs('FINANCE_OFFICER', q, { code: unit });
    expect(finance.errors).toBeUndefined();
    expect(typeof finance.data?.unit.payroll[0].grossPay).toBe('number');
  });

  it("refuses a town officer another town's unit by its code, and scopes every list to its town", async () => {
    const towns = new Map<string, string | null>();
    const unitTable = data.staffing.unit!;
    for (const r of unitTable.rows) towns.set(r[unitTable.columns.indexOf('code')] as string, r[unitTable.columns.indexOf('town_code')] as string | null);
    const elsewhere = [...towns].find(([, t]) => t !== '330109001')![0];
    const mine = [...towns].find(([, t]) => t === '330109001')![0];
    const refused = await fed.queryAs('TOWN_OFFICER', UNIT_QUERY, { code: elsewhere });
    expect(refused.data?.unit ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'row_scope:town' });
    expect(await lastEntry()).toMatchObject({ role: 'TOWN_OFFICER', town: '330109001', decision: 'PARTIAL', rule: 'row_scope:town' });
    const own = await fed.queryAs('TOWN_OFFICER', UNIT_QUERY, { code: mine });
    expect(own.data?.unit.code).toBe(mine);

    const list = await fed.queryAs('TOWN_OFFICER', `{ units(first: 1000) { totalCount nodes { code town { code } } } }`);
    const expectedCount = [...towns.values()].filter((t) => t === '330109001').length;
    expect(list.data?.units.totalCount).toBe(expectedCount);
    expect(list.data?.units.nodes.every((u: any) => u.town?.code === '330109001')).toBe(true);
    // Another town asked for explicitly: nothing.
    const other = await fed.queryAs('TOWN_OFFICER', `{ units(filter: { town: "330109002" }) { totalCount } }`);
    expect(other.data?.units.totalCount).toBe(0);
    // Cross-bureau rules answer for its town only.
    const rule = await fed.queryAs('TOWN_OFFICER', readOperation('GhostRecords'), { month: '2026-10', first: 1000 });
    const want = data.manifest.rules.ghostRecords.filter((h) => towns.get(h.unitCode) === '330109001');
    expect(rule.data?.districtMonth.ghostRecords.totalCount).toBe(want.length);
    // Another bureau's records of one of its people, at units of other towns: not shown.
    const col = (b: 'staffing' | 'hr', t: string, c: string) => data[b][t]!.columns.indexOf(c);
    const registered = new Set(
      data.staffing.registry_record!.rows.filter((r) => towns.get(r[col('staffing', 'registry_record', 'unit_code')] as string) === '330109001').map((r) => r[col('staffing', 'registry_record', 'id_number')] as string),
    );
    const contracts = data.hr.employment_contract!.rows;
    const [ci, cu] = [col('hr', 'employment_contract', 'id_number'), col('hr', 'employment_contract', 'unit_code')];
    const mover = contracts.find((r) => registered.has(r[ci] as string) && towns.get(r[cu] as string) !== '330109001')![ci] as string;
    const theirs = contracts.filter((r) => r[ci] === mover);
    expect(theirs.some((r) => towns.get(r[cu] as string) !== '330109001')).toBe(true);
    const seen = await fed.queryAs('TOWN_OFFICER', `query($id: String!) { person(idNumber: $id) { contracts { id unit { code } } } }`, { id: mover });
    expect(seen.errors).toBeUndefined();
    expect(seen.data?.person.contracts.map((c: any) => c.id).sort()).toEqual(theirs.filter((r) => towns.get(r[cu] as string) === '330109001').map((r) => r[0]).sort());
    const all = await fed.queryAs('AUDITOR', `query($id: String!) { person(idNumber: $id) { contracts { id } } }`, { id: mover });
    expect(all.data?.person.contracts.length).toBe(theirs.length);
    // District-wide lists the audit bureau cannot scope by town are refused by policy.
    const inspections = await fed.queryAs('TOWN_OFFICER', `{ inspections { id } }`);
    expect(inspections.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'policy:district_wide' });
    // Leads it can: the town's units' leads only, even when it names other units.
    const leadTable = data.audit.issue_lead!;
    const leadUnit = leadTable.columns.indexOf('unit_code');
    const townLeads = leadTable.rows.filter((r) => towns.get(r[leadUnit] as string) === '330109001');
    const leads = await fed.queryAs('TOWN_OFFICER', `{ leads(first: 1000) { totalCount nodes { unit { code town { code } } } } }`);
    expect(leads.errors).toBeUndefined();
    expect(leads.data?.leads.totalCount).toBe(townLeads.length);
    expect(leads.data?.leads.nodes.every((l: any) => l.unit.town.code === '330109001')).toBe(true);
    const named = await fed.queryAs('TOWN_OFFICER', `query($u: [String!]) { leads(filter: { units: $u }) { totalCount } }`, {
      u: [...new Set(leadTable.rows.map((r) => r[leadUnit] as string))],
    });
    expect(named.data?.leads.totalCount).toBe(townLeads.length);
  });

  it('lets a bureau officer write only its own bureau’s data', async () => {
    const unit = data.manifest.rules.overQuota[0]!.unitCode;
    const submit = `mutation($u: String!) { submitEstablishmentApplication(unit: $u, subject: "增设") { id } }`;
    const finance = await fed.queryAs('FINANCE_OFFICER', submit, { u: unit });
    expect(finance.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'requiresScopes:staffing:write' });
    const close = await fed.queryAs('HR_OFFICER', `mutation { closeLead(id: "1", version: 1) { id } }`);
    expect(close.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'requiresScopes:leads:write' });
  });
});

describe('limits', () => {
  const bomb = (depth: number) => `{ unit(code: "x") ${'{ supervisingUnit '.repeat(depth)}{ code }${' }'.repeat(depth)} }`;
  const cases: [string, () => Promise<Awaited<ReturnType<typeof postGraphQL<any>>>>, string, number][] = [
    ['a depth bomb', () => fed.query(bomb(20)), 'DEPTH_LIMIT_EXCEEDED', 400],
    ['an alias bomb', () => fed.query(`{ towns { ${Array.from({ length: 60 }, (_, i) => `a${i}: code`).join(' ')} } }`), 'ALIAS_LIMIT_EXCEEDED', 400],
    [
      'a cost bomb',
      () => fed.query(`{ units(first: 1000) { nodes { registry { person { registryRecords { unit { registry { id } } } } } } } }`),
      'COST_LIMIT_EXCEEDED',
      400,
    ],
    ['too many tokens', () => fed.query(`{ towns { ${'code '.repeat(5000)} } }`), 'TOKEN_LIMIT_EXCEEDED', 400],
    ['introspection without the development flag', () => fed.query(`{ __schema { types { name } } }`), 'INTROSPECTION_DISABLED', 400],
    ['a non-trusted document from the dashboard', () => fed.queryAs('DASHBOARD', `{ units(first: 5) { totalCount } }`), 'TRUSTED_DOCUMENT_REQUIRED', 400],
  ];
  it.each(cases)('refuses %s with its own code and records it', async (_name, send, code, status) => {
    const res = await send();
    expect(res.errors?.[0]?.extensions?.code).toBe(code);
    expect(res.status).toBe(status);
    expect(await lastEntry()).toMatchObject({ decision: 'DENIED', rule: code });
  });

  it('refuses an oversized body with HTTP 413 BODY_TOO_LARGE and records it', async () => {
    const res = await postGraphQL<any>(fed.gatewayUrl, { query: `{ towns { code } }`, variables: { pad: 'x'.repeat(400_000) } }, { authorization: `Bearer ${fed.tokens.AUDITOR}` });
    expect(res.status).toBe(413);
    expect(res.errors?.[0]?.extensions?.code).toBe('BODY_TOO_LARGE');
    expect(await lastEntry()).toMatchObject({ decision: 'DENIED', rule: 'BODY_TOO_LARGE' });
  });

  it('refuses oversized variables with VARIABLES_TOO_LARGE and records it', async () => {
    const res = await fed.query(`query($pad: String) { towns { code } }`, { pad: 'x'.repeat(70_000) });
    expect(res.status).toBe(400);
    expect(res.errors?.[0]?.extensions?.code).toBe('VARIABLES_TOO_LARGE');
    expect(await lastEntry()).toMatchObject({ decision: 'DENIED', rule: 'VARIABLES_TOO_LARGE' });
  });

  it('gives no field suggestions outside development', async () => {
    const res = await fed.query(`{ townz { code } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0]?.message).toContain('townz');
    expect(res.errors?.[0]?.message).not.toContain('Did you mean');
  });

  it('lets the dashboard run a named operation', async () => {
    const res = await fed.queryAs('DASHBOARD', readOperation('OverQuota'), { month: '2026-10' });
    expect(res.data?.districtMonth.overQuota.totalCount).toBe(data.manifest.rules.overQuota.length);
    // Aggregates only: the rows about people are removed.
    const ghosts = await fed.queryAs('DASHBOARD', readOperation('GhostRecords'), { month: '2026-10' });
    expect(ghosts.data?.districtMonth.ghostRecords.totalCount).toBe(data.manifest.rules.ghostRecords.length);
    expect(ghosts.errors?.some((e) => e.extensions?.rule === 'requiresScopes:detail:read')).toBe(true);
  });

  it('rate-limits each subject with 429 and Retry-After', async () => {
    let last: Response | null = null;
    for (let i = 0; i <= RATE; i++) {
      last = await fetch(fed.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${fed.tokens.HR_OFFICER}` },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      if (last.status === 429) break;
    }
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await last!.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    expect(await lastEntry()).toMatchObject({ decision: 'DENIED', rule: 'RATE_LIMITED', role: 'HR_OFFICER' });
    // Another subject is not affected.
    expect((await fed.queryAs('AUDITOR', '{ __typename }')).status).toBe(200);
  });
});

describe('masking and the access log', () => {
  it('masks ID numbers and names on the flagship and profile queries unless the role may see personal data', async () => {
    const month = '2026-10';
    const flagshipAs = async (role: Parameters<TestFederation['queryAs']>[0]) =>
      (await fed.queryAs(role, readOperation('UnreportedStaff'), { month, first: 1000 })).data!.districtMonth.unreportedStaff.nodes.flatMap((n: any) => n.people);
    const full = await flagshipAs('AUDITOR');
    const masked = await flagshipAs('ANALYST');
    expect(full.length).toBeGreaterThan(20);
    expect(full.every((p: any) => isValidIdNumber(p.person.idNumber))).toBe(true);
    expect(masked.every((p: any) => /^\d{6}\*{8}\d{3}[\dX]$/.test(p.person.idNumber))).toBe(true);
    expect(masked.map((p: any) => p.person.idNumber)).toEqual(full.map((p: any) => `${p.person.idNumber.slice(0, 6)}********${p.person.idNumber.slice(14)}`));
    expect(masked.every((p: any, i: number) => p.name === full[i].name[0] + '*'.repeat(full[i].name.length - 1))).toBe(true);

    const unit = data.manifest.rules.ghostRecords[0]!.unitCode;
    const profile = (role: Parameters<TestFederation['queryAs']>[0]) => fed.queryAs(role, readOperation('UnitProfile'), { code: unit, month, year: 2026 });
    const a = await profile('ANALYST');
    expect(a.data?.unit.registry.length).toBeGreaterThan(0);
    expect(a.data?.unit.registry.every((r: any) => r.person.idNumber.includes('********') && r.name.endsWith('*'))).toBe(true);
    const s = await profile('STAFFING_OFFICER');
    expect(s.data?.unit.registry.every((r: any) => isValidIdNumber(r.person.idNumber))).toBe(true);
    const d = await profile('DASHBOARD');
    expect(d.data?.unit.code).toBe(unit);
    expect(d.data?.unit.registry).toBeUndefined();
    expect(d.errors?.some((e) => e.extensions?.field === 'Unit.registry' || e.extensions?.rule === 'requiresScopes:detail:read')).toBe(true);
  });

  it('records who looked at whose unmasked data, with personal variables redacted, and the auditor can ask', async () => {
    const person = data.manifest.rules.ghostRecords[0]!.idNumber;
    const q = `query($id: String!) { person(idNumber: $id) { idNumber name registryRecords { unit { code } } } }`;
    await fed.queryAs('STAFFING_OFFICER', q, { id: person });
    const entry = await lastEntry();
    expect(entry).toMatchObject({ role: 'STAFFING_OFFICER', decision: 'ALLOWED' });
    expect(entry.unmaskedIdNumbers).toContain(person);
    expect(JSON.stringify(entry.variables)).not.toContain(person);
    expect(JSON.stringify(entry.variables)).toContain(`${person.slice(0, 6)}********${person.slice(14)}`);
    await fed.queryAs('ANALYST', q, { id: person });
    expect((await lastEntry()).unmaskedIdNumbers).toEqual([]);
    // The auditor asks through the graph: who looked at this person's data this month?
    const LOG = `query($id: String!, $from: DateTime) { accessLog(idNumber: $id, from: $from) { nodes { seq role subject decision unmaskedIdNumbers variables } } }`;
    const month = new Date();
    month.setUTCDate(1);
    month.setUTCHours(0, 0, 0, 0);
    const viaGraph = await fed.queryAs('AUDITOR', LOG, { id: person, from: month.toISOString() });
    expect(viaGraph.errors).toBeUndefined();
    const roles = viaGraph.data!.accessLog.nodes.map((e: any) => e.role);
    expect(roles).toContain('STAFFING_OFFICER');
    expect(roles).not.toContain('ANALYST');
    const denied = await fed.queryAs('ANALYST', LOG, { id: person });
    expect(denied.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'requiresScopes:audit-log:read' });
    expect(await fed.accessLog.verify()).toMatchObject({ ok: true });
  });

  it('never prints a full ID number in any log line', () => {
    const full = logged.flatMap((line) => line.match(/\d{17}[\dX]/g) ?? []).filter(isValidIdNumber);
    expect(full).toEqual([]);
  });
});

describe('fail closed', () => {
  it('returns nothing when the access log cannot record the request', async () => {
    await fed.accessLogDb.exec(`
      CREATE FUNCTION refuse_insert() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'log disk full'; END $$ LANGUAGE plpgsql;
      CREATE TRIGGER refuse_insert BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION refuse_insert();`);
    try {
      const res = await fed.query(`{ towns { code name } }`);
      expect(res.status).toBe(503);
      expect(res.data ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions?.code).toBe('ACCESS_LOG_UNAVAILABLE');
    } finally {
      await fed.accessLogDb.exec(`DROP TRIGGER refuse_insert ON access_log; DROP FUNCTION refuse_insert();`);
    }
    expect((await fed.query(`{ towns { code } }`)).status).toBe(200);
    expect(await fed.accessLog.verify()).toMatchObject({ ok: true });
  });
});
