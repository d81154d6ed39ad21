import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { checkCreditCode, checkYear, parseRecordId } from '../../../lib/validate.ts';
import { connectionFromRows, decodeCursor, pageSize } from '../../../lib/paging.ts';

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
};
