import { GraphQLError } from 'graphql';
import type { MutationResolvers } from '../generated/resolvers-types.ts';
import { readOperation } from '../../../lib/operations.ts';
import { checkCreditCode, checkText } from '../../../lib/validate.ts';
import { requireReference } from '../../../lib/writes.ts';

type SuspensionCheck = {
  districtMonth: { registrySuspensions: { nodes: { rectificationNeeded: string; leads: { id: string; rule: string | null }[] }[] } };
};

const SUSPENSION_CHECK = readOperation('RegistrySuspensionCheck');

export const Mutation: MutationResolvers = {
  submitEstablishmentApplication(_parent, { unit: code, subject, idempotencyKey }, { data, writes, gateway, identity }) {
    return writes.submitApplication(identity, { unit: code, subject }, idempotencyKey, async () => {
      checkCreditCode(code, 'unit');
      const text = checkText(subject, 'subject', 200);
      const unit = requireReference(await data.unitByCode.load(code), 'unit', `a unit with credit code ${code}`);
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
      return { unitCode: code, subject: text };
    });
  },
  registerRegistryRecord: (_parent, { input, idempotencyKey }, { writes, identity }) => writes.registerRecord(identity, input, idempotencyKey),
  changeRegistryRecord: (_parent, { input, idempotencyKey }, { writes, identity }) => writes.changeRecord(identity, input, idempotencyKey),
  endRegistryRecord: (_parent, { input, idempotencyKey }, { writes, identity }) => writes.endRecord(identity, input, idempotencyKey),
  decideQuota: (_parent, { input, idempotencyKey }, { writes, identity }) => writes.decideQuota(identity, input, idempotencyKey),
};
