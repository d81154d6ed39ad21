import type { PersonResolvers } from '../generated/resolvers-types.ts';
import { birthDateOf, sexOf } from '../../../lib/ids.ts';

export const Person: PersonResolvers = {
  __resolveReference(ref) {
    return { idNumber: ref.idNumber };
  },
  async name(person, _args, { data }) {
    const records = await data.registryByPerson.load(person.idNumber);
    return records[0]?.name ?? null;
  },
  sex: (person) => sexOf(person.idNumber),
  birthDate: (person) => birthDateOf(person.idNumber),
  registryRecords(person, _args, { data }) {
    return data.registryByPerson.load(person.idNumber);
  },
};
