import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { townName } from '../../../lib/divisions.ts';
import { checkCreditCode, checkDistrict, checkIdNumber, checkTownCode, checkYear } from '../../../lib/validate.ts';
import { connectionFromRows, decodeCursor, pageSize } from '../../../lib/paging.ts';

export const Query: QueryResolvers = {
  async unit(_parent, { code }, { data }) {
    checkCreditCode(code, 'code');
    return data.unitByCode.load(code);
  },
  async units(_parent, { filter, first, after }, { data }) {
    if (filter?.supervisingUnit) checkCreditCode(filter.supervisingUnit, 'filter.supervisingUnit');
    if (filter?.town) checkTownCode(filter.town, 'filter.town');
    if (filter?.unit) checkCreditCode(filter.unit, 'filter.unit');
    const size = pageSize(first);
    const { rows, totalCount } = await data.units(filter, size, decodeCursor(after));
    const page = connectionFromRows(rows, size, totalCount, (r) => r.code);
    for (const row of page.nodes) data.unitByCode.prime(row.code, row);
    return page;
  },
  person(_parent, { idNumber }) {
    checkIdNumber(idNumber, 'idNumber');
    return { idNumber };
  },
  async towns(_parent, { district }, { data }) {
    const code = district ?? '330109';
    checkDistrict(code);
    const codes = await data.townCodes(code);
    return codes.map((c) => ({ code: c, name: townName(c) ?? c }));
  },
  districtYear(_parent, { year, district }) {
    const code = district ?? '330109';
    checkDistrict(code);
    checkYear(year);
    return { district: code, year };
  },
  districtMonth(_parent, { month, district }) {
    const code = district ?? '330109';
    checkDistrict(code);
    return { district: code, month };
  },
};
