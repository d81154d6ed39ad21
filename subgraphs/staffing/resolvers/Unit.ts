import type { UnitResolvers } from '../generated/resolvers-types.ts';
import { townName } from '../../../lib/divisions.ts';

export const Unit: UnitResolvers = {
  __resolveReference(ref, { data }) {
    return data.unitByCode.load(ref.code);
  },
  supervisingUnit(unit, _args, { data }) {
    return unit.supervisingUnitCode ? data.unitByCode.load(unit.supervisingUnitCode) : null;
  },
  town(unit) {
    return unit.townCode ? { code: unit.townCode, name: townName(unit.townCode) ?? unit.townCode } : null;
  },
  async quota(unit, { year }, { data }) {
    const history = await data.quotaHistoryByUnit.load(unit.code);
    return history.find((q) => q.year === year) ?? null;
  },
  quotaHistory(unit, _args, { data }) {
    return data.quotaHistoryByUnit.load(unit.code);
  },
  registry(unit, { activeIn, employmentForm }, { data }) {
    return data.registryByUnit.load(`${activeIn ?? ''}|${employmentForm ?? ''}|${unit.code}`);
  },
  registeredHeadcount(unit, { month }, { data }) {
    return data.headcountByUnit.load(`${month}|${unit.code}`);
  },
  applications(unit, _args, { data }) {
    return data.applicationsByUnit.load(unit.code);
  },
  quotaRecoveries(unit, _args, { data }) {
    return data.recoveriesByUnit.load(unit.code);
  },
};
