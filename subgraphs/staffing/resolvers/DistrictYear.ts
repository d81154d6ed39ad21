import type { DistrictYearResolvers } from '../generated/resolvers-types.ts';
import { RegistrySpans, UnitDirectory, cachedHits, cachedRows, hitKey, hitPage, periodReference, scopedFilter, townScoped } from '../../../lib/cross-check.ts';
import type { DistrictYearParent } from '../data.ts';

export const DistrictYear: DistrictYearResolvers = {
  __resolveReference: (ref) => periodReference<DistrictYearParent>(ref),
  async quotaRaised(parent, { filter, first, after }, ctx) {
    const scoped = townScoped(scopedFilter(filter, parent.scope), ctx.identity.town);
    const hits = await cachedHits(ctx, 'quotaRaised', [parent.district, parent.year, scoped], () => ctx.rules.quotaRaised(parent.district, parent.year, scoped));
    return hitPage(hits, (h) => hitKey(h.unit.code), first, after);
  },
  unitDirectory: (parent, _args, ctx) =>
    cachedRows(ctx, UnitDirectory, 'staffing', 'unitDirectory', [parent.district, parent.scope, ctx.identity.town], () =>
      ctx.data.unitDirectory.load({ district: parent.district, period: '', scope: parent.scope }),
    ),
  registrySpans: (parent, _args, ctx) =>
    cachedRows(ctx, RegistrySpans, 'staffing', 'registrySpans', [parent.district, parent.year, parent.scope, ctx.identity.town], () =>
      ctx.data.registrySpans.load({ district: parent.district, period: String(parent.year), scope: parent.scope }),
    ),
};
