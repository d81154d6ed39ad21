// GET /exports/leads?format=csv|xlsx[&rule=…][&town=…][&status=OPEN,ROUTED]: the lead export as a
// download. The rows come from this gateway's own /graphql, asked with the caller's bearer token, so the
// caller's role, row scope, masking, limits and rate limit apply and each page is in the access log; the
// export itself is recorded too (operation LeadExport, with its format, filters and row count) before the
// first byte is sent. A refusal before that is an HTTP error with a code; a failure mid-stream cuts the
// download off, so a partial file is never mistaken for a whole one.
import type express from 'express';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { Identity } from '../lib/auth/identity.ts';
import type { AccessLogEntry } from '../lib/access-log.ts';
import { CONTENT_TYPES, ExportError, LeadExport, httpGraphQLCaller, parseExportParams, type LeadExportParams } from '../lib/lead-export.ts';
import { correlationHeaders, observeError } from '../lib/observability.ts';

export async function serveLeadExport(
  req: express.Request,
  res: express.Response,
  options: {
    graphqlUrl: string;
    identity: Identity;
    /** Appends to the access log; false when it cannot. */
    record: (entry: Pick<AccessLogEntry, 'decision' | 'rule' | 'variables'>) => Promise<boolean>;
    log: Logger;
  },
): Promise<void> {
  const refuse = async (err: ExportError, variables: unknown) => {
    await options.record({ decision: 'DENIED', rule: err.code, variables });
    jsonError(res, err.status, new GraphQLError(err.message, { extensions: { code: err.code } }));
  };
  let params: LeadExportParams;
  try {
    params = parseExportParams(req.query as Record<string, unknown>);
  } catch (err) {
    if (!(err instanceof ExportError)) throw err;
    return refuse(err, { query: Object.keys(req.query) });
  }
  const filters = { format: params.format, rule: params.rule, town: params.town, status: params.status };
  const authorization = req.get('authorization')!;
  let leadExport: LeadExport;
  try {
    leadExport = await LeadExport.start(httpGraphQLCaller(options.graphqlUrl, () => correlationHeaders({ authorization })), params);
  } catch (err) {
    if (!(err instanceof ExportError)) throw err;
    return refuse(err, filters);
  }
  // Fail closed: an export the access log cannot record is not sent.
  if (!(await options.record({ decision: 'ALLOWED', rule: null, variables: { ...filters, rows: leadExport.total } }))) {
    jsonError(res, 503, new GraphQLError('the access log cannot record this export, so nothing is sent; try again shortly', { extensions: { code: 'ACCESS_LOG_UNAVAILABLE' } }));
    return;
  }
  const day = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  res.status(200);
  res.setHeader('content-type', CONTENT_TYPES[params.format]);
  res.setHeader('content-disposition', `attachment; filename="leads-${day}.${params.format}"; filename*=UTF-8''${encodeURIComponent(`问题线索-${day}.${params.format}`)}`);
  res.setHeader('x-export-rows', String(leadExport.total));
  try {
    const rows = await leadExport.write(params.format, res);
    options.log.info({ format: params.format, rows }, 'lead export sent');
  } catch (err) {
    options.log.error({ err: (err as Error).message, code: (err as ExportError).code }, 'lead export cut off');
    res.destroy(err as Error);
  }
}

/** A refusal as a GraphQL-style error body with its HTTP status (gateway refusals outside GraphQL execution). */
export function jsonError(res: express.Response, status: number, error: GraphQLError, headers: Record<string, string> = {}) {
  observeError(String(error.extensions.code ?? 'ERROR'));
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).json({ errors: [{ message: error.message, extensions: { ...error.extensions, http: undefined } }] });
}
