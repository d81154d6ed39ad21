import type { DistrictMonthResolvers } from '../generated/resolvers-types.ts';
import { checkDistrict, checkMonth } from '../../../lib/validate.ts';
import { UnitDirectory, hitKey, hitPage, required } from '../../../lib/cross-check.ts';
import type { DistrictMonthParent } from '../data.ts';

export const DistrictMonth: DistrictMonthResolvers = {
  // Representations arrive as _Any, so the Month scalar has not checked them.
  __resolveReference(ref) {
    const parent = ref as DistrictMonthParent;
    checkDistrict(parent.district);
    checkMonth(parent.month);
    return parent;
  },
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
