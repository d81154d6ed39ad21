import type { PersonResolvers } from '../generated/resolvers-types.ts';

export const Person: PersonResolvers = {
  __resolveReference(ref) {
    return { idNumber: ref.idNumber };
  },
  leads(person, _args, { data }) {
    return data.leadsByPerson.load(person.idNumber);
  },
};
