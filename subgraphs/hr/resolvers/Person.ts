import type { PersonResolvers } from '../generated/resolvers-types.ts';

export const Person: PersonResolvers = {
  __resolveReference(ref) {
    return { idNumber: ref.idNumber };
  },
  contracts(person, _args, { data }) {
    return data.contractsByPerson.load(person.idNumber);
  },
  rehires(person, _args, { data }) {
    return data.rehiresByPerson.load(person.idNumber);
  },
  insuranceEnrolments(person, _args, { data }) {
    return data.insuranceByPerson.load(person.idNumber);
  },
  hires(person, _args, { data }) {
    return data.hiresByPerson.load(person.idNumber);
  },
  exits(person, _args, { data }) {
    return data.exitsByPerson.load(person.idNumber);
  },
};
