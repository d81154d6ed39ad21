import type { DistrictMonthResolvers } from '../generated/resolvers-types.ts';
import { UnitDirectory, hitKey, hitPage, required, periodReference } from '../../../lib/cross-check.ts';
import type { DistrictMonthParent } from '../data.ts';

export const DistrictMonth: DistrictMonthResolvers = {
  __resolveReference: (ref) => periodReference<DistrictMonthParent>(ref),
  async overdueRectifications(parent, { filter, first, after }, { rules }) {
    const directory = required(parent, 'unitDirectory', UnitDirectory.parse, 'overdueRectifications');
    const hits = await rules.overdueRectifications(parent.month, directory, filter);
    return hitPage(hits, (h) => hitKey(h.unit.code, h.rectification.id), first, after);
  },
  async registrySuspensions(parent, { filter, first, after }, { rules, data }) {
    const directory = required(parent, 'unitDirectory', UnitDirectory.parse, 'registrySuspensions');
    const hits = await rules.registrySuspensions(directory, filter);
    for (const h of hits) for (const lead of h.leads) data.leadById.prime(lead.id, lead);
    return hitPage(hits, (h) => hitKey(h.unit.code), first, after);
  },
};
