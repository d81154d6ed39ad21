import type { InsuranceEnrolmentResolvers } from '../generated/resolvers-types.ts';

export const InsuranceEnrolment: InsuranceEnrolmentResolvers = {
  id: (r) => String(r.id),
  person: (r) => ({ idNumber: r.idNumber }),
  unit: (r) => ({ code: r.unitCode }),
};
