// What a never-seen document costs the gateway before any subgraph is asked, in this process with nothing
// else running: `npx tsx bench/new-document.ts [N]`. For N ad-hoc documents (bench/workloads.ts, each with
// alias names and field order of its own, as the benchmark's ad-hoc workload sends them) it times parsing,
// graphql-js validation against the API schema, our limits (gateway/limits.ts) and field access checks
// (gateway/authorize.ts), building federation's Operation, and planning with @apollo/query-planner, and
// prints the mean of each in ms. The README's account of the ad-hoc overhead quotes it.
import { readFileSync } from 'node:fs';
import { parse, specifiedRules, validate } from 'graphql';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { authorizeDocument, withoutSecurityFeatures } from '../gateway/authorize.ts';
import { prepareSupergraph } from '../gateway/supergraph-source.ts';
import { DEFAULT_LIMITS, checkOperation } from '../gateway/limits.ts';
import { SUPERGRAPH_PATH } from '../lib/supergraph.ts';
import { identityOf } from '../lib/auth/identity.ts';
import { adhocQuery } from './workloads.ts';

const n = Number(process.argv[2] ?? 500);
if (!Number.isInteger(n) || n < 1) {
  console.error('usage: npx tsx bench/new-document.ts [N]   (N documents measured, after 100 to warm up)');
  process.exit(2);
}
const sdl = readFileSync(SUPERGRAPH_PATH, 'utf8');
const rules = prepareSupergraph(SUPERGRAPH_PATH, sdl).rules;
const supergraph = Supergraph.build(withoutSecurityFeatures(sdl));
const api = supergraph.apiSchema();
const schema = api.toGraphQLJSSchema();
const planner = new QueryPlanner(supergraph);
const identity = identityOf('bench:auditor', 'AUDITOR');
const phases = { parse: 0, validate: 0, 'limits (ours)': 0, 'field access (ours)': 0, 'build Operation': 0, plan: 0 };
const salt = `n${process.pid}`;
for (let i = 0; i < n + 100; i++) {
  const source = adhocQuery(i, salt);
  const times: number[] = [performance.now()];
  const document = parse(source);
  times.push(performance.now());
  const errors = validate(schema, document, specifiedRules);
  if (errors.length > 0) throw errors[0];
  times.push(performance.now());
  if (checkOperation(document, undefined, schema, {}, DEFAULT_LIMITS)) throw new Error('refused by the limits');
  times.push(performance.now());
  authorizeDocument(document, schema, rules, identity);
  times.push(performance.now());
  const operation = operationFromDocument(api, document, { validate: false });
  times.push(performance.now());
  planner.buildQueryPlan(operation);
  times.push(performance.now());
  if (i >= 100) Object.keys(phases).forEach((k, j) => (phases[k as keyof typeof phases] += times[j + 1]! - times[j]!));
}
let total = 0;
for (const [phase, ms] of Object.entries(phases)) {
  total += ms;
  console.log(`${phase.padEnd(20)} ${(ms / n).toFixed(3)} ms`);
}
console.log(`${'in all'.padEnd(20)} ${(total / n).toFixed(3)} ms per new document (${n} documents)`);
