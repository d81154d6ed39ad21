// What operators see: Prometheus metrics at /metrics on the gateway and a subgraph, one trace from the
// gateway through each subgraph to its SQL, and JSON log lines carrying one request id across services
// with no full ID number in any of them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { isValidIdNumber } from '../lib/ids.ts';
import { createLogger, setLogDestination } from '../lib/observability.ts';
import { startTracing, stopTracing } from '../lib/tracing.ts';
import { DEFAULT_POLICY } from '../gateway/resilience.ts';
import { readOperation } from '../lib/operations.ts';
import { postGraphQL, startTestFederation, type TestFederation } from './support/federation.ts';

let data: GeneratedData;
let fed: TestFederation;
const spans = new InMemorySpanExporter();
const lines: Record<string, any>[] = [];
const rawLines: string[] = [];
const logLevel = process.env.LOG_LEVEL;

beforeAll(async () => {
  process.env.LOG_LEVEL = 'info';
  setLogDestination({
    write(line: string) {
      rawLines.push(line);
      lines.push(JSON.parse(line));
    },
  });
  startTracing({ serviceName: 'test', spanProcessors: [new SimpleSpanProcessor(spans)] });
  data = generate({ seed: 11, units: 60, people: 600, plantedUnits: 6 });
  // Every request must reach the subgraphs here: the gateway keeps no answers (test/response-cache.test.ts covers those).
  fed = await startTestFederation(data, { responseCache: { enabled: false } });
});

afterAll(async () => {
  await fed?.stop();
  await stopTracing();
  setLogDestination(null);
  process.env.LOG_LEVEL = logLevel;
});

/** Waits (without a time limit of its own: jest's applies) until check() holds; spans and log lines come when responses close. */
async function eventually(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

const metricsUrl = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, '/metrics');

/** The value of one sample in Prometheus text format (0 when absent). */
async function scrape(graphqlUrl: string): Promise<(name: string, labels?: Record<string, string>) => number> {
  const res = await fetch(metricsUrl(graphqlUrl));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  const samples = text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(l)!;
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
  return (name, labels = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

const unitCode = () => data.manifest.rules.overQuota[0]?.unitCode ?? (data.staffing.unit!.rows[0]![0] as string);
const PROFILE = `query Profile($code: String!) { unit(code: $code) { code name openLeads { id } budget(year: 2026) { amount } } }`;

describe('metrics', () => {
  it('counts requests, errors by code and latency on the gateway and on a subgraph', async () => {
    const [gwBefore, staffingBefore] = await Promise.all([scrape(fed.gatewayUrl), scrape(fed.subgraphUrls.staffing)]);
    for (let i = 0; i < 3; i++) expect((await fed.query(PROFILE, { code: unitCode() })).errors).toBeUndefined();
    const leadsPage = await fed.query(readOperation('LeadsPage'), { first: 2 });
    expect(leadsPage.errors).toBeUndefined();
    // A bad request (does not parse) and a bad argument a subgraph refuses.
    expect((await fed.query('{ unit(code: "x") { name ')).status).toBe(400);
    const refused = await fed.query('{ unit(code: "not a credit code") { name } }');
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // A made-up operation name is not a label of its own.
    await fed.query('query MadeUpName123 { towns { code } }');

    const [gw, staffing] = await Promise.all([scrape(fed.gatewayUrl), scrape(fed.subgraphUrls.staffing)]);
    const moved = (after: typeof gw, before: typeof gw, name: string, labels?: Record<string, string>) => after(name, labels) - before(name, labels);
    expect(moved(gw, gwBefore, 'gateway_requests_total', { operation: 'adhoc' })).toBe(6);
    expect(moved(gw, gwBefore, 'gateway_requests_total', { operation: 'LeadsPage' })).toBe(1);
    expect(gw('gateway_requests_total', { operation: 'MadeUpName123' })).toBe(0);
    expect(moved(gw, gwBefore, 'gateway_errors_total', { code: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
    expect(moved(gw, gwBefore, 'gateway_errors_total', { code: 'BAD_USER_INPUT' })).toBe(1);
    expect(moved(gw, gwBefore, 'gateway_request_duration_seconds_count', { operation: 'adhoc' })).toBe(6);
    expect(moved(gw, gwBefore, 'gateway_request_duration_seconds_bucket', { operation: 'adhoc', le: '+Inf' })).toBe(6);
    for (const subgraph of ['staffing', 'finance', 'audit']) {
      expect(moved(gw, gwBefore, 'gateway_subgraph_request_duration_seconds_count', { subgraph })).toBeGreaterThanOrEqual(3);
    }
    // The staffing subgraph saw the profile's requests, the refused one, and ran SQL for them.
    expect(moved(staffing, staffingBefore, 'subgraph_requests_total', { subgraph: 'staffing' })).toBeGreaterThanOrEqual(5);
    expect(moved(staffing, staffingBefore, 'subgraph_request_duration_seconds_count', { subgraph: 'staffing' })).toBeGreaterThanOrEqual(5);
    expect(moved(staffing, staffingBefore, 'subgraph_errors_total', { subgraph: 'staffing', code: 'BAD_USER_INPUT' })).toBe(1);
    expect(moved(staffing, staffingBefore, 'subgraph_sql_statements_total', { subgraph: 'staffing' })).toBeGreaterThanOrEqual(3);
    // Process metrics on every service.
    expect(staffing('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    if (process.env.TEST_DB_BACKEND === 'postgres') {
      expect(staffing('db_pool_connections', { database: 'staffing', state: 'max' })).toBe(4);
      expect(staffing('db_pool_connections', { database: 'staffing', state: 'total' })).toBeGreaterThan(0);
      expect(gw('db_pool_connections', { database: 'access_log', state: 'max' })).toBe(4);
    }
  });

  it("shows each subgraph's circuit breaker: open while hr is down, half-open when a probe may go, closed once hr answers", async () => {
    const gateway = await fed.startGateway({ resilience: { defaults: { ...DEFAULT_POLICY, retries: 0, breakerThreshold: 2, breakerOpenMs: 400 } } });
    const state = async () => (await scrape(gateway.url))('gateway_subgraph_breaker_state', { subgraph: 'hr' });
    const contracts = `query($code: String!) { unit(code: $code) { code contracts(activeIn: "${data.manifest.month}") { id } } }`;
    const ask = () => fed.queryAt(gateway.url, 'AUDITOR', contracts, { code: unitCode() });
    expect((await ask()).errors).toBeUndefined();
    expect(await state()).toBe(0);
    await fed.stopSubgraph('hr');
    try {
      for (let i = 0; i < 3; i++) expect((await ask()).errors?.[0]?.extensions?.subgraph).toBe('hr');
      expect(await state()).toBe(2);
      await new Promise((r) => setTimeout(r, 500));
      expect(await state()).toBe(1);
    } finally {
      await fed.restartSubgraph('hr');
    }
    expect((await ask()).errors).toBeUndefined();
    expect(await state()).toBe(0);
  });
});

describe('traces', () => {
  it('shows one trace from the gateway through each subgraph called to its SQL', async () => {
    spans.reset();
    const res = await fed.query(PROFILE, { code: unitCode() });
    expect(res.errors).toBeUndefined();
    const service = (s: ReadableSpan) => s.attributes['bianwai.service'];
    const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
    await eventually(() => spans.getFinishedSpans().some((s) => service(s) === 'gateway'));
    const all = spans.getFinishedSpans();
    const root = all.find((s) => service(s) === 'gateway')!;
    expect(parentOf(root)).toBeUndefined();
    const trace = all.filter((s) => s.spanContext().traceId === root.spanContext().traceId);
    const byId = new Map(trace.map((s) => [s.spanContext().spanId, s]));
    const ancestors = (s: ReadableSpan): ReadableSpan[] => {
      const parent = byId.get(parentOf(s) ?? '');
      return parent ? [parent, ...ancestors(parent)] : [];
    };
    // @apollo/gateway's own spans (its plan is cached by now), inside the gateway's request span.
    for (const name of ['gateway.request', 'gateway.execute']) {
      const span = trace.find((s) => s.name === name);
      expect(span && ancestors(span)).toContain(root);
    }
    for (const subgraph of ['staffing', 'finance', 'audit']) {
      const server = trace.find((s) => service(s) === subgraph);
      expect(server).toBeDefined();
      // Each subgraph's span is a child of the gateway's fetch from that subgraph, within the request.
      const fetch = byId.get(parentOf(server!)!)!;
      expect(fetch.name).toBe('gateway.fetch');
      expect(fetch.attributes.service).toBe(subgraph);
      expect(ancestors(server!)).toContain(root);
      const sql = trace.filter((s) => s.attributes['db.system.name'] === 'postgresql' && ancestors(s).includes(server!));
      expect(sql.length).toBeGreaterThan(0);
      expect(sql.every((s) => /^SELECT /.test(s.name) && typeof s.attributes['db.query.text'] === 'string')).toBe(true);
    }
  });
});

describe('OTLP export', () => {
  it('sends the spans to OTEL_EXPORTER_OTLP_ENDPOINT over OTLP/HTTP', async () => {
    const received: any[] = [];
    const collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push({ path: req.url, body: JSON.parse(body) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    try {
      await stopTracing();
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
      expect(startTracing({ serviceName: 'bianwai-test' })).toBe(true);
      const res = await postGraphQL<any>(fed.gatewayUrl, { query: PROFILE, variables: { code: unitCode() } }, { authorization: `Bearer ${fed.tokens.AUDITOR}`, 'x-request-id': 'otlp-check' });
      expect(res.errors).toBeUndefined();
      // The gateway's span ends when its response closes, right after the request's log line.
      await eventually(() => lines.some((l) => l.requestId === 'otlp-check' && l.service === 'gateway'));
      await new Promise((resolve) => setImmediate(resolve));
      await stopTracing(); // flushes the batch
      const spans = received.filter((r) => r.path === '/v1/traces').flatMap((r) => r.body.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)));
      const names = spans.map((s: any) => s.name);
      expect(names).toContain('gateway POST /graphql');
      expect(names).toContain('staffing POST /graphql');
      expect(names.some((n: string) => /^SELECT bw_test_staffing_/.test(n))).toBe(true);
      expect(new Set(spans.filter((s: any) => /POST \/graphql$/.test(s.name)).map((s: any) => s.traceId)).size).toBe(1);
      const resource = received[0].body.resourceSpans[0].resource.attributes;
      expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'bianwai-test' } });
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
      await new Promise((resolve) => collector.close(resolve));
    }
  });
});

describe('logs', () => {
  it('carries the request id from the gateway to the subgraphs, one line per request, no full ID number', async () => {
    const person = data.manifest.rules.ghostRecords[0]?.idNumber ?? (data.staffing.registry_record!.rows[0]![2] as string);
    expect(isValidIdNumber(person)).toBe(true);
    const q = `query PersonCheck($id: String!) { person(idNumber: $id) { idNumber name leads { id } } }`;
    const res = await postGraphQL<any>(fed.gatewayUrl, { query: q, variables: { id: person } }, { authorization: `Bearer ${fed.tokens.AUDITOR}`, 'x-request-id': 'audit-check-42' });
    expect(res.data?.person.idNumber).toBe(person);
    const mine = () => lines.filter((l) => l.requestId === 'audit-check-42');
    await eventually(() => mine().some((l) => l.service === 'gateway'));
    const gatewayLines = mine().filter((l) => l.service === 'gateway');
    expect(gatewayLines).toHaveLength(1);
    expect(gatewayLines[0]).toMatchObject({ msg: 'request', level: 'info', method: 'POST', path: '/graphql', status: 200, operation: 'PersonCheck' });
    expect(mine().filter((l) => l.service === 'staffing')).toHaveLength(1);
    expect(mine().filter((l) => l.service === 'audit')).toHaveLength(1);

    // Without one the gateway makes one, answers it, and the subgraphs log it too.
    const made = await fetch(fed.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${fed.tokens.AUDITOR}` },
      body: JSON.stringify({ query: q, variables: { id: person } }),
    });
    const id = made.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await eventually(() => lines.some((l) => l.requestId === id && l.service === 'gateway'));
    expect(lines.filter((l) => l.requestId === id).map((l) => l.service).sort()).toEqual(['audit', 'gateway', 'staffing']);

    // An ID number wherever it turns up in a line (here as the request id itself) is masked.
    await postGraphQL<any>(fed.gatewayUrl, { query: '{ towns { code } }' }, { authorization: `Bearer ${fed.tokens.AUDITOR}`, 'x-request-id': person });
    const masked = `${person.slice(0, 6)}********${person.slice(14)}`;
    await eventually(() => lines.some((l) => l.requestId === masked));
    // Keys that would carry personal data or secrets are blanked whoever logs them.
    createLogger('gateway').warn({ name: '张三', token: fed.tokens.AUDITOR, idNumber: person, unit: 'x' }, `person ${person} looked up`);
    const warned = lines.find((l) => l.level === 'warn' && l.unit === 'x')!;
    expect(warned).toMatchObject({ name: '<redacted>', token: '<redacted>', idNumber: '<redacted>', msg: `person ${masked} looked up` });
    const full = rawLines.flatMap((line) => line.match(/\d{17}[\dX]/g) ?? []).filter(isValidIdNumber);
    expect(full).toEqual([]);
    expect(rawLines.some((line) => line.includes(fed.tokens.AUDITOR.split('.')[2]!) || line.includes('张三'))).toBe(false);
  });
});
