import type { ExitRecordResolvers } from '../generated/resolvers-types.ts';

export const ExitRecord: ExitRecordResolvers = {
  id: (r) => String(r.id),
  person: (r) => ({ idNumber: r.idNumber }),
  unit: (r) => ({ code: r.unitCode }),
};
