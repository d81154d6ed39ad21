import type { DisguisedOutsourcingWorkerResolvers } from '../generated/resolvers-types.ts';

export const DisguisedOutsourcingWorker: DisguisedOutsourcingWorkerResolvers = {
  async contract(h, _args, { data }) {
    return (await data.serviceContractByNumber.load(h.contract.number))!;
  },
};
