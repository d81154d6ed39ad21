import type { QueryResolvers } from '../generated/resolvers-types.ts';
import { checkYear, parseRecordId } from '../../../lib/validate.ts';

export const Query: QueryResolvers = {
  recruitment(_parent, { id }, { data }) {
    return data.recruitmentById.load(parseRecordId(id));
  },
  payStandards(_parent, { year }, { data }) {
    checkYear(year);
    return data.payStandards(year);
  },
};
