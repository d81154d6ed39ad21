import type { PayStandardResolvers } from '../generated/resolvers-types.ts';

export const PayStandard: PayStandardResolvers = {
  id: (p) => String(p.id),
  monthlyMax: (p) => p.monthlyMax.toNumber(),
};
