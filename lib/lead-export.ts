// Lead export (问题线索导出) for audit teams: the issue leads with their unit, rule, evidence and status,
// as CSV (UTF-8 with BOM, so Excel shows Chinese) or XLSX (one sheet per rule, Chinese headers, frozen
// header row). The rows come from the gateway, asked as the caller (paged GraphQL), so the caller's role,
// row scope and masking apply and every page is in the access log. Rows stream from page to file: the
// leads arrive grouped by rule (order: RULE), so each sheet is finished before the next begins and
// neither the leads nor the file are ever held whole. Used by the gateway's GET /exports/leads and by
// `npm run leads:export`.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify';
import { ruleName } from './lead-rules.ts';

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const LEAD_STATUSES = ['OPEN', 'ROUTED', 'CLOSED', 'RESOLVED_BY_DATA'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** Names of the GraphQL operations an export sends (a bounded label for metrics). */
export const EXPORT_OPERATIONS = ['LeadExportPage', 'LeadExportUnits'] as const;

export interface LeadExportParams {
  format: ExportFormat;
  /** Rule code, e.g. UNREPORTED_STAFF. */
  rule: string | null;
  /** 9-digit town code: leads about that town's units only. */
  town: string | null;
  status: LeadStatus[] | null;
}

/** A refusal with a code (and the HTTP status the endpoint answers with). */
export class ExportError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const HTTP_STATUS: Record<string, number> = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  TRUSTED_DOCUMENT_REQUIRED: 403,
  RATE_LIMITED: 429,
  ACCESS_LOG_UNAVAILABLE: 503,
};

/** Checks export parameters from a query string or a command line; every problem is BAD_USER_INPUT. */
export function parseExportParams(raw: Record<string, unknown>): LeadExportParams {
  const text = (name: string): string | null => {
    const value = raw[name];
    if (value === undefined || value === null || value === '') return null;
    if (typeof value !== 'string') throw new ExportError('BAD_USER_INPUT', `${name} must be given once`);
    return value.trim();
  };
  const format = text('format');
  if (!format) throw new ExportError('BAD_USER_INPUT', `format is required: ${EXPORT_FORMATS.join(' or ')}`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new ExportError('BAD_USER_INPUT', `format must be ${EXPORT_FORMATS.join(' or ')}, not "${format.slice(0, 20)}"`);
  const rule = text('rule');
  if (rule !== null && !/^[A-Z][A-Z0-9_]{0,63}$/.test(rule)) throw new ExportError('BAD_USER_INPUT', 'rule must be a rule code such as UNREPORTED_STAFF');
  const town = text('town');
  if (town !== null && !/^\d{9}$/.test(town)) throw new ExportError('BAD_USER_INPUT', 'town must be a 9-digit town code such as 330109001');
  const statusText = text('status');
  let status: LeadStatus[] | null = null;
  if (statusText !== null) {
    status = statusText.split(',').map((s) => s.trim().toUpperCase()) as LeadStatus[];
    const bad = status.filter((s) => !(LEAD_STATUSES as readonly string[]).includes(s));
    if (bad.length || status.length === 0) throw new ExportError('BAD_USER_INPUT', `status must be one or more of ${LEAD_STATUSES.join(', ')} (comma-separated)`);
  }
  return { format: format as ExportFormat, rule, town, status };
}

// ---- asking the gateway --------------------------------------------------------------------------

/** Runs one operation through the gateway as the caller; GraphQL errors become ExportErrors. */
export type GraphQLCaller = <T>(query: string, variables: Record<string, unknown>, operationName: string) => Promise<T>;

export function httpGraphQLCaller(url: string, headers: () => Record<string, string>): GraphQLCaller {
  return async <T>(query: string, variables: Record<string, unknown>, operationName: string): Promise<T> => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers() },
        body: JSON.stringify({ query, variables, operationName }),
      });
    } catch (err) {
      throw new ExportError('GATEWAY_UNAVAILABLE', `cannot reach the gateway at ${url}: ${(err as Error).message}`, 502);
    }
    const body = (await res.json().catch(() => null)) as { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] } | null;
    const first = body?.errors?.[0];
    if (first || !body?.data) {
      const code = first?.extensions?.code ?? 'UPSTREAM_ERROR';
      throw new ExportError(code, first?.message ?? `the gateway answered HTTP ${res.status}`, HTTP_STATUS[code] ?? (res.status >= 400 && res.status < 600 ? res.status : 502));
    }
    return body.data;
  };
}

const PAGE = `query LeadExportPage($filter: LeadFilter, $first: Int!, $after: String) {
  leads(filter: $filter, first: $first, after: $after, order: RULE) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id rule period status routedTo source description evidenceBureaus createdAt closedAt
      unit { code name category town { code name } }
      person { idNumber name }
    }
  }
}`;

const UNITS = `query LeadExportUnits($district: String!, $town: String!, $after: String) {
  towns(district: $district) { code }
  units(filter: { town: $town }, first: 1000, after: $after) { nodes { code } pageInfo { hasNextPage endCursor } }
}`;

/** One lead as the graph returns it. */
export interface LeadNode {
  id: string;
  rule: string | null;
  period: string | null;
  status: LeadStatus;
  routedTo: string | null;
  source: string;
  description: string;
  evidenceBureaus: string[];
  createdAt: string;
  closedAt: string | null;
  unit: { code: string; name: string; category: string; town: { code: string; name: string } | null } | null;
  person: { idNumber: string; name: string | null } | null;
}

interface LeadPage {
  leads: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: LeadNode[] };
}

/** The units of a town the caller may see; refused when the district has no such town. */
async function townUnits(query: GraphQLCaller, town: string): Promise<string[]> {
  const codes: string[] = [];
  let after: string | null = null;
  do {
    type Units = { towns: { code: string }[]; units: { nodes: { code: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
    const data: Units = await query<Units>(UNITS, { district: town.slice(0, 6), town, after }, 'LeadExportUnits');
    if (!data.towns.some((t) => t.code === town)) throw new ExportError('BAD_USER_INPUT', `town ${town}: no such town in district ${town.slice(0, 6)} within your row scope`);
    codes.push(...data.units.nodes.map((n) => n.code));
    after = data.units.pageInfo.hasNextPage ? data.units.pageInfo.endCursor : null;
  } while (after);
  return codes;
}

// ---- rows and files --------------------------------------------------------------------------------

const BUREAUS: Record<string, string> = { STAFFING: '区委编办', FINANCE: '区财政局', HR: '区人社局', AUDIT: '审计/巡察' };
const SOURCES: Record<string, string> = {
  SPECIAL_INSPECTION: '专项检查',
  INSPECTION_TOUR: '巡察',
  ECONOMIC_RESPONSIBILITY_AUDIT: '经济责任审计',
  PERFORMANCE_EVALUATION: '绩效评估',
  SPECIAL_AUDIT: '专项审计',
  RULE_SWEEP: '数据比对',
  REPORT: '举报',
};
export const STATUS_NAMES: Record<LeadStatus, string> = { OPEN: '待处置', ROUTED: '已抄送', CLOSED: '已办结', RESOLVED_BY_DATA: '数据已消除' };
const ROUTES: Record<string, string> = { INSPECTION_TOUR: '区委巡察', AUDIT: '审计', DISCIPLINE: '纪检监察' };
const CATEGORIES: Record<string, string> = { DISTRICT_ORGAN: '区级机关', FUNDED_INSTITUTION: '财政补助事业单位', EDUCATION: '教育系统', TOWN_SUBDISTRICT: '镇街' };

/** The columns of both formats, as the bureaus head them. */
export const COLUMNS = [
  { key: 'seq', header: '序号', width: 7 },
  { key: 'id', header: '线索编号', width: 10 },
  { key: 'ruleName', header: '问题类型', width: 22 },
  { key: 'rule', header: '规则代码', width: 26 },
  { key: 'period', header: '所属期间', width: 10 },
  { key: 'unitName', header: '单位名称', width: 34 },
  { key: 'unitCode', header: '统一社会信用代码', width: 22 },
  { key: 'category', header: '单位类别', width: 18 },
  { key: 'town', header: '所属镇街', width: 10 },
  { key: 'personName', header: '姓名', width: 10 },
  { key: 'idNumber', header: '身份证号', width: 21 },
  { key: 'evidence', header: '证据来源', width: 30 },
  { key: 'source', header: '线索来源', width: 14 },
  { key: 'status', header: '办理状态', width: 12 },
  { key: 'routedTo', header: '抄送去向', width: 12 },
  { key: 'description', header: '问题描述', width: 50 },
  { key: 'createdAt', header: '登记时间', width: 20 },
  { key: 'closedAt', header: '办结时间', width: 20 },
] as const;
export type ExportRow = Record<(typeof COLUMNS)[number]['key'], string | number>;

/** A DateTime as Beijing time, "2026-10-05 09:31:00". */
function beijingTime(iso: string | null): string {
  if (!iso) return '';
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : new Date(t.getTime() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

export function exportRow(lead: LeadNode, seq: number): ExportRow {
  return {
    seq,
    id: lead.id,
    ruleName: ruleName(lead.rule),
    rule: lead.rule ?? '',
    period: lead.period ?? '',
    unitName: lead.unit?.name ?? '',
    unitCode: lead.unit?.code ?? '',
    category: lead.unit ? (CATEGORIES[lead.unit.category] ?? lead.unit.category) : '',
    town: lead.unit?.town?.name ?? '',
    personName: lead.person?.name ?? '',
    idNumber: lead.person?.idNumber ?? '',
    evidence: lead.evidenceBureaus.map((b) => BUREAUS[b] ?? b).join('、'),
    source: SOURCES[lead.source] ?? lead.source,
    status: STATUS_NAMES[lead.status] ?? lead.status,
    routedTo: lead.routedTo ? (ROUTES[lead.routedTo] ?? lead.routedTo) : '',
    description: lead.description,
    createdAt: beijingTime(lead.createdAt),
    closedAt: beijingTime(lead.closedAt),
  };
}

interface FileWriter {
  add(lead: LeadNode): Promise<void>;
  end(): Promise<void>;
}

/** Waits while the destination's buffer is full, so a slow reader holds the export back. */
async function drained(out: Writable): Promise<void> {
  if (out.writableNeedDrain) await once(out, 'drain');
}

function csvWriter(out: Writable): FileWriter {
  const csv = stringify({ bom: true, header: true, columns: COLUMNS.map((c) => ({ key: c.key, header: c.header })) });
  csv.pipe(out);
  const done = finished(out);
  done.catch(() => undefined);
  let seq = 0;
  return {
    async add(lead) {
      if (!csv.write(exportRow(lead, ++seq))) await Promise.race([once(csv, 'drain'), done]);
    },
    async end() {
      csv.end();
      await done;
    },
  };
}

/** Excel's rules for sheet names: at most 31 characters, none of []:*?/\, unique. */
function sheetName(rule: string | null, taken: Set<string>): string {
  const base = ruleName(rule).replace(/[[\]:*?/\\]/g, '_').slice(0, 28);
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}(${n})`;
  taken.add(name);
  return name;
}

function xlsxWriter(out: Writable): FileWriter {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'bianwai-gateway';
  const done = finished(out);
  done.catch(() => undefined);
  const taken = new Set<string>();
  let sheet: ExcelJS.Worksheet | null = null;
  let sheetRule: string | null | undefined;
  let seq = 0;
  const open = (rule: string | null) => {
    sheet?.commit();
    sheet = workbook.addWorksheet(sheetName(rule, taken), { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
    sheet.columns = COLUMNS.map((c) => ({ key: c.key, header: c.header, width: c.width }));
    const header = sheet.getRow(1);
    header.font = { bold: true };
    header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
    header.commit();
    sheetRule = rule;
    seq = 0;
  };
  return {
    async add(lead) {
      if (sheet === null || lead.rule !== sheetRule) open(lead.rule);
      sheet!.addRow(exportRow(lead, ++seq)).commit();
      await Promise.race([drained(out), done]);
    },
    async end() {
      if (sheet === null) open(null);
      sheet!.commit();
      await workbook.commit();
      await done;
    },
  };
}

/** An export under way: the first page is fetched (so a refusal comes before any byte is written). */
export class LeadExport {
  private constructor(
    private readonly query: GraphQLCaller,
    private readonly filter: Record<string, unknown>,
    private readonly pageSize: number,
    private readonly firstPage: LeadPage['leads'],
  ) {}

  static async start(query: GraphQLCaller, params: Omit<LeadExportParams, 'format'>, options: { pageSize?: number } = {}): Promise<LeadExport> {
    const filter: Record<string, unknown> = {};
    if (params.rule) filter.rule = params.rule;
    if (params.status) filter.status = params.status;
    if (params.town) filter.units = await townUnits(query, params.town);
    const pageSize = options.pageSize ?? 500;
    const first = await query<LeadPage>(PAGE, { filter, first: pageSize, after: null }, 'LeadExportPage');
    return new LeadExport(query, filter, pageSize, first.leads);
  }

  /** Leads matching when the export started. */
  get total(): number {
    return this.firstPage.totalCount;
  }

  /** Writes the file to out (and ends it); returns the number of leads written. */
  async write(format: ExportFormat, out: Writable, onProgress?: (done: number, total: number) => void): Promise<number> {
    const file = format === 'csv' ? csvWriter(out) : xlsxWriter(out);
    let page = this.firstPage;
    let written = 0;
    for (;;) {
      for (const lead of page.nodes) {
        await file.add(lead);
        written++;
      }
      onProgress?.(written, Math.max(page.totalCount, written));
      if (!page.pageInfo.hasNextPage) break;
      page = (await this.query<LeadPage>(PAGE, { filter: this.filter, first: this.pageSize, after: page.pageInfo.endCursor }, 'LeadExportPage')).leads;
    }
    await file.end();
    return written;
  }
}
