import type { DistrictMonthResolvers } from '../generated/resolvers-types.ts';
import { badUserInput } from '../../../lib/errors.ts';
import { RegistryRoster, UnitDirectory, hitKey, hitPage, required, periodReference } from '../../../lib/cross-check.ts';
import type { DistrictMonthParent } from '../data.ts';

const directory = (p: DistrictMonthParent, rule: string) => required(p, 'unitDirectory', UnitDirectory.parse, rule);
const registry = (p: DistrictMonthParent, rule: string) => required(p, 'registryRoster', RegistryRoster.parse, rule);

export const DistrictMonth: DistrictMonthResolvers = {
  __resolveReference: (ref) => periodReference<DistrictMonthParent>(ref),
  hrRoster(parent, _args, { data }) {
    return data.roster(parent.district, parent.month);
  },
  payStandardTable: (parent, _args, { rules }) => rules.payStandardTable(parent.month),
  async missingAgreements(parent, { filter, first, after }, { rules }) {
    const hits = await rules.missingAgreements(parent.month, directory(parent, 'missingAgreements'), registry(parent, 'missingAgreements'), filter);
    return hitPage(hits, (h) => hitKey(h.unit.code, h.person.idNumber, Number(h.record.id)), first, after);
  },
  async retireesOverAgeLimit(parent, { ageLimit, filter, first, after }, { rules }) {
    const limit = ageLimit ?? 65;
    if (!Number.isInteger(limit) || limit < 50 || limit > 100) throw badUserInput('ageLimit must be a whole number of years from 50 to 100', 'ageLimit');
    const hits = await rules.retireesOverAgeLimit(parent.month, limit, directory(parent, 'retireesOverAgeLimit'), registry(parent, 'retireesOverAgeLimit'), filter);
    return hitPage(hits, (h) => hitKey(h.unit.code, h.person.idNumber), first, after);
  },
  async hiredWithoutRecruitment(parent, { filter, first, after }, { rules }) {
    const hits = await rules.hiredWithoutRecruitment(parent.month, directory(parent, 'hiredWithoutRecruitment'), registry(parent, 'hiredWithoutRecruitment'), filter);
    return hitPage(hits, (h) => hitKey(h.unit.code, h.person.idNumber, Number(h.record.id)), first, after);
  },
  async registryLate(parent, { filter, first, after }, { rules }) {
    const hits = await rules.registryLate(parent.month, directory(parent, 'registryLate'), registry(parent, 'registryLate'), filter);
    return hitPage(hits, (h) => hitKey(h.unit.code, h.person.idNumber, Number(h.record.id), h.kind === 'START' ? '0' : '1'), first, after);
  },
};
