import type { PersonResolvers } from '../generated/resolvers-types.ts';

export const Person: PersonResolvers = {
  __resolveReference(ref) {
    return { idNumber: ref.idNumber };
  },
  payroll(person, { month }, { data }) {
    return data.payrollByPerson.load(`${month ?? ''}|${person.idNumber}`);
  },
};
