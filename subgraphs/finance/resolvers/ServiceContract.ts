import type { ServiceContractResolvers } from '../generated/resolvers-types.ts';

export const ServiceContract: ServiceContractResolvers = {
  __resolveReference(ref, { data }) {
    return data.serviceContractByNumber.load(ref.number);
  },
  unit: (c) => ({ code: c.unitCode }),
  amount: (c) => Number(c.amount),
  workers(c, _args, { data }) {
    return data.workersByContract.load(c.number);
  },
};
