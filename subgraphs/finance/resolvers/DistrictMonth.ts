import type { DistrictMonthResolvers } from '../generated/resolvers-types.ts';
import { PayStandardTable, RegistryRoster, UnitDirectory, hitKey, hitPage, required, periodReference } from '../../../lib/cross-check.ts';
import type { DistrictMonthParent } from '../data.ts';

const directory = (p: DistrictMonthParent, rule: string) => required(p, 'unitDirectory', UnitDirectory.parse, rule);
const registry = (p: DistrictMonthParent, rule: string) => required(p, 'registryRoster', RegistryRoster.parse, rule);

export const DistrictMonth: DistrictMonthResolvers = {
  __resolveReference: (ref) => periodReference<DistrictMonthParent>(ref),
  payrollRoster(dm, _args, { data }) {
    return data.payrollRoster.load(`${dm.district}|${dm.month}`);
  },
  serviceContractRoster: (dm, _args, { rules }) => rules.serviceContractRoster(dm.district, dm.month),
  async disguisedOutsourcing(parent, { filter, first, after }, { rules }) {
    const hits = await rules.disguisedOutsourcing(parent.month, directory(parent, 'disguisedOutsourcing'), registry(parent, 'disguisedOutsourcing'), filter);
    return hitPage(hits, (h) => hitKey(h.unit.code, h.person.idNumber, h.contract.number), first, after);
  },
  async payAboveStandard(parent, { filter, first, after }, { rules }) {
    const standards = required(parent, 'payStandardTable', PayStandardTable.parse, 'payAboveStandard');
    const hits = await rules.payAboveStandard(parent.month, directory(parent, 'payAboveStandard'), registry(parent, 'payAboveStandard'), standards, filter);
    return hitPage(hits, (h) => hitKey(h.unit.code, h.person.idNumber, h.payrollLine.id), first, after);
  },
};
