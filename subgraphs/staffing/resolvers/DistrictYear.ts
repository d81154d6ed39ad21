import type { DistrictYearResolvers } from '../generated/resolvers-types.ts';
import { hitKey, hitPage, periodReference } from '../../../lib/cross-check.ts';
import type { DistrictYearParent } from '../data.ts';

export const DistrictYear: DistrictYearResolvers = {
  __resolveReference: (ref) => periodReference<DistrictYearParent>(ref),
  async quotaRaised(parent, { filter, first, after }, { rules }) {
    const hits = await rules.quotaRaised(parent.district, parent.year, filter);
    return hitPage(hits, (h) => hitKey(h.unit.code), first, after);
  },
  unitDirectory: (parent, _args, { rules }) => rules.unitDirectory(parent.district),
  registrySpans: (parent, _args, { rules }) => rules.registrySpans(parent.district, parent.year),
};
