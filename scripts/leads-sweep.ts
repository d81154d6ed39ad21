// `npm run leads:sweep -- --month YYYY-MM [--district 330109] [--no-route] [--gateway URL]`
// Runs the ten cross-bureau rules through the gateway and records the hits as issue leads in audit
// (the runLeadSweep mutation). Running it again reports 0 new leads.
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS } from '../lib/subgraph.ts';

const USAGE = `usage: npm run leads:sweep -- --month YYYY-MM [--district 330109] [--no-route] [--gateway URL]
  --month YYYY-MM   month to check (default: last month); the yearly rules use its year
  --district CODE   6-digit division code (default 330109, 萧山)
  --no-route        leave new leads OPEN instead of handing them on (问题抄送) by rule
  --gateway URL     gateway GraphQL URL (default GATEWAY_URL or http://localhost:${DEFAULT_PORTS.gateway}/graphql)
The token of an auditor (scope leads:write) goes in GATEWAY_TOKEN; \`npm start\` prints one.`;

const SWEEP = `mutation RunLeadSweep($month: Month!, $district: String!, $route: Boolean!) {
  runLeadSweep(month: $month, district: $district, route: $route) {
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
  let body: { data?: { runLeadSweep: any }; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: SWEEP, variables: { month, district: values.district, route: !values['no-route'] } }),
    });
    body = (await res.json()) as typeof body;
  } catch (err) {
    console.error(`cannot reach the gateway at ${url}: ${(err as Error).message}. Start it with \`npm start\`.`);
    return 1;
  }
  if (body.errors?.length || !body.data) {
    for (const e of body.errors ?? []) console.error(`${e.extensions?.code ?? 'ERROR'}: ${e.message}`);
    return 1;
  }
  const r = body.data.runLeadSweep;
  console.log(`lead sweep ${r.district} ${r.month}: ${r.found} hits, ${r.created} new leads, ${r.reopened} reopened, ${r.unchanged} already open, ${r.resolvedByData} resolved by data`);
  console.table(r.rules);
  return 0;
}

process.exitCode = await main();
