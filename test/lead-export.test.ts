// Lead export for audit teams (问题线索导出): XLSX and CSV files from GET /exports/leads and from
// `npm run leads:export`, read back and compared with what the graph returns to the same role; a town
// officer's file holds its town only, masking applies, every export is in the access log, and bad
// parameters are refused with a code.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import type { Role } from '../lib/auth/identity.ts';
import { COLUMNS, LeadExport, STATUS_NAMES, httpGraphQLCaller, type LeadStatus } from '../lib/lead-export.ts';
import { ruleName } from '../lib/lead-rules.ts';
import { REPO_ROOT } from '../lib/subgraph.ts';
import { startTestFederation, type GraphQLResponse, type TestFederation } from './support/federation.ts';

let data: GeneratedData;
let fed: TestFederation;
let dir: string;

beforeAll(async () => {
  data = generate({ seed: 42 });
  fed = await startTestFederation(data);
  dir = await mkdtemp(join(tmpdir(), 'lead-export-'));
});

afterAll(async () => {
  await fed?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const HEADERS = COLUMNS.map((c) => c.header);
const exportUrl = (params: Record<string, string>) => `${fed.gatewayUrl.replace(/\/graphql$/, '/exports/leads')}?${new URLSearchParams(params)}`;

async function download(role: Role, params: Record<string, string>) {
  const res = await fetch(exportUrl(params), { headers: { authorization: `Bearer ${fed.tokens[role]}` } });
  return { res, body: Buffer.from(await res.arrayBuffer()) };
}

type Lead = { id: string; rule: string | null; period: string | null; status: LeadStatus; description: string; unit: { code: string; name: string; town: { code: string; name: string } | null }; person: { idNumber: string; name: string | null } | null };

/** Every lead the graph returns to the role for the filter, page by page. */
async function graphLeads(role: Role, filter: Record<string, unknown> = {}): Promise<Lead[]> {
  const out: Lead[] = [];
  let after: string | null = null;
  do {
    const res: GraphQLResponse<any> = await fed.queryAs(role, `query($filter: LeadFilter, $after: String) { leads(filter: $filter, first: 100, after: $after) {
      pageInfo { hasNextPage endCursor } nodes { id rule period status description unit { code name town { code name } } person { idNumber name } } } }`, { filter, after });
    expect(res.errors).toBeUndefined();
    out.push(...res.data!.leads.nodes);
    after = res.data!.leads.pageInfo.hasNextPage ? res.data!.leads.pageInfo.endCursor : null;
  } while (after);
  return out;
}

type Row = Record<string, string>;

async function readXlsx(body: Buffer): Promise<{ sheets: { name: string; frozen: boolean; header: string[]; rows: Row[] }[] }> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as never);
  return {
    sheets: workbook.worksheets.map((ws) => {
      const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
      const rows: Row[] = [];
      ws.eachRow((row, n) => {
        if (n === 1) return;
        const values = (row.values as unknown[]).slice(1);
        rows.push(Object.fromEntries(header.map((h, i) => [h, values[i] == null ? '' : String(values[i])])));
      });
      const view = ws.views[0] as { state?: string; ySplit?: number } | undefined;
      return { name: ws.name, frozen: view?.state === 'frozen' && view.ySplit === 1, header, rows };
    }),
  };
}

function readCsv(body: Buffer): { header: string[]; rows: Row[] } {
  expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const records = parse(body, { bom: true }) as string[][];
  const [header, ...rest] = records;
  return { header: header!, rows: rest.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? '']))) };
}

/** The file's rows are exactly the graph's leads, field by field. */
function expectSameLeads(rows: Row[], leads: Lead[]) {
  expect(rows.map((r) => r['线索编号']).sort()).toEqual(leads.map((l) => l.id).sort());
  const byId = new Map(leads.map((l) => [l.id, l]));
  for (const row of rows) {
    const lead = byId.get(row['线索编号']!)!;
    expect(row).toMatchObject({
      问题类型: ruleName(lead.rule),
      规则代码: lead.rule ?? '',
      所属期间: lead.period ?? '',
      单位名称: lead.unit.name,
      统一社会信用代码: lead.unit.code,
      所属镇街: lead.unit.town?.name ?? '',
      姓名: lead.person?.name ?? '',
      身份证号: lead.person?.idNumber ?? '',
      办理状态: STATUS_NAMES[lead.status],
      问题描述: lead.description,
    });
  }
}

describe('GET /exports/leads', () => {
  it('streams an auditor an XLSX workbook, one sheet per rule with Chinese headers frozen, matching the graph', async () => {
    const { res, body } = await download('AUDITOR', { format: 'xlsx' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="leads-\d{4}-\d{2}-\d{2}\.xlsx"; filename\*=UTF-8''/);
    // Streamed: no length known in advance.
    expect(res.headers.get('content-length')).toBeNull();
    const leads = await graphLeads('AUDITOR');
    expect(Number(res.headers.get('x-export-rows'))).toBe(leads.length);
    const { sheets } = await readXlsx(body);
    expect(sheets.map((s) => s.name).sort()).toEqual([...new Set(leads.map((l) => ruleName(l.rule)))].sort());
    for (const sheet of sheets) {
      expect(sheet.header).toEqual(HEADERS);
      expect(sheet.frozen).toBe(true);
      expect(new Set(sheet.rows.map((r) => r['问题类型']))).toEqual(new Set([sheet.name]));
      expect(sheet.rows.map((r) => r['序号'])).toEqual(sheet.rows.map((_, i) => String(i + 1)));
    }
    expectSameLeads(sheets.flatMap((s) => s.rows), leads);
    expect(leads.some((l) => l.person && /^\d{17}[\dX]$/.test(l.person.idNumber))).toBe(true);
  });

  it('streams CSV with a BOM, filtered by rule and status, matching the graph', async () => {
    const { res, body } = await download('AUDITOR', { format: 'csv', rule: 'UNREPORTED_STAFF', status: 'OPEN,ROUTED' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const { header, rows } = readCsv(body);
    expect(header).toEqual(HEADERS);
    const leads = await graphLeads('AUDITOR', { rule: 'UNREPORTED_STAFF', status: ['OPEN', 'ROUTED'] });
    expect(leads.length).toBeGreaterThan(0);
    expectSameLeads(rows, leads);
  });

  it("gives a town officer its own town's leads only, and nothing of another town", async () => {
    const townOf = new Map<string, string | null>();
    const units = data.staffing.unit!;
    for (const r of units.rows) townOf.set(r[units.columns.indexOf('code')] as string, r[units.columns.indexOf('town_code')] as string | null);
    const leadTable = data.audit.issue_lead!;
    const seeded = leadTable.rows.filter((r) => townOf.get(r[leadTable.columns.indexOf('unit_code')] as string) === '330109001');
    expect(seeded.length).toBeGreaterThan(0);

    const { res, body } = await download('TOWN_OFFICER', { format: 'xlsx' });
    expect(res.status).toBe(200);
    const rows = (await readXlsx(body)).sheets.flatMap((s) => s.rows);
    expect(rows.length).toBe(seeded.length);
    expect(new Set(rows.map((r) => r['所属镇街']))).toEqual(new Set(['城厢街道']));
    expectSameLeads(rows, await graphLeads('TOWN_OFFICER'));
    // The same town asked for by an auditor: the same leads.
    const auditor = readCsv((await download('AUDITOR', { format: 'csv', town: '330109001' })).body);
    expect(auditor.rows.map((r) => r['线索编号']).sort()).toEqual(rows.map((r) => r['线索编号']).sort());
    // Another town: refused, as if it did not exist.
    const other = await download('TOWN_OFFICER', { format: 'csv', town: '330109002' });
    expect(other.res.status).toBe(400);
    expect(JSON.parse(other.body.toString()).errors[0]).toMatchObject({ message: expect.stringContaining('within your row scope'), extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('masks ID numbers and names for a role without personal:read', async () => {
    // A lead about someone in the real-name registry (so the graph knows a name), outside the town above.
    const registry = data.staffing.registry_record!;
    const col = (c: string) => registry.columns.indexOf(c);
    const unitTown = new Map(data.staffing.unit!.rows.map((r) => [r[0] as string, r[data.staffing.unit!.columns.indexOf('town_code')] as string | null]));
    const registered = registry.rows.find((r) => unitTown.get(r[col('unit_code')] as string) !== '330109001')!;
    await fed.dbs.audit.query(
      `INSERT INTO issue_lead (unit_code, id_number, source, rule, period, description, status, evidence_bureaus, created_at)
       VALUES ($1, $2, 'REPORT', 'REGISTRY_LATE', '2026', '举报：实名制信息未及时更新', 'OPEN', '{STAFFING}', now())`,
      [registered[col('unit_code')], registered[col('id_number')]],
    );
    const { body } = await download('ANALYST', { format: 'csv' });
    const { rows } = readCsv(body);
    const leads = await graphLeads('ANALYST');
    expectSameLeads(rows, leads);
    const withPerson = rows.filter((r) => r['身份证号']);
    expect(withPerson.length).toBeGreaterThan(0);
    expect(withPerson.every((r) => /^\d{6}\*{8}\d{3}[\dX]$/.test(r['身份证号']!))).toBe(true);
    // Names: masked where shown at all (the person's masked key finds no registry name in 编办).
    expect(rows.filter((r) => r['姓名']).every((r) => /^.\*+$/u.test(r['姓名']!))).toBe(true);
    expect(rows.some((r) => r['姓名'] === registered[col('name')])).toBe(false);
    // The auditor sees the same lead unmasked.
    const full = readCsv((await download('AUDITOR', { format: 'csv', rule: 'REGISTRY_LATE' })).body).rows;
    expect(full.find((r) => r['身份证号'] === registered[col('id_number')])?.['姓名']).toBe(registered[col('name')]);
  });

  it('records the export and its pages in the access log', async () => {
    await download('ANALYST', { format: 'xlsx', rule: 'GHOST_RECORD' });
    const { entries } = await fed.accessLog.query({ first: 5 });
    const exported = entries.find((e) => e.operationName === 'LeadExport')!;
    const ghosts = data.audit.issue_lead!.rows.filter((r) => r[data.audit.issue_lead!.columns.indexOf('rule')] === 'GHOST_RECORD').length;
    expect(exported).toMatchObject({ role: 'ANALYST', decision: 'ALLOWED', variables: { format: 'xlsx', rule: 'GHOST_RECORD', town: null, status: null, rows: ghosts } });
    const page = entries.find((e) => e.operationName === 'LeadExportPage')!;
    expect(page).toMatchObject({ role: 'ANALYST', decision: 'ALLOWED', subgraphs: expect.arrayContaining(['audit', 'staffing']) });
    expect(page.seq).toBeLessThan(exported.seq);
  });

  const refusals: [string, Role | null, Record<string, string>, number, string][] = [
    ['no format', 'AUDITOR', {}, 400, 'BAD_USER_INPUT'],
    ['an unknown format', 'AUDITOR', { format: 'pdf' }, 400, 'BAD_USER_INPUT'],
    ['a malformed town', 'AUDITOR', { format: 'csv', town: '3301' }, 400, 'BAD_USER_INPUT'],
    ['a town the district does not have', 'AUDITOR', { format: 'csv', town: '330109999' }, 400, 'BAD_USER_INPUT'],
    ['an unknown status', 'AUDITOR', { format: 'csv', status: 'OPEN,LOST' }, 400, 'BAD_USER_INPUT'],
    ['a malformed rule', 'AUDITOR', { format: 'csv', rule: 'drop table' }, 400, 'BAD_USER_INPUT'],
    ['no token', null, { format: 'csv' }, 401, 'UNAUTHENTICATED'],
    ['the dashboard account (named operations only)', 'DASHBOARD', { format: 'csv' }, 403, 'TRUSTED_DOCUMENT_REQUIRED'],
  ];
  it.each(refusals)('refuses %s with its code, and records it', async (_name, role, params, status, code) => {
    const res = await fetch(exportUrl(params), { headers: role ? { authorization: `Bearer ${fed.tokens[role]}` } : {} });
    expect(res.status).toBe(status);
    const body = (await res.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe(code);
    expect(body.errors[0]!.message.length).toBeGreaterThan(10);
    const [last] = (await fed.accessLog.query({ first: 1 })).entries;
    expect(last).toMatchObject({ operationName: 'LeadExport', decision: 'DENIED' });
    expect(last!.rule).toContain(code);
  });
});

describe('paging', () => {
  it('gives the same rows, grouped by rule across page boundaries, with small pages', async () => {
    const caller = httpGraphQLCaller(fed.gatewayUrl, () => ({ authorization: `Bearer ${fed.tokens.AUDITOR}` }));
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        chunks.push(chunk as Buffer);
        done();
      },
    });
    const progress: [number, number][] = [];
    const leadExport = await LeadExport.start(caller, { rule: null, town: null, status: null }, { pageSize: 9 });
    const written = await leadExport.write('xlsx', sink, (done, total) => progress.push([done, total]));
    const leads = await graphLeads('AUDITOR');
    expect(written).toBe(leads.length);
    expect(progress.length).toBe(Math.ceil(leads.length / 9));
    expect(progress.at(-1)).toEqual([leads.length, leads.length]);
    const { sheets } = await readXlsx(Buffer.concat(chunks));
    expect(sheets.length).toBe(new Set(leads.map((l) => l.rule)).size);
    expectSameLeads(sheets.flatMap((s) => s.rows), leads);
  });
});

describe('npm run leads:export', () => {
  const run = (args: string[], token: string) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/leads-export.ts', '--gateway', fed.gatewayUrl, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_OPTIONS: '', GATEWAY_TOKEN: token },
    });

  it('writes the file with a summary line, the same as the graph returns', async () => {
    const out = join(dir, 'town.xlsx');
    const { stdout } = await run(['--format', 'xlsx', '--status', 'open,routed', '--out', out], fed.tokens.TOWN_OFFICER);
    const leads = await graphLeads('TOWN_OFFICER', { status: ['OPEN', 'ROUTED'] });
    expect(stdout).toMatch(new RegExp(`^exported ${leads.length} leads \\(status OPEN,ROUTED\\) to ${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(xlsx, \\d+ KB\\) in [\\d.]+ s\\n$`));
    expectSameLeads((await readXlsx(await readFile(out))).sheets.flatMap((s) => s.rows), leads);
    expect(await readdir(dir)).toEqual(['town.xlsx']);
  });

  it('exits non-zero with the reason on bad parameters or a refusal, leaving no file', async () => {
    const bad = await run(['--format', 'docx', '--out', join(dir, 'bad.docx')], fed.tokens.AUDITOR).catch((err: { code: number; stderr: string }) => err);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('format must be csv or xlsx') });
    const refused = await run(['--format', 'csv', '--out', join(dir, 'refused.csv')], 'not-a-token').catch((err: { code: number; stderr: string }) => err);
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('UNAUTHENTICATED') });
    expect((await readdir(dir)).filter((f) => f.startsWith('bad') || f.startsWith('refused'))).toEqual([]);
  });
});
