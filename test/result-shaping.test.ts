// The gateway's result shaping (gateway/result-shaping.ts) must answer exactly as @apollo/gateway's
// computeResponse does: the same data, in the same key order, and the same errors at the same paths.
// Every shaping of real answers (the named operations, and ad-hoc documents with aliases, repeated
// fields, fragments and @skip/@include) is captured through the gateway, then replayed through both,
// as it came and with the subgraph data corrupted (nulls, wrong leaf types, unknown __typename, missing
// fields), where Apollo's answer holds errors or throws.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { parse } from 'graphql';
import { operationNames, readOperation } from '../lib/operations.ts';
import { apolloComputeResponse, computeResponseFast, fastResultShapingInstalled, type ComputeResponseArgs } from '../gateway/result-shaping.ts';
import { postGraphQL, startTestFederation, type TestFederation } from './support/federation.ts';

const require = createRequire(import.meta.url);
const shaping = require('@apollo/gateway/dist/resultShaping.js') as { computeResponse: (args: ComputeResponseArgs) => unknown };

let data: GeneratedData;
let fed: TestFederation;
const captured: { name: string; args: ComputeResponseArgs }[] = [];
let capturing = '';

beforeAll(async () => {
  data = generate({ seed: 11, units: 40, people: 500 });
  fed = await startTestFederation(data, { responseCache: { enabled: false } });
  // Capture what the gateway shapes, around whatever is installed.
  const installed = shaping.computeResponse;
  shaping.computeResponse = (args) => {
    captured.push({ name: capturing, args });
    return installed(args);
  };
});
afterAll(async () => {
  await fed?.stop();
});

/** What a client would see: data (key order included) and errors by message, path and code. */
function outcome(run: () => { data: unknown; errors: { message: string; path?: unknown; extensions?: { code?: unknown } }[] }): string {
  try {
    const { data, errors } = run();
    return JSON.stringify({ data, errors: errors.map((e) => ({ message: e.message, path: e.path, code: e.extensions?.code })) });
  } catch (err) {
    return `threw ${(err as Error).message}`;
  }
}

const same = (args: ComputeResponseArgs) => [outcome(() => apolloComputeResponse(args) as never), outcome(() => computeResponseFast(args) as never)];

/** Every path to a value in a JSON tree. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = [...prefix, Array.isArray(value) ? Number(k) : k];
      out.push(p);
      paths(v, p, out);
    }
  }
  return out;
}

function corrupted(input: unknown, path: (string | number)[], change: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  const copy = structuredClone(input) as Record<string | number, unknown>;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  change(parent, path[path.length - 1]!);
  return copy;
}

const CHANGES: [string, (parent: Record<string | number, unknown>, key: string | number) => void][] = [
  ['null', (p, k) => void (p[k] = null)],
  ['missing', (p, k) => void delete p[k]],
  ['a number', (p, k) => void (p[k] = 1.5)],
  ['a string', (p, k) => void (p[k] = 'x')],
  ['a boolean', (p, k) => void (p[k] = true)],
  ['an object', (p, k) => void (p[k] = { __typename: 'Nope' })],
  ['a list', (p, k) => void (p[k] = [])],
];

const month = () => data.manifest.month;
const variables = () => {
  const code = data.manifest.unreportedStaff.units[0]!.code;
  return { month: month(), year: Number(month().slice(0, 4)), code, unit: code, district: data.manifest.district, first: 5, status: ['OPEN', 'ROUTED'] };
};

const ADHOC = [
  // Aliases, one field twice under two names, __typename aliased, the same object reached twice.
  `query A($m: Month!) { u: units(first: 3) { nodes { c: code code t: __typename __typename n1: name
     a: payrollTotal(month: $m) { people } b: payrollTotal(month: $m) { grossPay people }
     contracts(activeIn: $m) { kind startDate } openLeads { rule status createdAt } } totalCount } }`,
  // Fragments, type conditions, @skip/@include from variables and literals.
  `query B($m: Month!, $yes: Boolean!, $no: Boolean = false) {
     units(first: 4) { nodes { ...F ... on Unit { town { code } } ... @include(if: $yes) { registeredHeadcount(month: $m) }
       name @skip(if: $yes) code @include(if: $no) budget(year: 2026) @skip(if: false) { amount headcountBasis } } } }
   fragment F on Unit { code town { name code } }`,
];

describe('result shaping', () => {
  it('is installed where executeQueryPlan calls it', () => {
    const source = readFileSync(require.resolve('@apollo/gateway/dist/executeQueryPlan.js'), 'utf8');
    expect(source).toMatch(/\(0, resultShaping_1\.computeResponse\)\(\{/);
    expect(fastResultShapingInstalled).toBe(true);
  });

  it('answers every named operation and ad-hoc document through the gateway as Apollo shapes them', async () => {
    let named = 0;
    for (const file of operationNames()) {
      const query = readOperation(file);
      for (const def of parse(query).definitions) {
        if (def.kind !== 'OperationDefinition' || def.operation !== 'query') continue;
        capturing = def.name!.value;
        const res = await postGraphQL(fed.gatewayUrl, { query, operationName: capturing, variables: variables() }, { authorization: `Bearer ${fed.tokens.AUDITOR}` });
        expect({ operation: capturing, errors: res.errors }).toEqual({ operation: capturing, errors: undefined });
        named++;
      }
    }
    // Each ad-hoc document with @skip/@include one way and the other.
    for (const [i, query] of ADHOC.entries()) {
      for (const conditions of [{ yes: true }, { yes: false, no: true }]) {
        capturing = `adhoc ${i} ${JSON.stringify(conditions)}`;
        const res = await fed.query(query, { m: month(), ...conditions });
        expect(res.errors).toBeUndefined();
      }
    }
    expect(captured.length).toBeGreaterThanOrEqual(named + 2 * ADHOC.length);
    for (const { name, args } of captured) {
      const [apollo, ours] = same(args);
      expect({ name, ours }).toEqual({ name, ours: apollo });
    }
  });

  it('answers as Apollo does when a subgraph sends nulls, wrong types, unknown __typename or leaves fields out', () => {
    let compared = 0;
    let withErrors = 0;
    let threw = 0;
    for (const { name, args } of captured) {
      const all = paths(args.input);
      // Up to 40 places per answer, spread over it.
      const step = Math.max(1, Math.floor(all.length / 40));
      for (let i = 0; i < all.length; i += step) {
        for (const [change, apply] of CHANGES) {
          const input = corrupted(args.input, all[i]!, apply) as ComputeResponseArgs['input'];
          const [apollo, ours] = same({ ...args, input });
          expect({ name, at: all[i]!.join('.'), change, ours }).toEqual({ name, at: all[i]!.join('.'), change, ours: apollo });
          compared++;
          if (apollo!.startsWith('threw')) threw++;
          else if (!apollo!.includes('"errors":[]')) withErrors++;
        }
      }
      // With no data at all.
      const [apolloEmpty, oursEmpty] = same({ ...args, input: null });
      expect(oursEmpty).toBe(apolloEmpty);
    }
    // The corruptions reached the error paths, not only the happy one.
    expect(compared).toBeGreaterThan(1000);
    expect(withErrors).toBeGreaterThan(100);
    expect(threw).toBeGreaterThan(10);
  });
});
