import type { EmploymentContractResolvers } from '../generated/resolvers-types.ts';

export const EmploymentContract: EmploymentContractResolvers = {
  id: (r) => String(r.id),
  person: (r) => ({ idNumber: r.idNumber }),
  unit: (r) => ({ code: r.unitCode }),
};
