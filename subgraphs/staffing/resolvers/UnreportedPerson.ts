import type { UnreportedPersonResolvers } from '../generated/resolvers-types.ts';

export const UnreportedPerson: UnreportedPersonResolvers = {
  person: (p) => ({ idNumber: p.idNumber }),
};
