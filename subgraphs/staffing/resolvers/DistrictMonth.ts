import type { DistrictMonthResolvers } from '../generated/resolvers-types.ts';
import { EmploymentRoster, type RosterRow } from '../../../lib/roster.ts';
import { decodeCursor, pageBy, pageSize } from '../../../lib/paging.ts';
import {
  RegistryRoster,
  ServiceContractRoster,
  UnitDirectory,
  UnitHeadcounts,
  cachedHits,
  cachedRows,
  hitKey,
  hitPage,
  periodReference,
  required,
  scopedFilter,
  townScoped,
} from '../../../lib/cross-check.ts';
import type { DistrictMonthParent } from '../data.ts';

const hrRoster = (p: DistrictMonthParent, rule: string) => required(p, 'hrRoster', EmploymentRoster.parse, rule);
const payrollRoster = (p: DistrictMonthParent, rule: string) => required(p, 'payrollRoster', EmploymentRoster.parse, rule);
const both = (hr: readonly RosterRow[], pay: readonly RosterRow[]): RosterRow[] => [...hr, ...pay];

export const DistrictMonth: DistrictMonthResolvers = {
  __resolveReference: (ref) => periodReference<DistrictMonthParent>(ref),
  async unreportedStaff(parent, { filter, first, after }, ctx) {
    const size = pageSize(first, 100);
    const hr = hrRoster(parent, 'unreportedStaff');
    const pay = payrollRoster(parent, 'unreportedStaff');
    const scoped = scopedFilter(filter, parent.scope);
    const units = await cachedHits(ctx, 'unreportedStaff', [hr, pay, parent.district, parent.month, scoped], () =>
      ctx.data.unreported(parent.month, both(hr, pay), { ...scoped, district: parent.district }),
    );
    const page = pageBy(units, (u) => u.unit.code, size, decodeCursor(after));
    return {
      ...page,
      totalCount: units.length,
      totalPeople: units.reduce((n, u) => n + u.people.length, 0),
    };
  },
  async ghostRecords(parent, { filter, first, after }, ctx) {
    const hr = hrRoster(parent, 'ghostRecords');
    const pay = payrollRoster(parent, 'ghostRecords');
    const scoped = townScoped(scopedFilter(filter, parent.scope), ctx.identity.town);
    const hits = await cachedHits(ctx, 'ghostRecords', [hr, pay, parent.district, parent.month, scoped], () =>
      ctx.rules.ghostRecords(parent.district, parent.month, both(hr, pay), scoped),
    );
    return hitPage(hits, (h) => hitKey(h.unit.code, h.person.idNumber, h.record.id), first, after);
  },
  async overQuota(parent, { filter, first, after }, ctx) {
    const counts = required(parent, 'hrHeadcounts', UnitHeadcounts.parse, 'overQuota');
    const scoped = townScoped(scopedFilter(filter, parent.scope), ctx.identity.town);
    const hits = await cachedHits(ctx, 'overQuota', [counts, parent.district, parent.month, scoped], () =>
      ctx.rules.overQuota(parent.district, parent.month, new Map(counts), scoped),
    );
    return hitPage(hits, (h) => hitKey(h.unit.code), first, after);
  },
  async unrecoveredOutsourcing(parent, { filter, first, after }, ctx) {
    const contracts = required(parent, 'serviceContractRoster', ServiceContractRoster.parse, 'unrecoveredOutsourcing');
    const scoped = townScoped(scopedFilter(filter, parent.scope), ctx.identity.town);
    const hits = await cachedHits(ctx, 'unrecoveredOutsourcing', [contracts, parent.district, scoped], () =>
      ctx.rules.unrecoveredOutsourcing(parent.district, contracts, scoped),
    );
    return hitPage(hits, (h) => hitKey(h.unit.code, h.contract.number), first, after);
  },
  async headcountAgainstQuota(parent, { by, filter }, ctx) {
    const scoped = scopedFilter(filter, parent.scope);
    return cachedHits(ctx, 'headcountAgainstQuota', [parent.district, parent.month, by, scoped], () => ctx.data.headcountAgainstQuota(parent.district, parent.month, by, scoped));
  },
  unitDirectory: (parent, _args, ctx) =>
    cachedRows(ctx, UnitDirectory, 'staffing', 'unitDirectory', [parent.district, parent.scope, ctx.identity.town], () =>
      ctx.data.unitDirectory.load({ district: parent.district, period: '', scope: parent.scope }),
    ),
  registryRoster: (parent, _args, ctx) =>
    cachedRows(ctx, RegistryRoster, 'staffing', 'registryRoster', [parent.district, parent.month, parent.scope, ctx.identity.town], () =>
      ctx.data.registryRoster.load({ district: parent.district, period: parent.month, scope: parent.scope }),
    ),
};
