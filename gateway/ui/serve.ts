// The browser pages the gateway serves: the query IDE (GET /ide) and the dashboard (GET /dashboard), and
// their bundled scripts and styles (GET /ui/<file>). The pages hold no data; they ask /graphql and
// /schema.graphql with the caller's token like any client. A Content-Security-Policy keeps the browser
// from loading anything from anywhere but this gateway.
import { gzipSync } from 'node:zlib';
import express from 'express';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { operationDescription, operationNames, readOperation } from '../../lib/operations.ts';
import { isMonth, toMonthString } from '../../lib/periods.ts';
import { uiAssets, type Asset } from './build.ts';

export interface UiOptions {
  /** The month the dashboard and the IDE's examples open on (YYYY-MM). */
  month: string;
  /** The district they ask about (6-digit division code). */
  district: string;
}

/**
 * UI_MONTH (YYYY-MM; default last month) and UI_DISTRICT (default 330109, 萧山): what the dashboard and
 * the IDE's examples open on. A malformed value throws at startup.
 */
export function uiOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): UiOptions {
  const now = new Date();
  const month = env.UI_MONTH?.trim() || toMonthString(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)));
  const district = env.UI_DISTRICT?.trim() || '330109';
  if (!isMonth(month)) throw new Error(`UI_MONTH must be a month YYYY-MM, not "${month}"`);
  if (!/^\d{6}$/.test(district)) throw new Error(`UI_DISTRICT must be a 6-digit division code, not "${district}"`);
  return { month, district };
}

/** The named operations the dashboard sends: the DASHBOARD role may send nothing else. */
const DASHBOARD_OPERATIONS = ['HeadcountAgainstQuota', 'RuleCounts', 'UnreportedStaffUnits', 'UnitProfile'] as const;

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Monaco and ECharts set inline styles; the stylesheets' fonts are data: URLs.
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(res: express.Response): void {
  res.setHeader('content-security-policy', CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
}

/** Example values for an operation's required variables that have no default. */
function exampleVariables(operation: OperationDefinitionNode, options: UiOptions): Record<string, unknown> {
  const examples: Record<string, unknown> = {
    month: options.month,
    year: Number(options.month.slice(0, 4)),
    district: options.district,
    code: '<统一社会信用代码 unit credit code>',
    unit: '<统一社会信用代码 unit credit code>',
  };
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (definition.type.kind === Kind.NON_NULL_TYPE && !definition.defaultValue && name in examples) variables[name] = examples[name];
  }
  return variables;
}

function namedOperations(options: UiOptions) {
  return operationNames().map((name) => {
    const document = readOperation(name);
    const first = parse(document).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    return { name, description: operationDescription(document), document, variables: first ? exampleVariables(first, options) : {} };
  });
}

/** JSON inside a <script> block: nothing in it may close the block. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');
const attribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function page(title: string, bundle: 'ide' | 'dashboard', options: UiOptions, data: unknown): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<meta name="bianwai-month" content="${attribute(options.month)}">
<meta name="bianwai-district" content="${attribute(options.district)}">
<link rel="stylesheet" href="/ui/${bundle}.css">
</head>
<body>
<div id="root"></div>
<script type="application/json" id="operations">${scriptJson(data)}</script>
<script src="/ui/${bundle}.js"></script>
</body>
</html>
`;
}

/** Gzipped copies of the larger assets, made once. */
const gzipped = new WeakMap<Asset, Buffer>();

export function uiRouter(options: UiOptions): express.Router {
  const router = express.Router();
  // Read once: the gateway trusts the same files for as long as it runs.
  const ide = page('联席会议查询 Query IDE', 'ide', options, namedOperations(options));
  const dashboard = page('编外用工数据看板 Dashboard', 'dashboard', options, Object.fromEntries(DASHBOARD_OPERATIONS.map((n) => [n, readOperation(n)])));

  const sendPage = (html: string) => async (_req: express.Request, res: express.Response) => {
    // Build the bundle before the page goes out, so that its scripts are there when the browser asks.
    try {
      await uiAssets();
    } catch (error) {
      res.status(503).type('text').send(`the page's scripts could not be bundled: ${(error as Error).message}`);
      return;
    }
    securityHeaders(res);
    res.setHeader('cache-control', 'no-store');
    res.type('html').send(html);
  };
  router.get('/ide', sendPage(ide));
  router.get('/dashboard', sendPage(dashboard));
  router.get('/ui/:file', async (req, res) => {
    const asset = (await uiAssets()).get(req.params.file);
    if (!asset) {
      res.status(404).type('text').send('not found');
      return;
    }
    securityHeaders(res);
    res.setHeader('content-type', asset.contentType);
    res.setHeader('etag', asset.etag);
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('vary', 'accept-encoding');
    if (req.get('if-none-match') === asset.etag) {
      res.status(304).end();
      return;
    }
    if (asset.contents.length > 1024 && req.acceptsEncodings('gzip') === 'gzip') {
      let body = gzipped.get(asset);
      if (!body) gzipped.set(asset, (body = gzipSync(asset.contents)));
      res.setHeader('content-encoding', 'gzip');
      res.send(body);
      return;
    }
    res.send(Buffer.from(asset.contents));
  });
  return router;
}
