import type { FundingStandardResolvers } from '../generated/resolvers-types.ts';

export const FundingStandard: FundingStandardResolvers = {
  id: (f) => String(f.id),
  amountPerHead: (f) => Number(f.amountPerHead),
};
