// `npm run leads:export -- --format xlsx|csv [--rule RULE] [--town CODE] [--status OPEN,ROUTED] [--out FILE]`
// Exports issue leads (问题线索) to a spreadsheet, asking the gateway as the holder of GATEWAY_TOKEN: the
// token's role, row scope and masking decide what is in the file, and every page is in the access log
// (operation LeadExportPage). Progress bar on a terminal; a summary line when done.
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS } from '../lib/subgraph.ts';
import { EXPORT_FORMATS, ExportError, LEAD_STATUSES, LeadExport, httpGraphQLCaller, parseExportParams, type LeadExportParams } from '../lib/lead-export.ts';
import { progressBar } from '../lib/progress.ts';

const USAGE = `usage: npm run leads:export -- --format ${EXPORT_FORMATS.join('|')} [--rule RULE] [--town CODE] [--status STATUS,...] [--out FILE] [--gateway URL]
  --format xlsx|csv  XLSX: one sheet per rule, Chinese headers, header row frozen; CSV: UTF-8 with BOM (Excel shows Chinese)
  --rule RULE        only leads of this rule (e.g. UNREPORTED_STAFF)
  --town CODE        only leads about units of this 9-digit town (e.g. 330109001)
  --status LIST      only leads in these statuses: ${LEAD_STATUSES.join(', ')} (comma-separated)
  --out FILE         where to write (default leads-<date>.<format>)
  --gateway URL      gateway GraphQL URL (default GATEWAY_URL or http://localhost:${DEFAULT_PORTS.gateway}/graphql)
The caller's bearer token goes in GATEWAY_TOKEN (\`npm start\` prints demo ones); what the file holds is what that role may see.`;

const thousands = (n: number) => n.toLocaleString('en-US');

async function main(): Promise<number> {
  let values;
  let params: LeadExportParams;
  try {
    ({ values } = parseArgs({
      options: {
        format: { type: 'string' },
        rule: { type: 'string' },
        town: { type: 'string' },
        status: { type: 'string' },
        out: { type: 'string' },
        gateway: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    params = parseExportParams(values);
  } catch (err) {
    console.error(`leads:export: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const token = process.env.GATEWAY_TOKEN;
  if (!token) {
    console.error(`leads:export: set GATEWAY_TOKEN to your bearer token (npm start prints demo ones)\n${USAGE}`);
    return 2;
  }
  const url = values.gateway ?? process.env.GATEWAY_URL ?? `http://localhost:${DEFAULT_PORTS.gateway}/graphql`;
  const out = resolve(values.out ?? `leads-${new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)}.${params.format}`);
  // Written beside the target and renamed when complete: a failed export leaves no partial file.
  const partial = `${out}.part`;
  const started = performance.now();
  try {
    const leadExport = await LeadExport.start(httpGraphQLCaller(url, () => ({ authorization: `Bearer ${token}` })), params);
    const bar = progressBar({ label: 'export', unit: 'leads', total: leadExport.total });
    let rows: number;
    try {
      rows = await leadExport.write(params.format, createWriteStream(partial), (done, total) => {
        bar.setTotal(total);
        bar.update(done);
      });
    } finally {
      bar.stop();
    }
    await rename(partial, out);
    const { size } = await stat(out);
    const filters = [params.rule && `rule ${params.rule}`, params.town && `town ${params.town}`, params.status && `status ${params.status.join(',')}`].filter(Boolean).join(', ');
    console.log(`exported ${thousands(rows)} leads${filters ? ` (${filters})` : ''} to ${out} (${params.format}, ${thousands(Math.ceil(size / 1024))} KB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return 0;
  } catch (err) {
    await rm(partial, { force: true });
    if (err instanceof ExportError) {
      console.error(`leads:export: ${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main();
