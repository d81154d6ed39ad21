import type { MutationResolvers } from '../generated/resolvers-types.ts';
import { badUserInput } from '../../../lib/errors.ts';
import { checkDistrict, parseRecordId } from '../../../lib/validate.ts';

export const Mutation: MutationResolvers = {
  async runLeadSweep(_parent, { month, district, route }, { rules, gateway }) {
    const code = district ?? '330109';
    checkDistrict(code);
    return rules.sweep(gateway, code, month, route ?? true);
  },
  routeLead(_parent, { id, to }, { rules }) {
    return rules.routeLead(parseRecordId(id), to);
  },
  closeLead(_parent, { id, note }, { rules }) {
    const leadId = parseRecordId(id);
    const text = note?.trim() || null;
    if (text && text.length > 2000) throw badUserInput('note must be at most 2000 characters', 'note');
    return rules.closeLead(leadId, text);
  },
};
