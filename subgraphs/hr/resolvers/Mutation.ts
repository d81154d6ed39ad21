import type { MutationResolvers } from '../generated/resolvers-types.ts';

export const Mutation: MutationResolvers = {
  recordContract: (_parent, { input, idempotencyKey }, { writes, identity }) => writes.recordContract(identity, input, idempotencyKey),
  recordInsuranceEnrolment: (_parent, { input, idempotencyKey }, { writes, identity }) => writes.recordInsuranceEnrolment(identity, input, idempotencyKey),
};
