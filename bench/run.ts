// `npm run bench -- [--scale district|city] [--quick] [--duration S] [--warmup S] [--connections N]
//   [--targets critical,apollo,ours,hive] [--seed N] [--server URL] [--out DIR]`
//
// Our gateway side by side with stock @apollo/gateway, Hive Gateway and the critical path, on the same
// subgraphs, the same data and the same supergraph:
//   1. five fresh databases (four bureaus and the access log) on the local PostgreSQL, migrated and
//      loaded with the streamed COPY seeder at the scale (as `npm run seed` does);
//   2. the four subgraph servers, one process each, with one signing key;
//   3. the subgraph requests of every workload request recorded once through our gateway (in this
//      process, behind recording proxies), for the critical path and as the reference answers;
//   4. for each workload and each target in turn: the target in a fresh process of its own, its answers
//      checked against ours, then autocannon (bench/load.ts, another process) at a fixed number of
//      connections: a warm-up, then the measured window; meanwhile the target's peak RSS (VmHWM) and CPU
//      time, and the subgraphs' SQL statement and request counters;
//   5. a Markdown table and JSON (bench/results/gateway-<scale>.md/.json), printed too.
// Targets: `critical` (bench/targets/critical-path.ts), `apollo` (bench/targets/apollo.ts), `ours`
// (bench/targets/ours.ts), `hive` (Hive Gateway's CLI with bench/targets/hive.config.ts).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import { machine as machineAndCode } from './machine.ts';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { ACCESS_LOG_MIGRATIONS } from '../lib/access-log.ts';
import { createPostgresDatabase, dropPostgresDatabase, openPostgres, redactUrl, type Database } from '../lib/db.ts';
import { migrate } from '../lib/migrate.ts';
import { SUBGRAPH_NAMES, migrationsPath, type RunningServer, type SubgraphName } from '../lib/subgraph.ts';
import { SUPERGRAPH_PATH } from '../lib/supergraph.ts';
import { randomSigningKey } from '../lib/auth/signing.ts';
import { startGateway } from '../gateway/server.ts';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER } from '../gateway/authenticate.ts';
import { DEFAULT_LIMITS } from '../gateway/limits.ts';
import { withoutSecurityFeatures } from '../gateway/authorize.ts';
import { SCALES, planDistricts, type ScaleName } from '../scripts/seed/generate.ts';
import { seedStreaming } from '../scripts/seed/load.ts';
import { DISTRICT, adhoc, dashboardMix, flagship, type Workload, type WorkloadName } from './workloads.ts';
import type { LoadConfig, LoadResult } from './load.ts';
import type { Recordings, ReplayNode, Span } from './targets/critical-path.ts';
import { firstDifference } from './compare.ts';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner, type PlanNode } from '@apollo/query-planner';
import { parse } from 'graphql';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_SCALES = ['district', 'city', 'province'] as const satisfies readonly ScaleName[];
const TARGETS = ['critical', 'apollo', 'ours', 'uncached', 'hive'] as const;
type TargetName = (typeof TARGETS)[number];
const TARGET_TITLES: Record<TargetName, string> = {
  critical: 'critical path',
  apollo: 'stock @apollo/gateway 2.14.4',
  ours: 'ours',
  uncached: 'ours, kept answers off',
  hive: 'Hive Gateway 2.15.1',
};
/** Measured a second time at one connection, for the overhead at low load (Hive Gateway not with --quick, to keep it under 3 minutes). */
const LOW_LOAD_TARGETS: readonly TargetName[] = ['critical', 'apollo', 'ours', 'uncached', 'hive'];
const lowLoadTargets = (quick: boolean) => LOW_LOAD_TARGETS.filter((t) => !(quick && t === 'hive'));
const WORKLOADS = ['dashboard', 'flagship', 'adhoc'] as const;
const HIVE_BIN = join(ROOT, 'node_modules', '@graphql-hive', 'gateway', 'dist', 'bin.js');

const USAGE = `usage: npm run bench -- [--scale district|city|province] [--quick] [--duration S] [--warmup S] [--connections N]
                       [--targets ${TARGETS.join(',')}] [--workloads ${WORKLOADS.join(',')}] [--seed N] [--server URL] [--out DIR]
  --scale        data scale (default district; province seeds 1 million people first, about 2 minutes)
  --quick        short rounds (warm-up 1.5 s, 3 s measured; without "ours, kept answers off" unless --targets names it):
                 the whole run in under 3 minutes
  --workloads    which workloads, comma-separated (default all: ${WORKLOADS.join(', ')})
  --duration S   measured seconds per workload and target (default 30; quick 3)
  --warmup S     warm-up seconds before each measured window (default 5; quick 1.5)
  --connections  concurrent connections of the load generator (default 10)
  --targets      which targets, comma-separated (default all: ${TARGETS.join(',')}); the critical path
                 and stock @apollo/gateway are needed for the overhead and the ratios. Each workload is also
                 measured at 1 connection on ${LOW_LOAD_TARGETS.join(', ')} (not hive with --quick), for the overhead at low load
  --seed         data seed (default 42)
  --server       PostgreSQL server for the gwbench_* databases
                 (default $BENCH_DATABASE_URL or postgresql://postgres@127.0.0.1:5432/postgres)
  --out          where to write gateway-<scale>.md and .json (default bench/results)`;

class UsageError extends Error {}

interface Options {
  scale: ScaleName;
  quick: boolean;
  workloads: WorkloadName[];
  duration: number;
  warmup: number;
  connections: number;
  targets: TargetName[];
  seed: number;
  server: string;
  out: string;
  command: string;
}

function parseOptions(argv: string[]): Options {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        scale: { type: 'string', default: 'district' },
        quick: { type: 'boolean', default: false },
        duration: { type: 'string' },
        warmup: { type: 'string' },
        connections: { type: 'string', default: '10' },
        targets: { type: 'string' },
        workloads: { type: 'string', default: WORKLOADS.join(',') },
        seed: { type: 'string', default: '42' },
        server: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!(BENCH_SCALES as readonly string[]).includes(values.scale)) throw new UsageError(`--scale must be one of ${BENCH_SCALES.join(', ')}, got "${values.scale}"`);
  const positive = (name: string, raw: string | undefined, fallback: number, allowZero = false): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || !(allowZero ? n >= 0 : n > 0)) throw new UsageError(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got "${raw}"`);
    return n;
  };
  const targets = (values.targets ?? TARGETS.filter((t) => !(values.quick && t === 'uncached')).join(',')).split(',').map((t) => t.trim()).filter(Boolean);
  for (const t of targets) if (!(TARGETS as readonly string[]).includes(t)) throw new UsageError(`unknown target "${t}"; known: ${TARGETS.join(', ')}`);
  const workloads = values.workloads.split(',').map((t) => t.trim()).filter(Boolean);
  for (const w of workloads) if (!(WORKLOADS as readonly string[]).includes(w)) throw new UsageError(`unknown workload "${w}"; known: ${WORKLOADS.join(', ')}`);
  const connections = positive('connections', values.connections, 10);
  if (!Number.isInteger(connections)) throw new UsageError('--connections must be a whole number');
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new UsageError(`--seed must be an integer, got "${values.seed}"`);
  return {
    scale: values.scale as ScaleName,
    quick: values.quick,
    workloads: WORKLOADS.filter((w) => workloads.includes(w)),
    duration: positive('duration', values.duration, values.quick ? 3 : 30),
    warmup: positive('warmup', values.warmup, values.quick ? 1.5 : 5, true),
    connections,
    targets: TARGETS.filter((t) => targets.includes(t)),
    seed,
    server: values.server ?? process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    out: resolve(values.out ?? join(ROOT, 'bench', 'results')),
    command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
  };
}

// ---- machine ---------------------------------------------------------------------------------------

interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  postgres: string;
  commit: string | null;
}

async function machine(server: string): Promise<Machine> {
  const admin = openPostgres(server, { max: 1 });
  let postgres = 'unknown';
  try {
    const [v] = await admin.query<{ version: string }>('SELECT version() AS version');
    postgres = v?.version.split(' on ')[0] ?? postgres;
  } finally {
    await admin.close();
  }
  return { ...machineAndCode(), postgres };
}

// ---- child processes -------------------------------------------------------------------------------

const children = new Set<ChildProcess>();
const cleanups: (() => Promise<void>)[] = [];
let logDir = '';

function killAll(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
process.once('exit', killAll);
process.once('SIGINT', () => {
  console.error('[bench] interrupted: stopping the processes and dropping the gwbench databases');
  killAll();
  void Promise.allSettled(cleanups.map((c) => c())).then(() => process.exit(130));
});

/** A TypeScript entry under tsx in a process of its own (so that its PID is the process measured). */
function spawnTs(file: string, env: Record<string, string>, label: string, ipc = false): ChildProcess {
  // BENCH_CPU_PROFILE=DIR: every process but the load generator writes a V8 CPU profile there (for profiling, not for figures).
  const profile = process.env.BENCH_CPU_PROFILE && !file.endsWith('load.ts') ? ['--cpu-prof', `--cpu-prof-dir=${join(process.env.BENCH_CPU_PROFILE, label)}`] : [];
  return spawnLogged(process.execPath, [...profile, '--import', 'tsx', file], env, label, ipc);
}

function spawnLogged(command: string, args: string[], env: Record<string, string>, label: string, ipc = false): ChildProcess {
  const log = createWriteStream(join(logDir, `${label}.log`), { flags: 'a' });
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  children.add(child);
  child.once('exit', () => {
    children.delete(child);
    log.end();
  });
  return child;
}

function logTail(label: string, lines = 15): string {
  try {
    return readFileSync(join(logDir, `${label}.log`), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Ports free on loopback now, all different (held open together while they are picked). */
async function freePorts(n: number): Promise<number[]> {
  const listen = () =>
    new Promise<net.Server>((resolveServer, reject) => {
      const server = net.createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolveServer(server));
    });
  const servers = await Promise.all(Array.from({ length: n }, listen));
  const ports = servers.map((server) => (server.address() as net.AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise<void>((r) => server.close(() => r()))));
  return ports;
}

async function waitForPort(port: number, child: ChildProcess, label: string, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${label} exited (${child.exitCode ?? child.signalCode}) before listening:\n${logTail(label)}`);
    const open = await new Promise<boolean>((r) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        r(true);
      });
      socket.once('error', () => r(false));
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`${label} did not listen on port ${port} within ${timeoutMs / 1000} s:\n${logTail(label)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- /proc -----------------------------------------------------------------------------------------

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Peak and current resident set size (MB) of a process. */
function memoryOf(pid: number): { hwm: number; rss: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { hwm: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

/** CPU time (user + system, ms) a process has used. */
function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime) are the 12th and 13th after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

// ---- subgraphs -------------------------------------------------------------------------------------

interface SubgraphProcess {
  name: SubgraphName;
  url: string;
  child: ChildProcess;
}

interface Counters {
  sql: Record<SubgraphName, number>;
  requests: Record<SubgraphName, number>;
}

async function startSubgraph(name: SubgraphName, databaseUrl: string, signingKey: Buffer): Promise<SubgraphProcess> {
  const label = `subgraph-${name}`;
  const child = spawnTs(join(ROOT, 'bench', 'targets', 'subgraph.ts'), { BENCH_SUBGRAPH: JSON.stringify({ name, databaseUrl, signingKey: signingKey.toString('hex') }) }, label, true);
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label} did not start within 90 s:\n${logTail(label)}`)), 90_000);
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m?.type === 'ready') {
        clearTimeout(timer);
        resolveUrl(m.url!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited (${code}):\n${logTail(label)}`));
    });
  });
  return { name, url, child };
}

async function countersOf(subgraphs: SubgraphProcess[]): Promise<Counters> {
  const replies = await Promise.all(
    subgraphs.map(
      (s) =>
        new Promise<{ name: SubgraphName; sql: number; requests: number }>((resolveStats, reject) => {
          const timer = setTimeout(() => reject(new Error(`subgraph ${s.name} did not answer for its counters`)), 10_000);
          const onMessage = (m: { type?: string; sql?: number; requests?: number }) => {
            if (m?.type !== 'stats') return;
            clearTimeout(timer);
            s.child.off('message', onMessage);
            resolveStats({ name: s.name, sql: m.sql!, requests: m.requests! });
          };
          s.child.on('message', onMessage);
          s.child.send({ type: 'stats' });
        }),
    ),
  );
  return {
    sql: Object.fromEntries(replies.map((r) => [r.name, r.sql])) as Record<SubgraphName, number>,
    requests: Object.fromEntries(replies.map((r) => [r.name, r.requests])) as Record<SubgraphName, number>,
  };
}

/** Counters that have stopped moving (the last in-flight subgraph requests of a window finished). */
async function settledCounters(subgraphs: SubgraphProcess[]): Promise<Counters> {
  let last = await countersOf(subgraphs);
  for (let i = 0; i < 50; i++) {
    await new Promise((r) => setTimeout(r, 200));
    const now = await countersOf(subgraphs);
    if (isDeepStrictEqual(now, last)) return now;
    last = now;
  }
  return last;
}

// ---- recording the critical path -------------------------------------------------------------------

interface LoggedFetch {
  subgraph: SubgraphName;
  url: string;
  body: string;
  status: number;
  response: string;
}

/** An HTTP proxy in front of one subgraph that records every request it forwards. */
async function recordingProxy(subgraph: SubgraphName, target: string, log: LoggedFetch[]): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      try {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(k)) headers[k] = v;
        const answer = await fetch(target, { method: 'POST', headers, body });
        const text = await answer.text();
        log.push({ subgraph, url: target, body: body.toString('utf8'), status: answer.status, response: text });
        res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(text);
      } catch (err) {
        res.writeHead(502).end(String(err));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * The query plan of an operation (as @apollo/gateway, and so our gateway, plans it: the same planner
 * with its default configuration on the same supergraph) with each fetch node replaced by the request
 * the gateway sent for it. Fetch nodes the gateway skipped (nothing to fetch) are left out; a recorded
 * request that matches no fetch node is an error.
 */
/** Appends bytes to a file and says where they went. */
class SpanWriter {
  private readonly fd: number;
  private offset = 0;
  private readonly seen = new Map<string, Span>();
  constructor(readonly path: string, private readonly dedupe: boolean) {
    this.fd = openSync(path, 'w');
  }
  write(text: string): Span {
    const known = this.dedupe ? this.seen.get(text) : undefined;
    if (known) return known;
    const bytes = Buffer.from(text, 'utf8');
    writeSync(this.fd, bytes, 0, bytes.length, this.offset);
    const span = { offset: this.offset, length: bytes.length };
    this.offset += bytes.length;
    if (this.dedupe) this.seen.set(text, span);
    return span;
  }
  get distinct(): number {
    return this.seen.size;
  }
  close(): void {
    closeSync(this.fd);
  }
}

/**
 * The query plan of an operation (as @apollo/gateway, and so our gateway, plans it: the same planner
 * with its default configuration on the same supergraph) with each fetch node replaced by the request
 * the gateway sent for it. Fetch nodes the gateway skipped (nothing to fetch) are left out; a recorded
 * request that matches no fetch node is an error.
 */
function replayPlan(
  planner: QueryPlanner,
  api: ReturnType<Supergraph['apiSchema']>,
  request: { query: string; operationName?: string },
  fetched: LoggedFetch[],
  files: { bodies: SpanWriter; responses: SpanWriter },
): ReplayNode {
  const plan = planner.buildQueryPlan(operationFromDocument(api, parse(request.query), { operationName: request.operationName }));
  const left = fetched.map((f) => ({ ...f, query: (JSON.parse(f.body) as { query?: string }).query }));
  const walk = (node: PlanNode | undefined): ReplayNode | null => {
    if (!node) return null;
    switch (node.kind) {
      case 'Sequence':
      case 'Parallel': {
        const nodes = node.nodes.map(walk).filter((n): n is ReplayNode => n !== null);
        if (nodes.length === 0) return null;
        if (nodes.length === 1) return nodes[0]!;
        return node.kind === 'Sequence' ? { seq: nodes } : { par: nodes };
      }
      case 'Flatten':
        return walk(node.node);
      case 'Condition': {
        const nodes = [walk(node.ifClause), walk(node.elseClause)].filter((n): n is ReplayNode => n !== null);
        return nodes.length === 0 ? null : nodes.length === 1 ? nodes[0]! : { seq: nodes };
      }
      case 'Defer': {
        const nodes = [walk(node.primary.node), ...node.deferred.map((d) => walk(d.node))].filter((n): n is ReplayNode => n !== null);
        return nodes.length === 0 ? null : nodes.length === 1 ? nodes[0]! : { seq: nodes };
      }
      case 'Fetch': {
        const i = left.findIndex((f) => f.subgraph === node.serviceName && f.query === node.operation);
        if (i < 0) return null;
        const [f] = left.splice(i, 1);
        return { fetch: { subgraph: f!.subgraph, url: f!.url, body: files.bodies.write(f!.body), status: f!.status, response: files.responses.write(f!.response) } };
      }
    }
  };
  const tree = (plan.node?.kind === 'Subscription' ? null : walk(plan.node)) ?? { seq: [] };
  if (left.length > 0) throw new Error(`${left.length} recorded subgraph request(s) match no fetch of the plan (${left.map((f) => f.subgraph).join(', ')})`);
  return tree;
}

/** Fetches in a replay plan, and the length of its longest chain of dependent fetches. */
function planShape(node: ReplayNode): { fetches: number; steps: number } {
  if ('fetch' in node) return { fetches: 1, steps: 1 };
  const parts = ('seq' in node ? node.seq : node.par).map(planShape);
  return {
    fetches: parts.reduce((s, p) => s + p.fetches, 0),
    steps: 'seq' in node ? parts.reduce((s, p) => s + p.steps, 0) : Math.max(0, ...parts.map((p) => p.steps)),
  };
}

interface GraphQLAnswer {
  status: number;
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<GraphQLAnswer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body });
  const text = await res.text();
  try {
    return { status: res.status, ...(JSON.parse(text) as object) };
  } catch {
    return { status: res.status, errors: [{ message: `not JSON: ${text.slice(0, 200)}` }] };
  }
}

// ---- results ---------------------------------------------------------------------------------------

interface TargetResult {
  target: TargetName;
  title: string;
  /** Why the target could not be measured, if so. */
  error?: string;
  correct?: { ok: boolean; checked: number; detail: string[] };
  load?: LoadResult;
  requestsPerSecond?: number;
  latency?: LoadResult['latency'];
  /** Target latency minus the critical path's (ms), at the workload's connections. */
  overhead?: { p50: number; p95: number };
  /** Latency at one connection (ms), and minus the critical path's there: the overhead at low load. */
  lowLoad?: { ok: number; p50: number; p95: number };
  /** The critical path at one connection in the same window, its requests alternating with the target's. */
  lowLoadCritical?: { ok: number; p50: number; p95: number };
  lowLoadOverhead?: { p50: number; p95: number };
  /** VmHWM of the target process over its life (started fresh for the workload), MB. */
  peakRssMb?: number;
  /** CPU time of the target process per answered request in the measured window, ms. */
  cpuMsPerOp?: number;
  sqlPerOp?: Record<SubgraphName, number> & { total: number };
  subgraphRequestsPerOp?: Record<SubgraphName, number> & { total: number };
  /** SQL statements per subgraph request. */
  sqlPerSubgraphRequest?: number;
  /** Each figure divided by stock @apollo/gateway's in the same run. */
  ratios?: Record<string, number | null>;
}

interface WorkloadResult {
  workload: WorkloadName;
  title: string;
  description: string;
  /** Distinct requests sent in turn; null when every request is a new document. */
  distinctRequests: number | null;
  /** Per recorded request: subgraph fetches and plan steps of our gateway's plan. */
  plan: { fetches: number; steps: number };
  targets: TargetResult[];
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const ratio = (a: number | undefined, b: number | undefined): number | null => (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? null : r2(a / b));

const positiveRatio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && a > 0 && b > 0 ? ratio(a, b) : null);

function addRatios(results: WorkloadResult[]): void {
  for (const w of results) {
    const stock = w.targets.find((t) => t.target === 'apollo' && !t.error);
    for (const t of w.targets) {
      if (t.error || !stock) continue;
      t.ratios = {
        requestsPerSecond: ratio(t.requestsPerSecond, stock.requestsPerSecond),
        p50: ratio(t.latency?.p50, stock.latency?.p50),
        p95: ratio(t.latency?.p95, stock.latency?.p95),
        p99: ratio(t.latency?.p99, stock.latency?.p99),
        // A ratio of overheads means something only when both are positive.
        overheadP50: positiveRatio(t.overhead?.p50, stock.overhead?.p50),
        overheadP95: positiveRatio(t.overhead?.p95, stock.overhead?.p95),
        peakRssMb: ratio(t.peakRssMb, stock.peakRssMb),
        cpuMsPerOp: ratio(t.cpuMsPerOp, stock.cpuMsPerOp),
        sqlPerOp: ratio(t.sqlPerOp?.total, stock.sqlPerOp?.total),
        ...Object.fromEntries(SUBGRAPH_NAMES.map((n) => [`sqlPerOp.${n}`, ratio(t.sqlPerOp?.[n], stock.sqlPerOp?.[n])])),
        subgraphRequestsPerOp: ratio(t.subgraphRequestsPerOp?.total, stock.subgraphRequestsPerOp?.total),
        sqlPerSubgraphRequest: ratio(t.sqlPerSubgraphRequest, stock.sqlPerSubgraphRequest),
      };
    }
  }
}

/** Requests per second: more digits for small rates. */
const rate = (x: number | undefined) => fmt(x, x === undefined ? 0 : x < 10 ? 2 : x < 100 ? 1 : 0);
const fmt = (x: number | undefined, digits = 1) => (x === undefined || !Number.isFinite(x) ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const withRatio = (value: string, r: number | null | undefined, target: TargetName) => (target === 'apollo' ? `${value} (1×)` : r == null ? value : `${value} (${r.toFixed(2)}×)`);

function table(results: WorkloadResult[]): string {
  const head = [
    '| workload | target | responses | req/s | p50 ms | p95 ms | p99 ms | overhead p50 ms | overhead p95 ms | 1 connection: p50 ms (overhead) | peak RSS MB | CPU ms/op | SQL/op staffing·finance·hr·audit (total) | subgraph req/op | SQL/subgraph req | correct |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  const rows: string[] = [];
  for (const w of results) {
    for (const t of w.targets) {
      const r = t.ratios ?? {};
      if (t.error) {
        rows.push(`| ${w.title} | ${t.title} | not measured: ${t.error.split('\n')[0]!.replace(/\|/g, '/').slice(0, 160)} | | | | | | | | | | | | | |`);
        continue;
      }
      const sql = t.sqlPerOp ? `${SUBGRAPH_NAMES.map((n) => fmt(t.sqlPerOp![n])).join('·')} (${fmt(t.sqlPerOp.total)})` : '–';
      const errors = t.load ? t.load.non2xx + t.load.graphqlErrors + t.load.connectionErrors + t.load.timeouts : 0;
      rows.push(
        `| ${w.title} | ${t.target === 'ours' ? '**ours**' : t.title} | ${t.load?.ok ?? '–'} | ${withRatio(rate(t.requestsPerSecond), r.requestsPerSecond, t.target)} | ` +
          `${withRatio(fmt(t.latency?.p50), r.p50, t.target)} | ${withRatio(fmt(t.latency?.p95), r.p95, t.target)} | ${withRatio(fmt(t.latency?.p99), r.p99, t.target)} | ` +
          `${t.target === 'critical' ? '–' : withRatio(fmt(t.overhead?.p50), r.overheadP50, t.target)} | ${t.target === 'critical' ? '–' : withRatio(fmt(t.overhead?.p95), r.overheadP95, t.target)} | ` +
          `${t.lowLoad ? `${fmt(t.lowLoad.p50)}${t.lowLoadOverhead ? ` (${t.lowLoadOverhead.p50 >= 0 ? '+' : ''}${fmt(t.lowLoadOverhead.p50)})` : ''}` : '–'} | ` +
          `${t.target === 'critical' ? '–' : withRatio(fmt(t.peakRssMb, 0), r.peakRssMb, t.target)} | ${withRatio(fmt(t.cpuMsPerOp, 2), r.cpuMsPerOp, t.target)} | ` +
          `${withRatio(sql, r.sqlPerOp, t.target)} | ${withRatio(fmt(t.subgraphRequestsPerOp?.total), r.subgraphRequestsPerOp, t.target)} | ${withRatio(fmt(t.sqlPerSubgraphRequest, 2), r.sqlPerSubgraphRequest, t.target)} | ` +
          `${t.correct ? (t.correct.ok ? 'yes' : `**no**: ${t.correct.detail[0]?.replace(/\|/g, '/').slice(0, 120) ?? ''}`) : '–'}${errors ? `; **${errors} failed requests**` : ''} |`,
      );
    }
  }
  return [...head, ...rows].join('\n');
}

interface Goal {
  goal: string;
  measured: string;
  met: boolean | null;
}

/** Fewer answered requests than this in a window, and a goal is not judged (its figures are too noisy). */
const MIN_SAMPLE = 30;

function goals(results: WorkloadResult[], scale: ScaleName, connections: number): Goal[] {
  const find = (w: WorkloadName, t: TargetName) => results.find((r) => r.workload === w)?.targets.find((x) => x.target === t && !x.error);
  const judged = (met: boolean, ...samples: (TargetResult | undefined)[]) => (samples.every((x) => (x?.load?.ok ?? 0) >= MIN_SAMPLE) ? met : null);
  const out: Goal[] = [];
  const ours = find('dashboard', 'ours');
  const stock = find('dashboard', 'apollo');
  const hive = find('dashboard', 'hive');
  if (ours && stock) {
    const x = ratio(ours.requestsPerSecond, stock.requestsPerSecond);
    out.push({ goal: 'dashboard-mix throughput ≥ 2× stock @apollo/gateway', measured: `${rate(ours.requestsPerSecond)} vs ${rate(stock.requestsPerSecond)} req/s (${x?.toFixed(2)}×)`, met: judged(x !== null && x >= 2, ours, stock) });
  }
  if (ours && hive) {
    const x = ratio(ours.requestsPerSecond, hive.requestsPerSecond);
    out.push({ goal: 'dashboard-mix throughput ≥ Hive Gateway', measured: `${rate(ours.requestsPerSecond)} vs ${rate(hive.requestsPerSecond)} req/s (${x?.toFixed(2)}×)`, met: judged(x !== null && x >= 1, ours, hive) });
  }
  for (const r of results) {
    for (const target of ['ours', 'uncached'] as const) {
      const o = r.targets.find((t) => t.target === target && !t.error);
      const c = o?.lowLoadCritical;
      if (o?.lowLoadOverhead && o.lowLoad && c) {
        out.push({
          goal: `overhead at low load ≤ 2 ms p50 (${r.title}${target === 'uncached' ? ', kept answers off' : ''})`,
          measured: `${fmt(o.lowLoadOverhead.p50)} ms (p50 at 1 connection ${fmt(o.lowLoad.p50)} − critical path alongside ${fmt(c.p50)}; ${o.lowLoad.ok} and ${c.ok} responses)`,
          met: o.lowLoad.ok >= MIN_SAMPLE && c.ok >= MIN_SAMPLE ? o.lowLoadOverhead.p50 <= 2 : null,
        });
      }
    }
  }
  const uncached = find('dashboard', 'uncached');
  if (uncached && stock) {
    const x = ratio(uncached.requestsPerSecond, stock.requestsPerSecond);
    out.push({ goal: '(for comparison) dashboard-mix throughput, kept answers off, vs stock', measured: `${rate(uncached.requestsPerSecond)} vs ${rate(stock.requestsPerSecond)} req/s (${x?.toFixed(2)}×)`, met: judged(x !== null && x >= 2, uncached, stock) });
  }
  const f = find('flagship', 'ours');
  const bound = scale === 'province' ? 100 : 150;
  if (f?.latency) {
    out.push({
      goal: scale === 'province' ? 'province scale: paged flagship p95 ≤ 100 ms' : 'flagship over the whole district p95 ≤ 150 ms',
      measured: `${fmt(f.latency.p95)} ms (${f.load!.ok} responses at ${connections} connections)`,
      met: judged(f.latency.p95 <= bound, f),
    });
  }
  const fu = find('flagship', 'uncached');
  if (fu?.latency) out.push({ goal: `(for comparison) flagship p95 ≤ ${bound} ms, kept answers off`, measured: `${fmt(fu.latency.p95)} ms (${fu.load!.ok} responses)`, met: judged(fu.latency.p95 <= bound, fu) });
  for (const r of results) {
    const o = r.targets.find((t) => t.target === 'ours' && !t.error);
    if (o?.sqlPerSubgraphRequest !== undefined) out.push({ goal: `≤ 3 SQL statements per subgraph request (${r.title})`, measured: fmt(o.sqlPerSubgraphRequest, 2), met: judged(o.sqlPerSubgraphRequest <= 3, o) });
  }
  return out;
}

function markdown(report: Report): string {
  const m = report.machine;
  const goalLines = report.goals.map((g) => `| ${g.goal} | ${g.measured} | ${g.met === null ? `– (fewer than ${MIN_SAMPLE} responses)` : g.met ? 'yes' : '**no**'} |`);
  const skipped = report.results.flatMap((w) => w.targets.filter((t) => t.error).map((t) => `- ${w.title}, ${t.title}: ${t.error}`));
  return `# Gateway benchmark: ${report.scale} scale

Measured ${report.measuredAt} with \`${report.command}\`${m.commit ? ` at commit ${m.commit}` : ''}; the whole run took ${fmt(report.seconds.total, 0)} s
(setup ${fmt(report.seconds.setup, 0)} s). Data: seed ${report.data.seed}, ${report.data.units.toLocaleString('en-US')} units,
${report.data.people.toLocaleString('en-US')} people, ${report.data.rows.toLocaleString('en-US')} rows; the workloads ask about district ${DISTRICT}.
Load: autocannon ${report.load.connections} connections on loopback, ${report.load.warmup} s warm-up then ${report.load.duration} s measured, per workload and target;
each target in a fresh process of its own, on the same four subgraph processes and databases.

${table(report.results)}

**responses**: answered requests in the measured window (the sample behind the percentiles). **1 connection**: the
same workload afterwards, one request at a time (nothing queued), p50; in parentheses, minus the p50 of a critical path
measured alongside, the two taking turns request by request (A B B A ...): the overhead at low load. In parentheses elsewhere: the figure
divided by stock @apollo/gateway's in the same run. **overhead** = the target's latency minus the critical path's (same
percentile, same concurrency; negative where the difference is within the noise or the target does less work, see below).
**peak RSS**: VmHWM of the target's process (not shown for the critical path, which holds every recorded subgraph request in memory). **CPU ms/op**: the target process's CPU time in the measured window per
answered request. **SQL/op**: SQL statements the subgraphs ran in the measured window per answered request (the access
log's own statements not counted); **subgraph req/op** likewise. **correct**: ${report.quick ? 'the first request of each operation of the workload' : 'every distinct request of the workload'}
answered as our gateway answers it (the bench token is an auditor's, so nothing is masked); for the critical path, every
replayed subgraph answer equal to the recorded one.

Workloads:
${report.results.map((w) => `- **${w.title}**: ${w.description}; ${w.distinctRequests === null ? 'every request a new document' : `${w.distinctRequests} distinct request${w.distinctRequests > 1 ? 's' : ''}`}, our plan ${fmt(w.plan.fetches)} subgraph fetches in ${fmt(w.plan.steps)} steps per request on average.`).join('\n')}

Targets:
- **critical path**: sends the subgraph requests our gateway's plan makes for the operation (recorded once) straight to the
  subgraphs, signed, over keep-alive undici pools as our gateway does: plan steps in sequence, the fetches of one step at
  once; reads every answer whole and replies with our gateway's (recorded) answer. For the ad-hoc query every replay
  renames the recorded operations, so that they are new documents to the subgraphs, as a gateway's are.
- **stock @apollo/gateway 2.14.4**: default settings under @apollo/server 5's startStandaloneServer, given the supergraph
  without the security features; its data source signs each subgraph request as an auditor.
- **ours**: \`startGateway\` (gateway/server.ts) as shipped: HS256 tokens, access control, limits (rate limit raised to
  10 million a minute: the load generator is one subject), the access log on its own database, and kept answers
  (gateway/response-cache.ts): a repeated question is answered after each bureau it touches confirms its data version
  (\`GET /data-version\`, one statement), without the subgraphs' GraphQL work. The subgraphs' own caches (rosters, rule
  hits, entity lookups per data version) serve every target alike.
- **ours, kept answers off**: the same with \`GATEWAY_RESPONSE_CACHE=off\`: every request planned out to the subgraphs.
- **Hive Gateway 2.15.1**: \`hive-gateway supergraph <file>\` with default settings and a plugin (onFetch) that signs each
  subgraph request as an auditor; the same stripped supergraph.

Notes:
- Hive Gateway deduplicates identical subgraph requests that are in flight at the same time (its HTTP executor's
  \`deduplicateInflightRequests\`, on by default): when several connections send the same operation, or operations that
  fetch the same roster, one subgraph request serves them all. This is why its SQL/op and subgraph req/op can be far
  below one plan's worth (flagship: every connection sends the same document) and its overhead negative.
- The load generator, the target, the four subgraphs and PostgreSQL share the machine's ${report.machine.cores} cores. Where a workload
  saturates them, its latencies are mostly queueing (latency ≈ ${report.load.connections} connections ÷ req/s), and the critical
  path is bounded by the same subgraphs and PostgreSQL.
${skipped.length ? `\nNot measured:\n${skipped.join('\n')}\n` : ''}
Goals for our gateway:

| goal | measured | met |
|---|---|---|
${goalLines.join('\n')}

Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; ${m.os}; Node ${m.node}; ${m.postgres} (local, default settings).
`;
}

interface Report {
  scale: ScaleName;
  quick: boolean;
  command: string;
  measuredAt: string;
  seconds: { setup: number; total: number };
  machine: Machine;
  data: { seed: number; units: number; people: number; rows: number; seedSeconds: number };
  load: { connections: number; warmup: number; duration: number; tool: string };
  results: WorkloadResult[];
  goals: Goal[];
}

/** The load generator for one window, in its own process; its result. onEvent sees each event line as it comes. */
async function runLoad(config: LoadConfig, label: string, onEvent: (event: { event?: string } & Record<string, unknown>) => void = () => undefined): Promise<LoadResult> {
  const loader = spawnTs(join(ROOT, 'bench', 'load.ts'), { BENCH_LOAD: JSON.stringify(config) }, label);
  let buffered = '';
  let result: LoadResult | null = null;
  loader.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        const event = JSON.parse(line) as { event?: string } & Record<string, unknown>;
        onEvent(event);
        if (event.event === 'result') {
          const { event: _e, ...rest } = event;
          result = rest as unknown as LoadResult;
        }
      } catch {
        // not an event line
      }
    }
  });
  const exitCode = await new Promise<number | null>((r) => loader.once('exit', (code) => r(code)));
  if (exitCode !== 0 || !result) throw new Error(`the load generator failed (exit ${exitCode}):\n${logTail(label)}`);
  return result;
}

// ---- main ------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = performance.now();
  const options = parseOptions(process.argv.slice(2));
  // Progress: every line says how many target measurements are done, with a bar and the time left.
  const progress = { done: 0, total: 0, measuringSince: 0 };
  const progressText = () => {
    if (progress.total === 0) return '';
    const filled = Math.round((12 * progress.done) / progress.total);
    const elapsed = (performance.now() - progress.measuringSince) / 1000;
    const left = progress.done > 0 ? Math.round((elapsed / progress.done) * (progress.total - progress.done)) : null;
    return ` ${'█'.repeat(filled)}${'░'.repeat(12 - filled)} ${progress.done}/${progress.total} measured${left === null ? '' : `, ~${left >= 90 ? `${Math.round(left / 60)} min` : `${left} s`} left`}`;
  };
  const log = (s: string) => console.error(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s${progressText()}] ${s}`);
  const tmp = join(options.out, 'tmp', `gateway-${options.scale}-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  logDir = tmp;
  if (options.targets.includes('hive') && !existsSync(HIVE_BIN)) throw new Error(`Hive Gateway is not installed (${relative(ROOT, HIVE_BIN)}): run npm ci`);
  const m = await machine(options.server);
  log(`${m.cpu}, ${m.cores} cores; Node ${m.node}; ${m.postgres} at ${redactUrl(options.server)}; logs in ${relative(ROOT, tmp)}`);

  // 1. Databases, migrated and loaded.
  const dbNames = { staffing: 'gwbench_staffing', finance: 'gwbench_finance', hr: 'gwbench_hr', audit: 'gwbench_audit', accesslog: 'gwbench_accesslog' } as const;
  const urls = {} as Record<keyof typeof dbNames, string>;
  const dropAll = async () => {
    for (const name of Object.values(dbNames)) await dropPostgresDatabase(options.server, name).catch(() => undefined);
  };
  cleanups.push(dropAll);
  for (const [key, name] of Object.entries(dbNames) as [keyof typeof dbNames, string][]) urls[key] = await createPostgresDatabase(options.server, name);
  const dbs = {} as Record<SubgraphName, Database>;
  for (const n of SUBGRAPH_NAMES) {
    dbs[n] = openPostgres(urls[n], { max: 4 });
    await migrate(dbs[n], migrationsPath(n));
  }
  const logDb = openPostgres(urls.accesslog, { max: 1 });
  await migrate(logDb, ACCESS_LOG_MIGRATIONS);
  await logDb.close();
  // The subgraph processes start (one signing key) while the data goes in.
  const signingKey = randomSigningKey();
  log('starting the four subgraphs, one process each ...');
  const starting = Promise.allSettled(SUBGRAPH_NAMES.map((n) => startSubgraph(n, urls[n], signingKey)));
  cleanups.unshift(async () => {
    for (const r of await starting) if (r.status === 'fulfilled') await stopChild(r.value.child);
  });
  const generate = { seed: options.seed, ...SCALES[options.scale] };
  log(`seeding ${options.scale} (${planDistricts(generate).length} district(s)) with the streamed COPY seeder ...`);
  const seeded = await seedStreaming(generate, dbs);
  log(`seeded ${seeded.result.rows.toLocaleString('en-US')} rows in ${seeded.result.seconds.total.toFixed(1)} s`);
  const unitCodes = (await dbs.staffing.query<{ code: string }>(`SELECT code FROM unit WHERE district_code = $1 ORDER BY md5(code) LIMIT $2`, [DISTRICT, options.quick ? 5 : 20])).map((r) => r.code.trim());
  await Promise.all(Object.values(dbs).map((db) => db.close()));
  const subgraphs: SubgraphProcess[] = [];
  for (const r of await starting) {
    if (r.status === 'rejected') throw r.reason;
    subgraphs.push(r.value);
  }
  const subgraphUrls = Object.fromEntries(subgraphs.map((s) => [s.name, s.url])) as Record<SubgraphName, string>;
  // The stripped supergraph (for stock @apollo/gateway and Hive Gateway) with the subgraphs' URLs.
  let stripped = withoutSecurityFeatures(readFileSync(SUPERGRAPH_PATH, 'utf8'));
  for (const n of SUBGRAPH_NAMES) {
    const before = stripped;
    stripped = stripped.replace(new RegExp(`(@join__graph\\(name: "${n}", url: ")[^"]*(")`), `$1${subgraphUrls[n]}$2`);
    if (stripped === before) throw new Error(`no @join__graph for ${n} in the supergraph`);
  }
  const strippedPath = join(tmp, 'supergraph-stripped.graphql');
  await writeFile(strippedPath, stripped);

  // Tokens: HS256, an auditor.
  const secret = randomBytes(32).toString('hex');
  const token = await new SignJWT({ role: 'AUDITOR' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench:auditor')
    .setIssuer(DEFAULT_ISSUER)
    .setAudience(DEFAULT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('12h')
    .sign(new TextEncoder().encode(secret));
  const auth = { authorization: `Bearer ${token}` };

  // 3. Record the subgraph requests of each distinct workload request through our gateway.
  const workloads: Workload[] = [dashboardMix(unitCodes), flagship(), adhoc()].filter((w) => options.workloads.includes(w.name));
  log('recording the subgraph requests of each workload request through our gateway ...');
  const fetchLog: LoggedFetch[] = [];
  const proxies = await Promise.all(SUBGRAPH_NAMES.map((n) => recordingProxy(n, subgraphUrls[n], fetchLog)));
  const supergraph = Supergraph.build(withoutSecurityFeatures(readFileSync(SUPERGRAPH_PATH, 'utf8')));
  const planner = new QueryPlanner(supergraph);
  const api = supergraph.apiSchema();
  let recorder: RunningServer | null = null;
  const files = { bodies: new SpanWriter(join(tmp, 'bodies.bin'), true), responses: new SpanWriter(join(tmp, 'responses.bin'), false) };
  const plans: Recordings['plans'] = {};
  const reference = new Map<string, unknown>();
  try {
    recorder = await startGateway({
      subgraphUrls: Object.fromEntries(SUBGRAPH_NAMES.map((n, i) => [n, proxies[i]!.url])) as Record<SubgraphName, string>,
      port: 0,
      signingKey,
      auth: { hs256Secret: new TextEncoder().encode(secret), issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE },
      accessLog: null,
      limits: { ...DEFAULT_LIMITS, ratePerMinute: 10_000_000 },
    });
    for (const w of workloads) {
      for (const r of w.requests) {
        if (plans[r.key]) continue;
        fetchLog.length = 0;
        const answer = await post(recorder.url, r.body, auth);
        if (answer.status !== 200 || answer.errors?.length || answer.data == null) {
          throw new Error(`our gateway could not answer ${r.key} (HTTP ${answer.status}): ${JSON.stringify(answer.errors ?? answer).slice(0, 400)}`);
        }
        // Recorded through the proxies, which log the subgraphs' own URLs for the replay.
        plans[r.key] = { plan: replayPlan(planner, api, JSON.parse(r.body) as { query: string; operationName?: string }, fetchLog, files), answer: JSON.stringify({ data: answer.data }) };
        reference.set(r.key, answer.data);
      }
    }
  } finally {
    await recorder?.stop();
    await Promise.all(proxies.map((p) => p.close()));
    files.bodies.close();
    files.responses.close();
  }
  fetchLog.length = 0;
  const recordingsPath = join(tmp, 'recordings.json');
  await writeFile(recordingsPath, JSON.stringify({ bodyFile: files.bodies.path, responseFile: files.responses.path, plans } satisfies Recordings));
  const setupSeconds = (performance.now() - started) / 1000;
  log(`recorded ${Object.keys(plans).length} distinct requests (${files.bodies.distinct} distinct subgraph request bodies); setup took ${setupSeconds.toFixed(0)} s`);

  // 4. Each workload, each target in turn.
  const startTarget = async (target: TargetName, port: number, label: string): Promise<ChildProcess> => {
    const keyHex = signingKey.toString('hex');
    switch (target) {
      case 'critical':
        return spawnTs(join(ROOT, 'bench', 'targets', 'critical-path.ts'), { BENCH_TARGET: JSON.stringify({ port, recordings: recordingsPath, signingKey: keyHex }) }, label);
      case 'apollo':
        return spawnTs(join(ROOT, 'bench', 'targets', 'apollo.ts'), { BENCH_TARGET: JSON.stringify({ port, supergraphPath: strippedPath, signingKey: keyHex }) }, label);
      case 'ours':
      case 'uncached':
        return spawnTs(
          join(ROOT, 'bench', 'targets', 'ours.ts'),
          {
            BENCH_TARGET: JSON.stringify({
              port,
              supergraphPath: SUPERGRAPH_PATH,
              subgraphUrls,
              signingKey: keyHex,
              hs256Secret: secret,
              issuer: DEFAULT_ISSUER,
              audience: DEFAULT_AUDIENCE,
              accessLogUrl: urls.accesslog,
              keptAnswers: target === 'ours',
            }),
          },
          label,
        );
      case 'hive':
        return spawnLogged(
          process.execPath,
          [HIVE_BIN, 'supergraph', strippedPath, '--host', '127.0.0.1', '--port', String(port), '-c', join(ROOT, 'bench', 'targets', 'hive.config.ts')],
          { SUBGRAPH_SIGNING_KEY: keyHex },
          label,
        );
    }
  };

  const results: WorkloadResult[] = [];
  progress.total = workloads.length * options.targets.length;
  progress.measuringSince = performance.now();
  for (const w of workloads) {
    const workloadPath = join(tmp, `workload-${w.name}.json`);
    await writeFile(workloadPath, JSON.stringify(w));
    const keys = [...new Set(w.requests.map((r) => r.key))];
    // Answers checked: every distinct request; with --quick the first of each operation.
    const distinct = w.requests.filter((x, i, all) => all.findIndex((y) => y.key === x.key) === i);
    const checked = options.quick ? distinct.filter((x, i, all) => all.findIndex((y) => y.operation === x.operation) === i) : distinct;
    const perRequest = w.requests.map((r) => planShape(plans[r.key]!.plan));
    const wr: WorkloadResult = {
      workload: w.name,
      title: w.title,
      description: w.description,
      distinctRequests: w.adhoc ? null : keys.length,
      plan: {
        fetches: r2(perRequest.reduce((s, p) => s + p.fetches, 0) / perRequest.length),
        steps: r2(perRequest.reduce((s, p) => s + p.steps, 0) / perRequest.length),
      },
      targets: [],
    };
    results.push(wr);
    for (const target of options.targets) {
      const label = `${w.name}-${target}`;
      const result: TargetResult = { target, title: TARGET_TITLES[target] };
      wr.targets.push(result);
      let child: ChildProcess | null = null;
      // A gateway measured at low load takes turns with a critical path of its own (its twin), started
      // together with the gateway and idle until then: one start-up less to wait for per target.
      const withTwin = lowLoadTargets(options.quick).includes(target) && target !== 'critical';
      let twin: { port: number; child: ChildProcess; label: string } | null = null;
      try {
        const [port, twinPort] = (await freePorts(2)) as [number, number];
        const url = `http://127.0.0.1:${port}/graphql`;
        const t0 = performance.now();
        child = await startTarget(target, port, label);
        if (withTwin) twin = { port: twinPort, label: `${label}-low-critical`, child: await startTarget('critical', twinPort, `${label}-low-critical`) };
        await waitForPort(port, child, label);
        const t1 = performance.now();
        const pid = child.pid!;
        // Correctness, once: every distinct request of the workload.
        const detail: string[] = [];
        for (const r of checked) {
          if (target === 'critical') {
            const check = (await post(url, r.body, { ...auth, 'x-bench-key': r.key, 'x-bench-verify': '1' })) as GraphQLAnswer & { differences?: string[] };
            if (check.status !== 200 || check.differences === undefined) detail.push(`${r.key}: HTTP ${check.status} ${JSON.stringify(check.errors ?? '').slice(0, 200)}`);
            else detail.push(...check.differences.map((d) => `${r.key}: ${d}`));
            continue;
          }
          const answer = await post(url, r.body, { ...auth, 'x-bench-key': r.key });
          if (answer.status !== 200 || answer.errors?.length) {
            detail.push(`${r.key}: HTTP ${answer.status}, ${JSON.stringify(answer.errors ?? []).slice(0, 300)}`);
            continue;
          }
          const diff = firstDifference(answer.data, reference.get(r.key));
          if (diff) detail.push(`${r.key}: ${diff}`);
        }
        result.correct = { ok: detail.length === 0, checked: checked.length, detail };
        log(
          `${w.title} · ${TARGET_TITLES[target]}: listening after ${((t1 - t0) / 1000).toFixed(1)} s; ${checked.length} answer${checked.length > 1 ? 's' : ''} checked in ${((performance.now() - t1) / 1000).toFixed(1)} s` +
            (detail.length ? `: ${detail.length} DIFFER: ${detail.slice(0, 3).join('; ')}` : ': as ours'),
        );

        // Load: warm-up, then the measured window.
        const loadConfig: LoadConfig = { url, token, connections: options.connections, warmup: options.warmup, duration: options.duration, workload: workloadPath, timeout: 60 };
        // Counters and CPU time at the start and the end of the measured window: in the steady state their
        // differences divided by the responses in the window are the work per operation.
        let before: { counters: Counters; cpu: number } | null = null;
        let after: { counters: Counters; cpu: number } | null = null;
        const pending: Promise<void>[] = [];
        const snapshot = () => {
          const cpu = cpuMsOf(pid);
          return countersOf(subgraphs).then((counters) => ({ counters, cpu }));
        };
        const loadResult = await runLoad(loadConfig, `${label}-load`, (event) => {
          if (event.event === 'measure') {
            pending.push(snapshot().then((s) => void (before = s)));
            log(`${w.title} · ${TARGET_TITLES[target]}: ${event.warmupResponses} responses in the warm-up; measuring ${options.duration} s ...`);
          } else if (event.event === 'end') {
            pending.push(snapshot().then((s) => void (after = s)));
          }
        });
        await Promise.all(pending);
        const memory = memoryOf(pid);
        if (!before || !after) throw new Error(`the load generator reported no measured window:\n${logTail(`${label}-load`)}`);
        const lr = loadResult as LoadResult;
        const b = before as { counters: Counters; cpu: number };
        const a = after as { counters: Counters; cpu: number };
        const per = (delta: (n: SubgraphName) => number) => {
          const values = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, r2(delta(n) / Math.max(lr.ok, 1))])) as Record<SubgraphName, number>;
          return { ...values, total: r2(SUBGRAPH_NAMES.reduce((s, n) => s + delta(n), 0) / Math.max(lr.ok, 1)) };
        };
        const sqlTotal = SUBGRAPH_NAMES.reduce((s, n) => s + a.counters.sql[n] - b.counters.sql[n], 0);
        const requestsTotal = SUBGRAPH_NAMES.reduce((s, n) => s + a.counters.requests[n] - b.counters.requests[n], 0);
        Object.assign(result, {
          load: lr,
          requestsPerSecond: lr.requestsPerSecond,
          latency: lr.latency,
          peakRssMb: memory ? Math.round(memory.hwm) : undefined,
          cpuMsPerOp: r2((a.cpu - b.cpu) / Math.max(lr.ok, 1)),
          sqlPerOp: per((n) => a.counters.sql[n] - b.counters.sql[n]),
          subgraphRequestsPerOp: per((n) => a.counters.requests[n] - b.counters.requests[n]),
          sqlPerSubgraphRequest: r2(sqlTotal / Math.max(requestsTotal, 1)),
        } satisfies Partial<TargetResult>);
        const failed = lr.non2xx + lr.graphqlErrors + lr.connectionErrors + lr.timeouts;
        log(
          `${w.title} · ${TARGET_TITLES[target]}: ${lr.requestsPerSecond} req/s, p50 ${lr.latency.p50} ms, p95 ${lr.latency.p95} ms, p99 ${lr.latency.p99} ms, ` +
            `peak RSS ${result.peakRssMb} MB${failed ? `; ${failed} FAILED (${lr.firstError})` : ''}`,
        );
        // Low load: one connection, nothing queued, so latency is the work of one request.
        // A gateway's window has a critical path of its own alongside, the two taking turns request by
        // request, so that the overhead compares them under the same conditions of the machine.
        if (lowLoadTargets(options.quick).includes(target)) {
          const lowWindow = { ...loadConfig, connections: 1, sequential: true, warmup: options.quick ? 0.5 : 2, duration: options.quick ? 2 : 8 };
          if (target === 'critical') {
            const low = await runLoad(lowWindow, `${label}-low`);
            result.lowLoad = { ok: low.ok, p50: low.latency.p50, p95: low.latency.p95 };
            log(`${w.title} · ${TARGET_TITLES[target]} at 1 connection: p50 ${low.latency.p50} ms, p95 ${low.latency.p95} ms (${low.ok} responses)`);
          } else if (twin) {
            await waitForPort(twin.port, twin.child, twin.label);
            const low = await runLoad({ ...lowWindow, alongside: `http://127.0.0.1:${twin.port}/graphql` }, `${label}-low`);
            const c = low.alongside!;
            result.lowLoad = { ok: low.ok, p50: low.latency.p50, p95: low.latency.p95 };
            result.lowLoadCritical = { ok: c.ok, p50: c.latency.p50, p95: c.latency.p95 };
            const cFailed = c.non2xx + c.graphqlErrors + c.connectionErrors + c.timeouts;
            log(
              `${w.title} · ${TARGET_TITLES[target]} at 1 connection: p50 ${low.latency.p50} ms, p95 ${low.latency.p95} ms (${low.ok} responses); ` +
                `critical path alongside: p50 ${c.latency.p50} ms (${c.ok} responses${cFailed ? `; ${cFailed} FAILED (${c.firstError})` : ''})`,
            );
          }
        }
      } catch (err) {
        result.error = (err as Error).message;
        log(`${w.title} · ${TARGET_TITLES[target]}: NOT MEASURED: ${result.error}`);
      } finally {
        // Measured: no need for a graceful stop (it would wait for the requests under way). Then the
        // subgraphs finish what they were asked before the next target starts.
        if (twin) await stopChild(twin.child, 0);
        if (child) await stopChild(child, process.env.BENCH_CPU_PROFILE ? 5000 : 0);
        progress.done++;
        await settledCounters(subgraphs).catch(() => undefined);
      }
    }
    const critical = wr.targets.find((t) => t.target === 'critical' && !t.error);
    for (const t of wr.targets) {
      if (t.error || t.target === 'critical' || !critical?.load?.ok || !t.load?.ok || !critical.latency || !t.latency) continue;
      t.overhead = { p50: r2(t.latency.p50 - critical.latency.p50), p95: r2(t.latency.p95 - critical.latency.p95) };
      const c = t.lowLoadCritical;
      if (t.lowLoad && c) t.lowLoadOverhead = { p50: r2(t.lowLoad.p50 - c.p50), p95: r2(t.lowLoad.p95 - c.p95) };
    }
  }
  addRatios(results);

  // 5. Report.
  const report: Report = {
    scale: options.scale,
    quick: options.quick,
    command: options.command,
    measuredAt: new Date().toISOString(),
    seconds: { setup: r2(setupSeconds), total: r2((performance.now() - started) / 1000) },
    machine: m,
    data: { seed: options.seed, units: seeded.manifest.counts.units, people: seeded.manifest.counts.people, rows: seeded.result.rows, seedSeconds: seeded.result.seconds.total },
    load: { connections: options.connections, warmup: options.warmup, duration: options.duration, tool: 'autocannon 9.0.0' },
    results,
    goals: goals(results, options.scale, options.connections),
  };
  await mkdir(options.out, { recursive: true });
  const base = join(options.out, `gateway-${options.scale}`);
  await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  const md = markdown(report);
  await writeFile(`${base}.md`, md);
  console.log(`\n${md}`);
  log(`wrote ${relative(ROOT, base)}.md and .json`);

  for (const s of subgraphs) await stopChild(s.child);
  await dropAll();
  // The recordings are hundreds of megabytes; the processes' logs stay (bench/results/tmp is not committed).
  for (const f of [files.bodies.path, files.responses.path, recordingsPath]) rmSync(f, { force: true });
  log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().catch(async (err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`bench: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  killAll();
  await Promise.allSettled(cleanups.map((c) => c()));
  process.exit(1);
});
