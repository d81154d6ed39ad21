import type { DistrictMonthResolvers } from '../generated/resolvers-types.ts';
import { badUserInput } from '../../../lib/errors.ts';
import { isDistrictCode } from '../../../lib/divisions.ts';
import { isMonth } from '../../../lib/periods.ts';

export const DistrictMonth: DistrictMonthResolvers = {
  __resolveReference(ref) {
    return { district: ref.district, month: ref.month };
  },
  hrRoster(parent, _args, { data }) {
    // Representations are plain JSON: the Month scalar never saw these values.
    if (!isDistrictCode(parent.district)) throw badUserInput('district must be a 6-digit division code', 'district');
    if (!isMonth(parent.month)) throw badUserInput('month must be a calendar month YYYY-MM', 'month');
    return data.roster(parent.district, parent.month);
  },
};
