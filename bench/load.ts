// The load generator of `npm run bench`, in a process of its own: autocannon at a fixed number of
// connections for warm-up + duration seconds without a pause; only responses that arrive after the
// warm-up count (so the measured window sees the steady state, requests under way included). Run by bench/run.ts as
// `node --import tsx bench/load.ts` with BENCH_LOAD = {"url", "token", "connections", "warmup",
// "duration" (seconds), "workload" (file with the Workload as JSON), "timeout" (seconds)}.
// Writes one JSON line per event to stdout: {"event": "measure", "warmupResponses"} when the measured
// window starts, {"event": "end"} when it ends and {"event": "result", ...LoadResult} after that.
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { adhocBody, type Workload } from './workloads.ts';

export interface LoadConfig {
  url: string;
  token: string;
  connections: number;
  warmup: number;
  duration: number;
  workload: string;
  timeout: number;
}

export interface LoadResult {
  /** Seconds the measured window lasted. */
  seconds: number;
  /** Responses in the window: 2xx without GraphQL errors, and the rest. */
  ok: number;
  /** In the window: non-2xx responses, 2xx with "errors", connection errors and timeouts. */
  non2xx: number;
  graphqlErrors: number;
  connectionErrors: number;
  timeouts: number;
  firstError: string | null;
  requestsPerSecond: number;
  /** Milliseconds, over every response in the window (ok or not). */
  latency: { mean: number; p50: number; p90: number; p95: number; p99: number; max: number };
  responseBytes: number;
}

const config = JSON.parse(process.env.BENCH_LOAD ?? 'null') as LoadConfig | null;
if (!config) {
  console.error('bench load: run by bench/run.ts (needs BENCH_LOAD)');
  process.exit(2);
}
const workload = JSON.parse(readFileSync(config.workload, 'utf8')) as Workload;
const emit = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

/** Percentile by the nearest-rank method over sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (x: number) => Math.round(x * 100) / 100;

async function run(warmup: number, seconds: number): Promise<LoadResult> {
  const salt = randomBytes(3).toString('hex');
  let next = 0;
  let latencies = new Float64Array(16_384);
  let n = 0;
  let graphqlErrors = 0;
  let non2xx = 0;
  let connectionErrors = 0;
  let timeouts = 0;
  let bytes = 0;
  let firstError: string | null = null;
  const headers = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${config!.token}` };
  let measureFrom = Infinity;
  let warm = 0;
  let finish!: (result: autocannon.Result) => void;
  let fail!: (err: unknown) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon({
    url: config!.url,
    connections: config!.connections,
    duration: warmup + seconds,
    timeout: config!.timeout,
    method: 'POST',
    headers,
    requests: [
      {
        setupRequest: (req) => {
          const i = next++;
          if (workload.adhoc) {
            // A document no gateway has seen: alias names and field order of its own.
            // x-bench-fresh: the critical path renames the recorded subgraph operations with it, so that they
            // are new documents to the subgraphs too, as a gateway's are.
            return { ...req, headers: { ...headers, 'x-bench-key': workload.requests[0]!.key, 'x-bench-fresh': `${salt}${i}` }, body: adhocBody(i, salt) };
          }
          const r = workload.requests[i % workload.requests.length]!;
          return { ...req, headers: { ...headers, 'x-bench-key': r.key }, body: r.body };
        },
        onResponse: (status, body) => {
          if (performance.now() < measureFrom) return;
          if (status >= 200 && status < 300 && body.includes('"errors":')) {
            graphqlErrors++;
            firstError ??= `HTTP ${status}: ${body.slice(0, 300)}`;
          } else if (status < 200 || status >= 300) {
            firstError ??= `HTTP ${status}: ${body.slice(0, 300)}`;
          }
        },
      },
    ],
  }, (err: unknown, result: autocannon.Result) => (err ? fail(err) : finish(result)));
  instance.on('start', () => {
    const t = performance.now();
    measureFrom = t + warmup * 1000;
    setTimeout(() => {
      emit({ event: 'measure', warmupResponses: warm });
    }, warmup * 1000);
  });
  instance.on('response', (_client, statusCode, resBytes, responseTime) => {
    if (performance.now() < measureFrom) {
      warm++;
      return;
    }
    if (n === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[n++] = responseTime;
    bytes += resBytes;
    if (statusCode < 200 || statusCode >= 300) non2xx++;
  });
  instance.on('reqError', (err: Error) => {
    if (performance.now() < measureFrom) return;
    if (err.message === 'request timed out') timeouts++;
    else connectionErrors++;
    firstError ??= `request error: ${err.message}`;
  });
  await done;
  emit({ event: 'end' });
  const elapsed = (performance.now() - Math.min(measureFrom, performance.now())) / 1000;
  const sorted = latencies.slice(0, n).sort();
  const sum = sorted.reduce((s, x) => s + x, 0);
  const ok = n - non2xx - graphqlErrors;
  return {
    seconds: round(elapsed),
    ok,
    non2xx,
    graphqlErrors,
    connectionErrors,
    timeouts,
    firstError,
    requestsPerSecond: round(ok / elapsed),
    latency: {
      mean: round(n ? sum / n : NaN),
      p50: round(percentile(sorted, 50)),
      p90: round(percentile(sorted, 90)),
      p95: round(percentile(sorted, 95)),
      p99: round(percentile(sorted, 99)),
      max: round(sorted[n - 1] ?? NaN),
    },
    responseBytes: bytes,
  };
}

const result = await run(config.warmup, config.duration);
emit({ event: 'result', ...result });
