import type { MutationResolvers } from '../generated/resolvers-types.ts';
import { checkDistrict } from '../../../lib/validate.ts';
import { requireScope } from '../../../lib/auth/identity.ts';

export const Mutation: MutationResolvers = {
  async runLeadSweep(_parent, { month, district, route, rules: only }, { rules, gateway, identity }) {
    requireScope(identity, 'leads:write', 'the lead sweep');
    const code = district ?? '330109';
    checkDistrict(code);
    return rules.sweep(gateway, code, month, route ?? true, only);
  },
  createLead: (_parent, { input, idempotencyKey }, { writes, identity }) => writes.createLead(identity, input, idempotencyKey),
  routeLead: (_parent, { id, to, version, idempotencyKey }, { writes, identity }) => writes.routeLead(identity, { id, to, version }, idempotencyKey),
  closeLead: (_parent, { id, note, version, idempotencyKey }, { writes, identity }) => writes.closeLead(identity, { id, note, version }, idempotencyKey),
  recordRectificationProgress: (_parent, { input, idempotencyKey }, { writes, identity }) =>
    writes.recordRectificationProgress(identity, input, idempotencyKey),
};
