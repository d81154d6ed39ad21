// A new supergraph file is served without a restart and without failing requests in flight, its access
// rules switching with its schema; a file the gateway cannot serve is refused and the last good one kept.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { startTestFederation, type GraphQLResponse, type TestFederation } from './support/federation.ts';
import { SUPERGRAPH_PATH, composeSupergraph } from '../lib/supergraph.ts';
import { sdlPath } from '../lib/subgraph.ts';
import { sha256 } from '../gateway/supergraph-source.ts';
import type { RunningGateway } from '../gateway/server.ts';
import type { Role } from '../lib/auth/identity.ts';

// Everything but the field the new supergraph puts behind a scope.
const LOAD = `query($c: String!, $m: Month!) { unit(code: $c) { name registeredHeadcount(month: $m) contracts(activeIn: $m) { id } openLeads { id } } }`;
const PAYROLL = `query($c: String!, $m: Month!) { unit(code: $c) { name payrollTotal(month: $m) { people } } }`;

const original = readFileSync(SUPERGRAPH_PATH, 'utf8');
/** The same graph with finance's payroll totals behind a scope nobody has. */
const hidden = composeSupergraph((name) =>
  readFileSync(sdlPath(name as never), 'utf8').replace(
    /\n(  payrollTotal\(month: Month!\): PayrollTotal)\n/,
    '\n$1 @requiresScopes(scopes: [["reload:hidden"]])\n',
  ),
);

let data: GeneratedData;
let fed: TestFederation;
let gateway: RunningGateway;
let dir: string;
let file: string;
let vars: { c: string; m: string };
const logs: string[] = [];
/** Requests of the load sent and not yet answered. */
let inFlight = 0;
let inFlightAtSwap: number | undefined;

beforeAll(async () => {
  expect(hidden).not.toBe(original);
  data = generate({ seed: 11, units: 40, people: 400, plantedUnits: 6 });
  fed = await startTestFederation(data);
  dir = mkdtempSync(join(tmpdir(), 'supergraph-'));
  file = join(dir, 'supergraph.graphql');
  writeFileSync(file, original);
  const record = (line: string) => {
    logs.push(line);
    if (line.includes(' reloaded: ')) inFlightAtSwap ??= inFlight;
  };
  gateway = await fed.startGateway({ supergraphPath: file, logger: { info: record, warn: record, error: record } });
  const unit = data.manifest.unreportedStaff.units.find((u) => u.openLeadIds.length > 0)!;
  vars = { c: unit.code, m: data.manifest.month };
});

afterAll(async () => {
  await fed?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** As deployments do: the new file appears whole (rename), never half-written. */
function install(text: string) {
  writeFileSync(`${file}.next`, text);
  renameSync(`${file}.next`, file);
}

async function until(done: () => boolean | Promise<boolean>, attempts = 400): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    if (await done()) return;
    await sleep(25);
  }
  throw new Error(`not reached; log:\n${logs.join('\n')}`);
}

const query = (role: Role, text: string) => fed.queryAt(gateway.url, role, text, vars);
const served = async () => ((await (await fetch(gateway.url.replace('/graphql', '/ready'))).json()) as { supergraph: { hash: string } }).supergraph.hash;

describe('supergraph hot reload', () => {
  it('serves a new supergraph under load with no failed request, its access rules switching with it', async () => {
    const roles: Role[] = ['AUDITOR', 'ANALYST', 'HR_OFFICER'];
    const baseline = new Map<Role, string>();
    for (const role of roles) {
      const res = await query(role, LOAD);
      expect(res.errors).toBeUndefined();
      baseline.set(role, JSON.stringify(res.data));
    }
    const before = await query('AUDITOR', PAYROLL);
    expect(before.errors).toBeUndefined();
    expect(before.data!.unit.payrollTotal.people).toBeGreaterThan(0);
    expect(await served()).toBe(sha256(original));

    const failed: { role: Role; res: GraphQLResponse }[] = [];
    let answered = 0;
    let running = true;
    const worker = async (role: Role) => {
      while (running) {
        inFlight++;
        const res = await query(role, LOAD);
        inFlight--;
        answered++;
        if (res.status !== 200 || JSON.stringify(res.data) !== baseline.get(role) || res.errors) failed.push({ role, res });
      }
    };
    const workers = roles.flatMap((role) => [worker(role), worker(role)]);
    try {
      await until(() => answered >= 20);
      install(hidden);
      await until(() => inFlightAtSwap !== undefined);
      const atSwap = answered;
      await until(() => answered >= atSwap + 30);
    } finally {
      running = false;
      await Promise.all(workers);
    }
    expect(failed).toEqual([]);
    // The swap happened while requests were on their way.
    expect(inFlightAtSwap).toBeGreaterThan(0);
    expect(await served()).toBe(sha256(hidden));
    const after = await query('AUDITOR', PAYROLL);
    // The denied field is cut out of the query (gateway/authorize.ts), the rest answered.
    expect(after.data!.unit).toEqual({ name: before.data!.unit.name });
    expect(after.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', rule: 'requiresScopes:reload:hidden', field: 'Unit.payrollTotal' });
  }, 60_000);

  it('refuses a supergraph it cannot serve, with a log line, and keeps serving the last good one', async () => {
    expect(await served()).toBe(sha256(hidden));
    const broken: [string, string, RegExp][] = [
      ['half-written', hidden.slice(0, hidden.length / 2), /Syntax Error/],
      ['a subgraph schema, not a supergraph', readFileSync(sdlPath('finance'), 'utf8'), /not a valid GraphQL schema/],
      ['a type it names missing', hidden.replace('\ntype PayrollTotal\n', '\ntype PayrollTotals\n'), /Unknown type PayrollTotal/],
      [
        'composed without a field a trusted operation uses',
        composeSupergraph((name) =>
          readFileSync(sdlPath(name as never), 'utf8').replace(/\n  "Number of people with an active registry record[^\n]*\n  registeredHeadcount\(month: Month!\): Int!/, ''),
        ),
        /trusted operation UnitProfile does not validate: Cannot query field "registeredHeadcount"/,
      ],
    ];
    const expected = JSON.stringify((await query('AUDITOR', LOAD)).data);
    for (const [what, text, reason] of broken) {
      install(text);
      const hash = sha256(text).slice(0, 12);
      await until(() => logs.some((l) => l.includes(`(sha256 ${hash}) refused: `)));
      const line = logs.find((l) => l.includes(`(sha256 ${hash}) refused: `))!;
      expect([what, reason.test(line)]).toEqual([what, true]);
      expect(line).toContain(`still serving ${sha256(hidden).slice(0, 12)}`);
      expect(await served()).toBe(sha256(hidden));
      const res = await query('AUDITOR', LOAD);
      expect([what, res.errors, JSON.stringify(res.data)]).toEqual([what, undefined, expected]);
      // The old supergraph's rules too.
      expect((await query('AUDITOR', PAYROLL)).errors?.[0]?.extensions?.rule).toBe('requiresScopes:reload:hidden');
    }

    install(original);
    await until(async () => (await served()) === sha256(original));
    const back = await query('AUDITOR', PAYROLL);
    expect(back.errors).toBeUndefined();
    expect(back.data!.unit.payrollTotal.people).toBeGreaterThan(0);
  }, 60_000);
});
