import type { PersonResolvers } from '../generated/resolvers-types.ts';
import { inRowScope, unitInScope } from '../../../lib/auth/identity.ts';

export const Person: PersonResolvers = {
  __resolveReference(ref) {
    return { idNumber: ref.idNumber };
  },
  // A town officer sees a person's records at its own town's units only.
  async contracts(person, _args, { data, identity }) {
    return inRowScope(identity, await data.contractsByPerson.load(person.idNumber));
  },
  async rehires(person, _args, { data, identity }) {
    return inRowScope(identity, await data.rehiresByPerson.load(person.idNumber));
  },
  async insuranceEnrolments(person, _args, { data, identity }) {
    return inRowScope(identity, await data.insuranceByPerson.load(person.idNumber));
  },
  async hires(person, _args, { data, identity }) {
    const hires = await data.hiresByPerson.load(person.idNumber);
    if (!identity.units) return hires;
    const recruitments = await Promise.all(hires.map((h) => data.recruitmentById.load(h.recruitmentId)));
    return hires.filter((_, i) => recruitments[i] && unitInScope(identity, recruitments[i]!.unitCode));
  },
  async exits(person, _args, { data, identity }) {
    return inRowScope(identity, await data.exitsByPerson.load(person.idNumber));
  },
};
