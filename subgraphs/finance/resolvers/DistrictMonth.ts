import type { DistrictMonthResolvers } from '../generated/resolvers-types.ts';
import { badUserInput } from '../../../lib/errors.ts';
import { isDistrictCode } from '../../../lib/divisions.ts';
import { isMonth } from '../../../lib/periods.ts';

export const DistrictMonth: DistrictMonthResolvers = {
  // Representations arrive as _Any, so the Month scalar has not checked them.
  __resolveReference(ref) {
    if (!isDistrictCode(ref.district)) throw badUserInput('district must be a 6-digit division code', 'district');
    if (!isMonth(ref.month)) throw badUserInput('month must be a calendar month YYYY-MM', 'month');
    return { district: ref.district, month: ref.month };
  },
  payrollRoster(dm, _args, { data }) {
    return data.payrollRoster.load(`${dm.district}|${dm.month}`);
  },
};
