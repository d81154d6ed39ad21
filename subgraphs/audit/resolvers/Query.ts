import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { GraphQLError } from 'graphql';
import { checkCreditCode, checkIdNumber, checkYear, parseRecordId } from '../../../lib/validate.ts';
import { connectionFromRows, decodeCursor, encodeCursor, pageSize } from '../../../lib/paging.ts';
import { requireScope } from '../../../lib/auth/identity.ts';
import { badUserInput } from '../../../lib/errors.ts';
import type { RuleCursor } from '../data.ts';

const MAX_UNITS = 5000;

function parseRuleCursor(cursor: string): RuleCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(cursor);
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || (parsed[0] !== null && typeof parsed[0] !== 'string')) {
    throw badUserInput('after is not a cursor of leads ordered by rule', 'after');
  }
  return { rule: parsed[0] as string | null, id: parseRecordId(String(parsed[1]), 'after') };
}

export const Query: QueryResolvers = {
  inspection(_parent, { id }, { data }) {
    return data.inspectionById.load(parseRecordId(id, 'id'));
  },
  inspections(_parent, { kind, year }, { data }) {
    if (year != null) checkYear(year);
    return data.inspections(kind, year);
  },
  lead(_parent, { id }, { data }) {
    return data.leadById.load(parseRecordId(id, 'id'));
  },
  async leads(_parent, { filter, first, after, order }, { data, identity }) {
    if (filter?.unit) checkCreditCode(filter.unit, 'filter.unit');
    if (filter?.units) {
      if (filter.units.length > MAX_UNITS) throw badUserInput(`filter.units may name at most ${MAX_UNITS} units`, 'filter.units');
      filter.units.forEach((code, i) => checkCreditCode(code, `filter.units[${i}]`));
    }
    const size = pageSize(first);
    const cursor = decodeCursor(after);
    // A town officer's row scope: the town's units, which the gateway signed into the identity.
    const { rows, totalCount } =
      order === 'RULE'
        ? await data.leadsByRule(filter, size, cursor === null ? null : parseRuleCursor(cursor), identity.units)
        : await data.leads(filter, size, cursor === null ? null : parseRecordId(cursor, 'after'), identity.units);
    const page = connectionFromRows(rows, size, totalCount, order === 'RULE' ? (r) => JSON.stringify([r.rule, r.id]) : (r) => String(r.id));
    for (const row of page.nodes) data.leadById.prime(row.id, row);
    return page;
  },
  async accessLog(_parent, { subject, idNumber, from, to, first, after }, context) {
    const { accessLog, identity } = context;
    // The access log is another database, written on every request: no data version covers it.
    context.volatile = true;
    requireScope(identity, 'audit-log:read', 'reading the access log');
    if (!accessLog) throw new GraphQLError('the access log is not connected to this service', { extensions: { code: 'SERVICE_UNAVAILABLE' } });
    if (idNumber) checkIdNumber(idNumber, 'idNumber');
    const size = pageSize(first);
    const cursor = decodeCursor(after);
    const { entries, hasNextPage } = await accessLog.query({
      subject: subject ?? undefined,
      idNumber: idNumber ?? undefined,
      from: from ? new Date(from) : undefined,
      to: to ? new Date(to) : undefined,
      first: size,
      after: cursor === null ? undefined : parseRecordId(cursor, 'after'),
    });
    const last = entries[entries.length - 1];
    return {
      nodes: entries.map((e) => ({ ...e, at: e.at.toISOString(), variables: e.variables == null ? null : JSON.stringify(e.variables) })),
      pageInfo: { hasNextPage, endCursor: last ? encodeCursor(String(last.seq)) : null },
    };
  },
};
