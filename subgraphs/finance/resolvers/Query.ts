import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { badUserInput } from '../../../lib/errors.ts';

export function checkYear(year: number, field = 'year'): void {
  if (!Number.isInteger(year) || year < 1900 || year > 2100) throw badUserInput(`${field} must be between 1900 and 2100`, field);
}

export const Query: QueryResolvers = {
  fundingStandards(_parent, { year }, { data }) {
    checkYear(year);
    return data.fundingStandards(year);
  },
  serviceContract(_parent, { number }, { data }) {
    return data.serviceContractByNumber.load(number);
  },
};
