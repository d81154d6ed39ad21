import type { DistrictYearResolvers } from '../generated/resolvers-types.ts';
import { RegistrySpans, UnitDirectory, hitKey, hitPage, required, periodReference } from '../../../lib/cross-check.ts';
import type { DistrictYearParent } from '../data.ts';

export const DistrictYear: DistrictYearResolvers = {
  __resolveReference: (ref) => periodReference<DistrictYearParent>(ref),
  async budgetLinkage(parent, { filter, first, after }, { rules }) {
    const directory = required(parent, 'unitDirectory', UnitDirectory.parse, 'budgetLinkage');
    const spans = required(parent, 'registrySpans', RegistrySpans.parse, 'budgetLinkage');
    const hits = await rules.budgetLinkage(parent.year, directory, spans, filter);
    return hitPage(hits, (h) => hitKey(h.unit.code, h.budget.id), first, after);
  },
};
