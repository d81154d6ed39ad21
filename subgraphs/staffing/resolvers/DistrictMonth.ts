import type { DistrictMonthResolvers } from '../generated/resolvers-types.ts';
import { parseRoster, type RosterRow } from '../../../lib/roster.ts';
import { decodeCursor, pageBy, pageSize } from '../../../lib/paging.ts';
import { ServiceContractRoster, hitKey, hitPage, required, periodReference, townScoped } from '../../../lib/cross-check.ts';
import type { DistrictMonthParent } from '../data.ts';

const hrRoster = (p: DistrictMonthParent, rule: string): RosterRow[] => required(p, 'hrRoster', parseRoster, rule);
const payrollRoster = (p: DistrictMonthParent, rule: string): RosterRow[] => required(p, 'payrollRoster', parseRoster, rule);

export const DistrictMonth: DistrictMonthResolvers = {
  __resolveReference: (ref) => periodReference<DistrictMonthParent>(ref),
  async unreportedStaff(parent, { filter, first, after }, { data, identity }) {
    const size = pageSize(first, 100);
    const roster = [...hrRoster(parent, 'unreportedStaff'), ...payrollRoster(parent, 'unreportedStaff')];
    const units = await data.unreported(parent.month, roster, { ...filter, district: parent.district });
    const page = pageBy(units, (u) => u.unit.code, size, decodeCursor(after));
    return {
      ...page,
      totalCount: units.length,
      totalPeople: units.reduce((n, u) => n + u.people.length, 0),
    };
  },
  async ghostRecords(parent, { filter, first, after }, { rules, identity }) {
    const roster = [...hrRoster(parent, 'ghostRecords'), ...payrollRoster(parent, 'ghostRecords')];
    const hits = await rules.ghostRecords(parent.district, parent.month, roster, townScoped(filter, identity.town));
    return hitPage(hits, (h) => hitKey(h.unit.code, h.person.idNumber, h.record.id), first, after);
  },
  async overQuota(parent, { filter, first, after }, { rules, identity }) {
    const hits = await rules.overQuota(parent.district, parent.month, hrRoster(parent, 'overQuota'), townScoped(filter, identity.town));
    return hitPage(hits, (h) => hitKey(h.unit.code), first, after);
  },
  async unrecoveredOutsourcing(parent, { filter, first, after }, { rules, identity }) {
    const contracts = required(parent, 'serviceContractRoster', ServiceContractRoster.parse, 'unrecoveredOutsourcing');
    const hits = await rules.unrecoveredOutsourcing(parent.district, contracts, townScoped(filter, identity.town));
    return hitPage(hits, (h) => hitKey(h.unit.code, h.contract.number), first, after);
  },
  headcountAgainstQuota: (parent, { by, filter }, { data }) => data.headcountAgainstQuota(parent.district, parent.month, by, filter),
  unitDirectory: (parent, _args, { rules, identity }) => rules.unitDirectory(parent.district, identity.town),
  registryRoster: (parent, _args, { rules, identity }) => rules.registryRoster(parent.district, parent.month, identity.town),
};
