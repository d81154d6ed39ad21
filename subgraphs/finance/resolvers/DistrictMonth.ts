import type { DistrictMonthResolvers } from '../generated/resolvers-types.ts';
import { checkDistrict, checkMonth } from '../../../lib/validate.ts';

export const DistrictMonth: DistrictMonthResolvers = {
  // Representations arrive as _Any, so the Month scalar has not checked them.
  __resolveReference(ref) {
    checkDistrict(ref.district);
    checkMonth(ref.month);
    return { district: ref.district, month: ref.month };
  },
  payrollRoster(dm, _args, { data }) {
    return data.payrollRoster.load(`${dm.district}|${dm.month}`);
  },
};
