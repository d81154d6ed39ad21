import { GraphQLError } from 'graphql';
import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { townName } from '../../../lib/divisions.ts';
import { checkCreditCode, checkDistrict, checkIdNumber, checkTownCode, checkYear } from '../../../lib/validate.ts';
import { periodOf } from '../../../lib/cross-check.ts';
import { connectionFromRows, decodeCursor, pageSize } from '../../../lib/paging.ts';

export const Query: QueryResolvers = {
  async unit(_parent, { code }, { data, identity }) {
    checkCreditCode(code, 'code');
    const unit = await data.unitByCode.load(code);
    if (!unit && identity.town && (await data.unitExists(code))) {
      throw new GraphQLError(`unit ${code} is outside town ${identity.town}: a town officer sees only its own town's units`, {
        extensions: { code: 'FORBIDDEN', rule: 'row_scope:town' },
      });
    }
    return unit;
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
  async person(_parent, { idNumber }, { data, identity }) {
    checkIdNumber(idNumber, 'idNumber');
    // A town officer sees only the people of its town's units.
    if (identity.town && (await data.registryByPerson.load(idNumber)).length === 0) return null;
    return { idNumber };
  },
  async towns(_parent, { district }, { data }) {
    const code = district ?? '330109';
    checkDistrict(code);
    const codes = await data.townCodes(code);
    return codes.map((c) => ({ code: c, name: townName(c) ?? c }));
  },
  districtYear(_parent, { year, district, unit }) {
    const period = periodOf(district ?? unit?.slice(2, 8) ?? '330109', unit);
    checkYear(year);
    return { ...period, year };
  },
  districtMonth(_parent, { month, district, unit }) {
    return { ...periodOf(district ?? unit?.slice(2, 8) ?? '330109', unit), month };
  },
};
