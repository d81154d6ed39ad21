import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { badUserInput } from '../../../lib/errors.ts';
import { isValidCreditCode } from '../../../lib/ids.ts';
import { decodeCursor, encodeCursor, pageSize } from '../../../lib/paging.ts';

const MAX_INT4 = 2_147_483_647;

/** Ids are PostgreSQL serials: anything else is the caller's mistake, not a missing row. */
function parseId(id: string, field: string): number {
  const n = /^\d{1,10}$/.test(id) ? Number(id) : NaN;
  if (!(n >= 1 && n <= MAX_INT4)) throw badUserInput(`${field} must be a positive integer id`, field);
  return n;
}

export const Query: QueryResolvers = {
  inspection(_parent, { id }, { data }) {
    return data.inspectionById.load(parseId(id, 'id'));
  },
  inspections(_parent, { kind, year }, { data }) {
    return data.inspections(kind, year);
  },
  lead(_parent, { id }, { data }) {
    return data.leadById.load(parseId(id, 'id'));
  },
  async leads(_parent, { filter, first, after }, { data }) {
    if (filter?.unit && !isValidCreditCode(filter.unit)) {
      throw badUserInput('filter.unit is not a valid unified social credit code (统一社会信用代码)', 'filter.unit');
    }
    const size = pageSize(first);
    const cursor = decodeCursor(after);
    const { rows, totalCount } = await data.leads(filter, size, cursor === null ? null : parseId(cursor, 'after'));
    const nodes = rows.slice(0, size);
    for (const row of nodes) data.leadById.prime(row.id, row);
    const last = nodes[nodes.length - 1];
    return {
      nodes,
      totalCount,
      pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor(String(last.id)) : null },
    };
  },
};
