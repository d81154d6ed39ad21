import type { MutationResolvers } from '../generated/resolvers-types.ts';

export const Mutation: MutationResolvers = {
  recordBudget: (_parent, { input, idempotencyKey }, { writes, identity }) => writes.recordBudget(identity, input, idempotencyKey),
};
