// The load generator of `npm run bench`, in a process of its own: autocannon at a fixed number of
// connections for warm-up + duration seconds without a pause; only responses that arrive after the
// warm-up count (so the measured window sees the steady state, requests under way included). Run by bench/run.ts as
// `node --import tsx bench/load.ts` with BENCH_LOAD = {"url", "token", "connections", "warmup",
// "duration" (seconds), "workload" (file with the Workload as JSON), "timeout" (seconds)}.
// With "sequential" (low load) it sends one request at a time itself, alternating with "alongside" when
// given (see LoadConfig). Writes one JSON line per event to stdout: {"event": "measure", "warmupResponses"} when the measured
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
  /**
   * Low load: one request at a time, in a loop (no autocannon). With `alongside`, every other request
   * goes there instead (the critical path), in the order A B B A ..., so that both are measured under
   * the same conditions of the machine; its figures come back as `alongside` in the result.
   */
  sequential?: boolean;
  alongside?: string;
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
  /** The `alongside` target's figures from the same window (sequential mode). */
  alongside?: LoadResult;
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

/** What one target received in the measured window. */
class Tally {
  latencies: number[] = [];
  non2xx = 0;
  graphqlErrors = 0;
  connectionErrors = 0;
  timeouts = 0;
  bytes = 0;
  firstError: string | null = null;

  result(seconds: number): LoadResult {
    const sorted = Float64Array.from(this.latencies).sort();
    const n = sorted.length;
    const ok = n - this.non2xx - this.graphqlErrors;
    return {
      seconds: round(seconds),
      ok,
      non2xx: this.non2xx,
      graphqlErrors: this.graphqlErrors,
      connectionErrors: this.connectionErrors,
      timeouts: this.timeouts,
      firstError: this.firstError,
      requestsPerSecond: round(ok / seconds),
      latency: {
        mean: round(n ? sorted.reduce((a, b) => a + b, 0) / n : NaN),
        p50: round(percentile(sorted, 50)),
        p90: round(percentile(sorted, 90)),
        p95: round(percentile(sorted, 95)),
        p99: round(percentile(sorted, 99)),
        max: round(sorted[n - 1] ?? NaN),
      },
      responseBytes: this.bytes,
    };
  }
}

const baseHeaders = { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${config.token}` };

/**
 * The workload's request number `index`; for the ad-hoc workload a document no gateway has seen (alias
 * names and field order of its own, numbered `fresh`), and x-bench-fresh, with which the critical path
 * renames the recorded subgraph operations, so that they are new documents to the subgraphs too.
 */
function requestAt(index: number, fresh: number, salt: string): { headers: Record<string, string>; body: string } {
  if (workload.adhoc) {
    return { headers: { ...baseHeaders, 'x-bench-key': workload.requests[0]!.key, 'x-bench-fresh': `${salt}${fresh}` }, body: adhocBody(fresh, salt) };
  }
  const r = workload.requests[index % workload.requests.length]!;
  return { headers: { ...baseHeaders, 'x-bench-key': r.key }, body: r.body };
}

async function run(warmup: number, seconds: number): Promise<LoadResult> {
  const salt = randomBytes(3).toString('hex');
  let next = 0;
  const tally = new Tally();
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
    headers: baseHeaders,
    requests: [
      {
        setupRequest: (req) => {
          const i = next++;
          return { ...req, ...requestAt(i, i, salt) };
        },
        onResponse: (status, body) => {
          if (performance.now() < measureFrom) return;
          if (status >= 200 && status < 300 && body.includes('"errors":')) {
            tally.graphqlErrors++;
            tally.firstError ??= `HTTP ${status}: ${body.slice(0, 300)}`;
          } else if (status < 200 || status >= 300) {
            tally.firstError ??= `HTTP ${status}: ${body.slice(0, 300)}`;
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
    tally.latencies.push(responseTime);
    tally.bytes += resBytes;
    if (statusCode < 200 || statusCode >= 300) tally.non2xx++;
  });
  instance.on('reqError', (err: Error) => {
    if (performance.now() < measureFrom) return;
    if (err.message === 'request timed out') tally.timeouts++;
    else tally.connectionErrors++;
    tally.firstError ??= `request error: ${err.message}`;
  });
  await done;
  emit({ event: 'end' });
  return tally.result((performance.now() - Math.min(measureFrom, performance.now())) / 1000);
}

/** One request at a time over a keep-alive connection per target, as `run` sends them. */
async function runSequential(warmup: number, seconds: number, urls: string[]): Promise<LoadResult> {
  const { Pool } = await import('undici');
  const salt = randomBytes(3).toString('hex');
  const pools = urls.map((u) => new Pool(new URL(u).origin, { connections: 1, pipelining: 1 }));
  const tallies = urls.map(() => new Tally());
  let next = 0;
  const start = performance.now();
  const measureFrom = start + warmup * 1000;
  const end = measureFrom + seconds * 1000;
  let measuring = false;
  for (let round = 0; performance.now() < end; round++) {
    if (!measuring && performance.now() >= measureFrom) {
      measuring = true;
      emit({ event: 'measure', warmupResponses: next });
    }
    // A B, then B A: neither target always goes first after the other's request.
    const order = round % 2 === 0 ? urls.map((_, i) => i) : urls.map((_, i) => i).reverse();
    for (const k of order) {
      // Both targets get the same request of the workload in a round (an ad-hoc document new to each).
      const { headers: requestHeaders, body } = requestAt(round, next++, salt);
      const tally = tallies[k]!;
      const t0 = performance.now();
      try {
        const res = await pools[k]!.request({ path: new URL(urls[k]!).pathname, method: 'POST', headers: requestHeaders, body, headersTimeout: config!.timeout * 1000, bodyTimeout: config!.timeout * 1000 });
        const text = await res.body.text();
        const ms = performance.now() - t0;
        if (!measuring) continue;
        tally.latencies.push(ms);
        tally.bytes += text.length;
        if (res.statusCode < 200 || res.statusCode >= 300) {
          tally.non2xx++;
          tally.firstError ??= `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
        } else if (text.includes('"errors":')) {
          tally.graphqlErrors++;
          tally.firstError ??= `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
        }
      } catch (err) {
        if (!measuring) continue;
        if ((err as { code?: string }).code?.endsWith('TIMEOUT')) tally.timeouts++;
        else tally.connectionErrors++;
        tally.firstError ??= `request error: ${(err as Error).message}`;
      }
    }
  }
  emit({ event: 'end' });
  await Promise.all(pools.map((p) => p.close()));
  const [own, alongside] = tallies.map((t) => t.result(seconds));
  return alongside ? { ...own!, alongside } : own!;
}

const result = config.sequential ? await runSequential(config.warmup, config.duration, [config.url, ...(config.alongside ? [config.alongside] : [])]) : await run(config.warmup, config.duration);
emit({ event: 'result', ...result });
