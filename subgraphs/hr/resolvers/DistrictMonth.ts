import type { DistrictMonthResolvers } from '../generated/resolvers-types.ts';
import { badUserInput } from '../../../lib/errors.ts';
import { EmploymentRoster } from '../../../lib/roster.ts';
import {
  PayStandardTable,
  RegistryRoster,
  UnitDirectory,
  UnitHeadcounts,
  cachedHits,
  cachedRows,
  hitKey,
  hitPage,
  periodReference,
  required,
  scopedFilter,
  type UnitHeadcountRow,
} from '../../../lib/cross-check.ts';
import type { DistrictMonthParent } from '../data.ts';

const directory = (p: DistrictMonthParent, rule: string) => required(p, 'unitDirectory', UnitDirectory.parse, rule);
const registry = (p: DistrictMonthParent, rule: string) => required(p, 'registryRoster', RegistryRoster.parse, rule);

export const DistrictMonth: DistrictMonthResolvers = {
  __resolveReference: (ref) => periodReference<DistrictMonthParent>(ref),
  hrRoster: (parent, _args, ctx) =>
    cachedRows(ctx, EmploymentRoster, 'hr', 'hrRoster', [parent.district, parent.month, parent.scope], () =>
      ctx.data.roster.load({ district: parent.district, period: parent.month, scope: parent.scope }),
    ),
  hrHeadcounts: (parent, _args, ctx) =>
    cachedRows(ctx, UnitHeadcounts, 'hr', 'hrHeadcounts', [parent.district, parent.month, parent.scope], async () => {
      const people = new Map<string, Set<string>>();
      for (const [unit, id] of await ctx.data.roster.load({ district: parent.district, period: parent.month, scope: parent.scope })) {
        let set = people.get(unit);
        if (!set) people.set(unit, (set = new Set()));
        set.add(id);
      }
      return [...people].map(([unit, set]): UnitHeadcountRow => [unit, set.size]);
    }),
  payStandardTable: (parent, _args, ctx) =>
    cachedRows(ctx, PayStandardTable, 'hr', 'payStandardTable', [parent.month.slice(0, 4)], () =>
      ctx.data.payStandardTable.load({ district: '', period: parent.month.slice(0, 4), scope: '' }),
    ),
  async missingAgreements(parent, { filter, first, after }, ctx) {
    const [units, records, scoped] = [directory(parent, 'missingAgreements'), registry(parent, 'missingAgreements'), scopedFilter(filter, parent.scope)];
    const hits = await cachedHits(ctx, 'missingAgreements', [units, records, parent.month, scoped], () => ctx.rules.missingAgreements(parent.month, units, records, scoped));
    return hitPage(hits, (h) => hitKey(h.unit.code, h.person.idNumber, Number(h.record.id)), first, after);
  },
  async retireesOverAgeLimit(parent, { ageLimit, filter, first, after }, ctx) {
    const limit = ageLimit ?? 65;
    if (!Number.isInteger(limit) || limit < 50 || limit > 100) throw badUserInput('ageLimit must be a whole number of years from 50 to 100', 'ageLimit');
    const [units, records, scoped] = [directory(parent, 'retireesOverAgeLimit'), registry(parent, 'retireesOverAgeLimit'), scopedFilter(filter, parent.scope)];
    const hits = await cachedHits(ctx, 'retireesOverAgeLimit', [units, records, parent.month, limit, scoped], () =>
      ctx.rules.retireesOverAgeLimit(parent.month, limit, units, records, scoped),
    );
    return hitPage(hits, (h) => hitKey(h.unit.code, h.person.idNumber), first, after);
  },
  async hiredWithoutRecruitment(parent, { filter, first, after }, ctx) {
    const [units, records, scoped] = [directory(parent, 'hiredWithoutRecruitment'), registry(parent, 'hiredWithoutRecruitment'), scopedFilter(filter, parent.scope)];
    const hits = await cachedHits(ctx, 'hiredWithoutRecruitment', [units, records, parent.month, scoped], () =>
      ctx.rules.hiredWithoutRecruitment(parent.month, units, records, scoped),
    );
    return hitPage(hits, (h) => hitKey(h.unit.code, h.person.idNumber, Number(h.record.id)), first, after);
  },
  async registryLate(parent, { filter, first, after }, ctx) {
    const [units, records, scoped] = [directory(parent, 'registryLate'), registry(parent, 'registryLate'), scopedFilter(filter, parent.scope)];
    const hits = await cachedHits(ctx, 'registryLate', [units, records, parent.month, scoped], () => ctx.rules.registryLate(parent.month, units, records, scoped));
    return hitPage(hits, (h) => hitKey(h.unit.code, h.person.idNumber, Number(h.record.id), h.kind === 'START' ? '0' : '1'), first, after);
  },
};
