import type { UnreportedUnitResolvers } from '../generated/resolvers-types.ts';

export const UnreportedUnit: UnreportedUnitResolvers = {
  peopleCount: (unit) => unit.people.length,
};
