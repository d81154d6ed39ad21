import type { QuotaDecisionResolvers } from '../generated/resolvers-types.ts';

export const QuotaDecision: QuotaDecisionResolvers = {
  id: (q) => String(q.id),
  async unit(q, _args, { data }) {
    return (await data.unitByCode.load(q.unitCode))!;
  },
};
