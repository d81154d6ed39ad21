import type { DistrictMonthResolvers } from '../generated/resolvers-types.ts';
import { UnitDirectory, cachedHits, hitKey, hitPage, periodReference, required, scopedFilter } from '../../../lib/cross-check.ts';
import type { DistrictMonthParent } from '../data.ts';

export const DistrictMonth: DistrictMonthResolvers = {
  __resolveReference: (ref) => periodReference<DistrictMonthParent>(ref),
  async overdueRectifications(parent, { filter, first, after }, ctx) {
    const directory = required(parent, 'unitDirectory', UnitDirectory.parse, 'overdueRectifications');
    const scoped = scopedFilter(filter, parent.scope);
    const hits = await cachedHits(ctx, 'overdueRectifications', [directory, parent.month, scoped], () => ctx.rules.overdueRectifications(parent.month, directory, scoped));
    return hitPage(hits, (h) => hitKey(h.unit.code, h.rectification.id), first, after);
  },
  async registrySuspensions(parent, { filter, first, after }, ctx) {
    const directory = required(parent, 'unitDirectory', UnitDirectory.parse, 'registrySuspensions');
    const scoped = scopedFilter(filter, parent.scope);
    const hits = await cachedHits(ctx, 'registrySuspensions', [directory, scoped], () => ctx.rules.registrySuspensions(directory, scoped));
    for (const h of hits) for (const lead of h.leads) ctx.data.leadById.prime(lead.id, lead);
    return hitPage(hits, (h) => hitKey(h.unit.code), first, after);
  },
};
