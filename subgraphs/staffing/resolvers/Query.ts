import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { badUserInput } from '../../../lib/errors.ts';
import { isValidCreditCode, isValidIdNumber } from '../../../lib/ids.ts';
import { isDistrictCode, townName } from '../../../lib/divisions.ts';
import { decodeCursor, encodeCursor, pageSize } from '../../../lib/paging.ts';

export function checkCreditCode(code: string, field: string): void {
  if (!isValidCreditCode(code)) throw badUserInput(`${field} is not a valid unified social credit code (统一社会信用代码)`, field);
}

export const Query: QueryResolvers = {
  async unit(_parent, { code }, { data }) {
    checkCreditCode(code, 'code');
    return data.unitByCode.load(code);
  },
  async units(_parent, { filter, first, after }, { data }) {
    if (filter?.supervisingUnit) checkCreditCode(filter.supervisingUnit, 'filter.supervisingUnit');
    if (filter?.town && !/^\d{9}$/.test(filter.town)) throw badUserInput('filter.town must be a 9-digit town code', 'filter.town');
    const size = pageSize(first);
    const { rows, totalCount } = await data.units(filter, size, decodeCursor(after));
    const nodes = rows.slice(0, size);
    for (const row of nodes) data.unitByCode.prime(row.code, row);
    const last = nodes[nodes.length - 1];
    return {
      nodes,
      totalCount,
      pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor(last.code) : null },
    };
  },
  person(_parent, { idNumber }) {
    if (!isValidIdNumber(idNumber)) throw badUserInput('idNumber is not a valid resident ID number (身份证号)', 'idNumber');
    return { idNumber };
  },
  async towns(_parent, { district }, { data }) {
    const code = district ?? '330109';
    if (!isDistrictCode(code)) throw badUserInput('district must be a 6-digit division code', 'district');
    const codes = await data.townCodes(code);
    return codes.map((c) => ({ code: c, name: townName(c) ?? c }));
  },
  districtMonth(_parent, { month, district }) {
    const code = district ?? '330109';
    if (!isDistrictCode(code)) throw badUserInput('district must be a 6-digit division code', 'district');
    return { district: code, month };
  },
};
