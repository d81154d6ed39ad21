import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { badUserInput } from '../../../lib/errors.ts';

// Ids are PostgreSQL integers: a larger number cannot name a recruitment.
const MAX_ID = 2_147_483_647;

export const Query: QueryResolvers = {
  async recruitment(_parent, { id }, { data }) {
    if (!/^\d+$/.test(id)) throw badUserInput('id must be a recruitment number', 'id');
    const n = Number(id);
    return n > MAX_ID ? null : data.recruitmentById.load(n);
  },
  payStandards(_parent, { year }, { data }) {
    if (year < 1900 || year > 2100) throw badUserInput('year must be between 1900 and 2100', 'year');
    return data.payStandards(year);
  },
};
