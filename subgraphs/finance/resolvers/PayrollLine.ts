import type { PayrollLineResolvers } from '../generated/resolvers-types.ts';

export const PayrollLine: PayrollLineResolvers = {
  id: (p) => String(p.id),
  unit: (p) => ({ code: p.unitCode }),
  person: (p) => ({ idNumber: p.idNumber }),
  grossPay: (p) => Number(p.grossPay),
};
