import type { RehireAgreementResolvers } from '../generated/resolvers-types.ts';

export const RehireAgreement: RehireAgreementResolvers = {
  id: (r) => String(r.id),
  person: (r) => ({ idNumber: r.idNumber }),
  unit: (r) => ({ code: r.unitCode }),
};
