import type { DistrictMonthResolvers } from '../generated/resolvers-types.ts';
import { EmploymentRoster } from '../../../lib/roster.ts';
import {
  PayStandardTable,
  RegistryRoster,
  ServiceContractRoster,
  UnitDirectory,
  cachedHits,
  cachedRows,
  hitKey,
  hitPage,
  periodReference,
  required,
  scopedFilter,
} from '../../../lib/cross-check.ts';
import type { DistrictMonthParent } from '../data.ts';

const directory = (p: DistrictMonthParent, rule: string) => required(p, 'unitDirectory', UnitDirectory.parse, rule);
const registry = (p: DistrictMonthParent, rule: string) => required(p, 'registryRoster', RegistryRoster.parse, rule);

export const DistrictMonth: DistrictMonthResolvers = {
  __resolveReference: (ref) => periodReference<DistrictMonthParent>(ref),
  payrollRoster: (parent, _args, ctx) =>
    cachedRows(ctx, EmploymentRoster, 'finance', 'payrollRoster', [parent.district, parent.month, parent.scope], () =>
      ctx.data.payrollRoster.load({ district: parent.district, period: parent.month, scope: parent.scope }),
    ),
  serviceContractRoster: (parent, _args, ctx) =>
    cachedRows(ctx, ServiceContractRoster, 'finance', 'serviceContractRoster', [parent.district, parent.month, parent.scope], () =>
      ctx.data.serviceContractRoster.load({ district: parent.district, period: parent.month, scope: parent.scope }),
    ),
  async disguisedOutsourcing(parent, { filter, first, after }, ctx) {
    const [units, records, scoped] = [directory(parent, 'disguisedOutsourcing'), registry(parent, 'disguisedOutsourcing'), scopedFilter(filter, parent.scope)];
    const hits = await cachedHits(ctx, 'disguisedOutsourcing', [units, records, parent.month, scoped], () =>
      ctx.rules.disguisedOutsourcing(parent.month, units, records, scoped),
    );
    return hitPage(hits, (h) => hitKey(h.unit.code, h.person.idNumber, h.contract.number), first, after);
  },
  async payAboveStandard(parent, { filter, first, after }, ctx) {
    const standards = required(parent, 'payStandardTable', PayStandardTable.parse, 'payAboveStandard');
    const [units, records, scoped] = [directory(parent, 'payAboveStandard'), registry(parent, 'payAboveStandard'), scopedFilter(filter, parent.scope)];
    const hits = await cachedHits(ctx, 'payAboveStandard', [units, records, standards, parent.month, scoped], () =>
      ctx.rules.payAboveStandard(parent.month, units, records, standards, scoped),
    );
    return hitPage(hits, (h) => hitKey(h.unit.code, h.person.idNumber, h.payrollLine.id), first, after);
  },
};
