import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { checkYear } from '../../../lib/validate.ts';

export const Query: QueryResolvers = {
  fundingStandards(_parent, { year }, { data }) {
    checkYear(year);
    return data.fundingStandards(year);
  },
  serviceContract(_parent, { number }, { data }) {
    return data.serviceContractByNumber.load(number);
  },
};
