import type { DistrictYearResolvers } from '../generated/resolvers-types.ts';
import { RegistrySpans, UnitDirectory, cachedHits, hitKey, hitPage, periodReference, required, scopedFilter } from '../../../lib/cross-check.ts';
import type { DistrictYearParent } from '../data.ts';

export const DistrictYear: DistrictYearResolvers = {
  __resolveReference: (ref) => periodReference<DistrictYearParent>(ref),
  async budgetLinkage(parent, { filter, first, after }, ctx) {
    const directory = required(parent, 'unitDirectory', UnitDirectory.parse, 'budgetLinkage');
    const spans = required(parent, 'registrySpans', RegistrySpans.parse, 'budgetLinkage');
    const scoped = scopedFilter(filter, parent.scope);
    const hits = await cachedHits(ctx, 'budgetLinkage', [directory, spans, parent.year, scoped], () => ctx.rules.budgetLinkage(parent.year, directory, spans, scoped));
    return hitPage(hits, (h) => hitKey(h.unit.code, h.budget.id), first, after);
  },
};
