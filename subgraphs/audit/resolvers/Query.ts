import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { GraphQLError } from 'graphql';
import { checkCreditCode, checkIdNumber, checkYear, parseRecordId } from '../../../lib/validate.ts';
import { connectionFromRows, decodeCursor, encodeCursor, pageSize } from '../../../lib/paging.ts';
import { requireScope } from '../../../lib/auth/identity.ts';

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
  async leads(_parent, { filter, first, after }, { data }) {
    if (filter?.unit) checkCreditCode(filter.unit, 'filter.unit');
    const size = pageSize(first);
    const cursor = decodeCursor(after);
    const { rows, totalCount } = await data.leads(filter, size, cursor === null ? null : parseRecordId(cursor, 'after'));
    const page = connectionFromRows(rows, size, totalCount, (r) => String(r.id));
    for (const row of page.nodes) data.leadById.prime(row.id, row);
    return page;
  },
  async accessLog(_parent, { subject, idNumber, from, to, first, after }, { accessLog, identity }) {
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
