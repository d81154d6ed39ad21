// The critical path, for `npm run bench`: the least any gateway could do. For each request it receives
// it sends straight to the subgraphs the subgraph requests our gateway made for the same operation
// (recorded once by bench/run.ts), signed with the key as a gateway signs them, in the order of the
// query plan: the steps of a Sequence one after the other, the branches of a Parallel at once. Requests
// that depended on earlier answers are replayed verbatim (the data does not change). Every answer is read
// whole, as a gateway must; the reply is our gateway's answer to the operation (recorded too), so the
// client gets as many bytes as from a gateway.
//
// The request names its recording in the x-bench-key header (bench/load.ts sends it); with
// x-bench-verify: 1 each subgraph's answer (data and errors) is compared with the recorded one and the
// differences returned. With x-bench-fresh (the ad-hoc workload) the recorded operations are renamed
// with it, so that every replay is a new document to the subgraphs, as each ad-hoc request is.
// `node --import tsx bench/targets/critical-path.ts` with BENCH_TARGET = {"port", "recordings" (file),
// "signingKey" (hex)}.
import http from 'node:http';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { identityOf } from '../../lib/auth/identity.ts';
import { SIGNATURE_HEADER, signRequest } from '../../lib/auth/signing.ts';
import { firstDifference } from '../compare.ts';
import { subgraphFetch } from '../../gateway/transport.ts';

/** Bytes in one of the recordings' binary files. */
export interface Span {
  offset: number;
  length: number;
}

/** One recorded subgraph request: its body (in bodyFile), and the answer it got (in responseFile). */
export interface RecordedFetch {
  subgraph: string;
  url: string;
  body: Span;
  status: number;
  response: Span;
}

/** The query plan with the recorded fetches at its leaves (fetches the gateway did not make left out). */
export type ReplayNode = { seq: ReplayNode[] } | { par: ReplayNode[] } | { fetch: RecordedFetch };

export interface Recordings {
  /** Request bodies, each distinct one once (the large roster bodies recur across operations). */
  bodyFile: string;
  /** Recorded subgraph answers, read only to verify. */
  responseFile: string;
  /** Per workload request key: the plan, and our gateway's answer (JSON text). */
  plans: Record<string, { plan: ReplayNode; answer: string }>;
}

interface Config {
  port: number;
  recordings: string;
  signingKey: string;
}

const config = JSON.parse(process.env.BENCH_TARGET ?? 'null') as Config | null;
if (!config) {
  console.error('bench: run by bench/run.ts (needs BENCH_TARGET)');
  process.exit(2);
}
const recordings = JSON.parse(readFileSync(config.recordings, 'utf8')) as Recordings;
const bodies = readFileSync(recordings.bodyFile);
const key = Buffer.from(config.signingKey, 'hex');
const identity = identityOf('bench:auditor', 'AUDITOR');

function recordedResponse(span: Span): string {
  const fd = openSync(recordings.responseFile, 'r');
  try {
    const buf = Buffer.alloc(span.length);
    readSync(fd, buf, 0, span.length, span.offset);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Data and errors of a subgraph answer (its extensions, e.g. the unmasked ID numbers in whatever order, aside). */
function payload(text: string): unknown {
  try {
    const { data, errors } = JSON.parse(text) as { data?: unknown; errors?: unknown };
    return { data, errors };
  } catch {
    return text;
  }
}

interface Replay {
  fetches: number;
  failed: boolean;
  differences: string[] | null;
}

/** The operation name in a recorded subgraph request body, per body. */
const operationNames = new Map<number, string | null>();

/**
 * The recorded body; with `fresh`, its operation renamed, so that the subgraph parses and validates it
 * as a new document, as it does for every ad-hoc document a gateway plans (the operation names in a
 * plan's subgraph requests derive from the client's).
 */
function bodyOf(f: RecordedFetch, fresh: string | undefined) {
  const body = bodies.subarray(f.body.offset, f.body.offset + f.body.length);
  if (!fresh) return body;
  let name = operationNames.get(f.body.offset);
  if (name === undefined) {
    name = (JSON.parse(body.toString('utf8')) as { operationName?: string }).operationName ?? null;
    operationNames.set(f.body.offset, name);
  }
  return name ? Buffer.from(body.toString('utf8').replaceAll(name, `${name}_${fresh}`)) : body;
}

async function run(node: ReplayNode, out: Replay, fresh: string | undefined): Promise<void> {
  if ('seq' in node) {
    for (const n of node.seq) await run(n, out, fresh);
  } else if ('par' in node) {
    await Promise.all(node.par.map((n) => run(n, out, fresh)));
  } else {
    const f = node.fetch;
    const body = bodyOf(f, fresh);
    // Over keep-alive undici pools, as our gateway sends (gateway/transport.ts): the fastest client here.
    const res = await subgraphFetch(f.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signRequest(key, body, identity) },
      body,
    });
    const text = await res.text();
    out.fetches++;
    if (res.status !== 200) out.failed = true;
    if (out.differences) {
      const d = res.status !== f.status ? `HTTP ${res.status}, recorded ${f.status}` : firstDifference(payload(text), payload(recordedResponse(f.response)));
      if (d) out.differences.push(`${f.subgraph}: ${d}`);
    }
  }
}

const server = http.createServer((req, res) => {
  // The body is not needed (the key names the recording), but it is read, as a gateway must.
  req.resume();
  req.on('end', () => {
    const name = req.headers['x-bench-key'];
    const recording = typeof name === 'string' ? recordings.plans[name] : undefined;
    if (!recording) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: `no recording for ${String(name)}` }] }));
      return;
    }
    const verify = req.headers['x-bench-verify'] === '1';
    const out: Replay = { fetches: 0, failed: false, differences: verify ? [] : null };
    const fresh = req.headers['x-bench-fresh'];
    run(recording.plan, out, typeof fresh === 'string' && /^[\w]+$/.test(fresh) ? fresh : undefined).then(
      () => {
        if (verify) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ fetches: out.fetches, differences: out.differences }));
        else res.writeHead(out.failed ? 502 : 200, { 'content-type': 'application/json' }).end(recording.answer);
      },
      (err: Error) => res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ message: err.message }] })),
    );
  });
});
server.keepAliveTimeout = 60_000;
server.listen(config.port, '127.0.0.1', () => console.log(`critical path on http://127.0.0.1:${config.port}/graphql`));
process.once('SIGTERM', () => process.exit(0));
