// `npm run leads:sweep -- --month YYYY-MM [--district 330109] [--no-route] [--gateway URL]`
// Runs the ten cross-bureau rules through the gateway and records the hits as issue leads in audit
// (the runLeadSweep mutation), one rule at a time so that a progress bar can show how far it is (the
// result is the same as one sweep of all rules). Running it again reports 0 new leads.
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS } from '../lib/subgraph.ts';
import { SWEEP_RULE_NAMES } from '../lib/lead-rules.ts';
import { progressBar } from '../lib/progress.ts';

const USAGE = `usage: npm run leads:sweep -- --month YYYY-MM [--district 330109] [--no-route] [--gateway URL]
  --month YYYY-MM   month to check (default: last month); the yearly rules use its year
  --district CODE   6-digit division code (default 330109, 萧山)
  --no-route        leave new leads OPEN instead of handing them on (问题抄送) by rule
  --gateway URL     gateway GraphQL URL (default GATEWAY_URL or http://localhost:${DEFAULT_PORTS.gateway}/graphql)
The token of an auditor (scope leads:write) goes in GATEWAY_TOKEN; \`npm start\` prints one.`;

const SWEEP = `mutation RunLeadSweep($month: Month!, $district: String!, $route: Boolean!, $rules: [String!]) {
  runLeadSweep(month: $month, district: $district, route: $route, rules: $rules) {
    district month found created reopened unchanged resolvedByData
    rules { rule period found created reopened unchanged resolvedByData }
  }
}`;

function lastMonth(): string {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return d.toISOString().slice(0, 7);
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        month: { type: 'string' },
        district: { type: 'string', default: '330109' },
        'no-route': { type: 'boolean', default: false },
        gateway: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const month = values.month ?? lastMonth();
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) {
    console.error(`--month must be YYYY-MM, got "${month}"\n${USAGE}`);
    return 2;
  }
  const url = values.gateway ?? process.env.GATEWAY_URL ?? `http://localhost:${DEFAULT_PORTS.gateway}/graphql`;
  const token = process.env.GATEWAY_TOKEN;
  if (!token) {
    console.error(`set GATEWAY_TOKEN to an auditor's bearer token (npm start prints a demo one)\n${USAGE}`);
    return 2;
  }
  type Report = { district: string; month: string; found: number; created: number; reopened: number; unchanged: number; resolvedByData: number; rules: Record<string, unknown>[] };
  const sweepRule = async (rule: string): Promise<Report | null> => {
    let body: { data?: { runLeadSweep: Report }; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: SWEEP, variables: { month, district: values.district, route: !values['no-route'], rules: [rule] } }),
      });
      body = (await res.json()) as typeof body;
    } catch (err) {
      console.error(`cannot reach the gateway at ${url}: ${(err as Error).message}. Start it with \`npm start\`.`);
      return null;
    }
    if (body.errors?.length || !body.data) {
      for (const e of body.errors ?? []) console.error(`${e.extensions?.code ?? 'ERROR'}: ${e.message}`);
      return null;
    }
    return body.data.runLeadSweep;
  };
  const rules = Object.keys(SWEEP_RULE_NAMES);
  const started = performance.now();
  const total: Report = { district: values.district, month, found: 0, created: 0, reopened: 0, unchanged: 0, resolvedByData: 0, rules: [] };
  const bar = progressBar({ label: 'lead sweep', unit: 'rules', total: rules.length, extra: '{found} hits | {created} new | {rule}', payload: { found: 0, created: 0, rule: rules[0]! } });
  try {
    for (const [i, rule] of rules.entries()) {
      bar.update(i, { found: total.found, created: total.created, rule });
      const r = await sweepRule(rule);
      if (!r) return 1;
      for (const k of ['found', 'created', 'reopened', 'unchanged', 'resolvedByData'] as const) total[k] += r[k];
      total.rules.push(...r.rules);
      bar.update(i + 1, { found: total.found, created: total.created, rule });
    }
  } finally {
    bar.stop();
  }
  console.log(
    `lead sweep ${total.district} ${total.month}: ${rules.length} rules in ${((performance.now() - started) / 1000).toFixed(1)} s, ${total.found} hits, ` +
      `${total.created} new leads, ${total.reopened} reopened, ${total.unchanged} already open, ${total.resolvedByData} resolved by data`,
  );
  console.table(total.rules);
  return 0;
}

process.exitCode = await main();
