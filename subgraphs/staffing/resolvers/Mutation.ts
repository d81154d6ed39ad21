import { GraphQLError } from 'graphql';
import type { MutationResolvers } from '../generated/resolvers-types.ts';
import { badUserInput } from '../../../lib/errors.ts';
import { readOperation } from '../../../lib/operations.ts';
import { checkCreditCode } from '../../../lib/validate.ts';
import { requireScope } from '../../../lib/auth/identity.ts';

type SuspensionCheck = {
  districtMonth: { registrySuspensions: { nodes: { rectificationNeeded: string; leads: { id: string; rule: string | null }[] }[] } };
};

const SUSPENSION_CHECK = readOperation('RegistrySuspensionCheck');

export const Mutation: MutationResolvers = {
  async submitEstablishmentApplication(_parent, { unit: code, subject }, { data, rules, gateway, identity }) {
    requireScope(identity, 'staffing:write', 'submitting an establishment application');
    checkCreditCode(code, 'unit');
    const text = subject.trim();
    if (text.length === 0 || text.length > 200) throw badUserInput('subject must be 1 to 200 characters', 'subject');
    const unit = await data.unitByCode.load(code);
    if (!unit) throw badUserInput(`no unit has credit code ${code}`, 'unit');
    // The leads live in audit: ask the graph, and refuse when it cannot answer (fail closed).
    if (!gateway) {
      throw new GraphQLError('cannot check the unit for suspension: no gateway is configured (GATEWAY_URL)', {
        extensions: { code: 'GATEWAY_UNAVAILABLE' },
      });
    }
    const month = new Date().toISOString().slice(0, 7);
    const answer = await gateway.query<SuspensionCheck>(SUSPENSION_CHECK, { unit: code, month, district: unit.districtCode }, 'RegistrySuspensionCheck');
    const suspension = answer.districtMonth.registrySuspensions.nodes[0];
    if (suspension) {
      const leads = suspension.leads.map((l) => `#${l.id} ${l.rule ?? ''}`.trim()).join(', ');
      throw new GraphQLError(
        `establishment applications of ${unit.name} (${code}) are suspended (暂停办理): ${suspension.rectificationNeeded} Open registry leads: ${leads}.`,
        { extensions: { code: 'APPLICATION_SUSPENDED', unit: code, leadIds: suspension.leads.map((l) => l.id) } },
      );
    }
    return rules.submitApplication(code, text);
  },
};
