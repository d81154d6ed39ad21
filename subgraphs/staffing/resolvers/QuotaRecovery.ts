import type { QuotaRecoveryResolvers } from '../generated/resolvers-types.ts';

export const QuotaRecovery: QuotaRecoveryResolvers = {
  id: (r) => String(r.id),
  async unit(r, _args, { data }) {
    return (await data.unitByCode.load(r.unitCode))!;
  },
};
