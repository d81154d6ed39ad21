import type { MutationResolvers } from '../generated/resolvers-types.ts';
import { badUserInput } from '../../../lib/errors.ts';
import { checkDistrict, parseRecordId } from '../../../lib/validate.ts';
import { requireScope } from '../../../lib/auth/identity.ts';

export const Mutation: MutationResolvers = {
  async runLeadSweep(_parent, { month, district, route, rules: only }, { rules, gateway, identity }) {
    requireScope(identity, 'leads:write', 'the lead sweep');
    const code = district ?? '330109';
    checkDistrict(code);
    return rules.sweep(gateway, code, month, route ?? true, only);
  },
  routeLead(_parent, { id, to }, { rules, identity }) {
    requireScope(identity, 'leads:write', 'routing a lead');
    return rules.routeLead(parseRecordId(id), to);
  },
  closeLead(_parent, { id, note }, { rules, identity }) {
    requireScope(identity, 'leads:write', 'closing a lead');
    const leadId = parseRecordId(id);
    const text = note?.trim() || null;
    if (text && text.length > 2000) throw badUserInput('note must be at most 2000 characters', 'note');
    return rules.closeLead(leadId, text);
  },
};
