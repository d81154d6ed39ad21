import type { PersonResolvers } from '../generated/resolvers-types.ts';
import { inRowScope } from '../../../lib/auth/identity.ts';

export const Person: PersonResolvers = {
  __resolveReference(ref) {
    return { idNumber: ref.idNumber };
  },
  // A town officer sees a person's pay lines at its own town's units only.
  async payroll(person, { month }, { data, identity }) {
    return inRowScope(identity, await data.payrollByPerson.load(`${month ?? ''}|${person.idNumber}`));
  },
};
