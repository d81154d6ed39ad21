import type { DistrictYearResolvers } from '../generated/resolvers-types.ts';
import { hitKey, hitPage, periodReference, townScoped } from '../../../lib/cross-check.ts';
import type { DistrictYearParent } from '../data.ts';

export const DistrictYear: DistrictYearResolvers = {
  __resolveReference: (ref) => periodReference<DistrictYearParent>(ref),
  async quotaRaised(parent, { filter, first, after }, { rules, identity }) {
    const hits = await rules.quotaRaised(parent.district, parent.year, townScoped(filter, identity.town));
    return hitPage(hits, (h) => hitKey(h.unit.code), first, after);
  },
  unitDirectory: (parent, _args, { rules, identity }) => rules.unitDirectory(parent.district, identity.town),
  registrySpans: (parent, _args, { rules, identity }) => rules.registrySpans(parent.district, parent.year, identity.town),
};
