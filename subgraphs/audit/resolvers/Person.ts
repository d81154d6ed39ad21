import type { PersonResolvers } from '../generated/resolvers-types.ts';
import { inRowScope } from '../../../lib/auth/identity.ts';

export const Person: PersonResolvers = {
  __resolveReference(ref) {
    return { idNumber: ref.idNumber };
  },
  // A town officer sees leads about units of its own town only.
  async leads(person, _args, { data, identity }) {
    return inRowScope(identity, await data.leadsByPerson.load(person.idNumber));
  },
};
