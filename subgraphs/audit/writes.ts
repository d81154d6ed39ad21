// Audit's writes (审计/巡察): issue leads (问题线索) created, routed (问题抄送) and closed, and progress on
// rectifications (整改进展), through lib/writes.ts (scope, idempotency key, one transaction, versions).
// Units belong to the establishment office and are checked through the graph.
import type { Prisma, PrismaClient } from './prisma/generated/client.ts';
import type { Identity } from '../../lib/auth/identity.ts';
import type { GatewayClient } from '../../lib/gateway-client.ts';
import { UnitReferences } from '../../lib/unit-reference.ts';
import { badUserInput } from '../../lib/errors.ts';
import { todayInChina, toDateString, utcDate } from '../../lib/periods.ts';
import { checkCreditCode, checkIdNumber, checkPeriodCode, checkText, optionalText, parseRecordId } from '../../lib/validate.ts';
import { Writer, checkVersion, requireReference, requireUnitInScope, updateAtVersion } from '../../lib/writes.ts';
import type { CreateLeadInput, RectificationProgressInput } from './generated/resolvers-types.ts';
import type { IssueLeadRow, RectificationRow } from './data.ts';
import { SWEEP_RULES } from './rules.ts';

type Tx = Prisma.TransactionClient;
type Key = string | null | undefined;
type Route = NonNullable<IssueLeadRow['routedTo']>;

const OPEN: IssueLeadRow['status'][] = ['OPEN', 'ROUTED'];
const TEXT_MAX = 2000;
const RULE_NAMES = new Set(SWEEP_RULES.map((r) => r.rule));

export class AuditWrites {
  private readonly writer: Writer<Tx>;
  private readonly units: UnitReferences;

  constructor(prisma: PrismaClient, gateway: GatewayClient | undefined) {
    this.writer = new Writer<Tx>(prisma, 'audit');
    this.units = new UnitReferences(gateway);
  }

  createLead(identity: Identity, input: CreateLeadInput, idempotencyKey: Key): Promise<IssueLeadRow> {
    return this.writer.run(
      { mutation: 'createLead', identity, scope: 'leads:write', idempotencyKey, input },
      async () => {
        checkCreditCode(input.unit, 'input.unit');
        if (input.idNumber != null) checkIdNumber(input.idNumber, 'input.idNumber');
        if (input.source === 'RULE_SWEEP') throw badUserInput('input.source: RULE_SWEEP leads come from the lead sweep (runLeadSweep) only', 'input.source');
        if (input.rule != null && !RULE_NAMES.has(input.rule)) {
          throw badUserInput(`input.rule must be one of ${[...RULE_NAMES].join(', ')}`, 'input.rule');
        }
        const findingId = input.finding == null ? null : parseRecordId(input.finding, 'input.finding');
        if (input.period != null) checkPeriodCode(input.period, 'input.period');
        const description = checkText(input.description, 'input.description', TEXT_MAX);
        requireUnitInScope(identity, input.unit, 'input.unit');
        requireReference(await this.units.get(input.unit), 'input.unit', `a unit with credit code ${input.unit}`);
        return { findingId, description };
      },
      async (tx, { findingId, description }) => {
        if (findingId !== null) {
          const finding = requireReference(await tx.finding.findUnique({ where: { id: findingId } }), 'input.finding', `finding ${findingId}`);
          if (finding.unitCode !== input.unit) throw badUserInput(`input.finding: finding ${findingId} is about another unit`, 'input.finding');
        }
        return tx.issueLead.create({
          data: {
            unitCode: input.unit,
            idNumber: input.idNumber ?? null,
            source: input.source,
            rule: input.rule ?? null,
            findingId,
            period: input.period ?? null,
            description,
            status: input.routeTo ? 'ROUTED' : 'OPEN',
            routedTo: input.routeTo ?? null,
            evidenceBureaus: [...new Set(input.evidenceBureaus ?? [])],
            createdAt: new Date(),
          },
        });
      },
    );
  }

  routeLead(identity: Identity, args: { id: string; to: Route; version: number }, idempotencyKey: Key): Promise<IssueLeadRow> {
    return this.changeOpenLead(identity, 'routeLead', args, idempotencyKey, () => ({ status: 'ROUTED', routedTo: args.to }));
  }

  closeLead(identity: Identity, args: { id: string; note?: string | null; version: number }, idempotencyKey: Key): Promise<IssueLeadRow> {
    return this.changeOpenLead(identity, 'closeLead', args, idempotencyKey, () => ({
      status: 'CLOSED',
      closedAt: new Date(),
      closingNote: optionalText(args.note, 'note', TEXT_MAX),
    }));
  }

  private changeOpenLead(
    identity: Identity,
    mutation: string,
    args: { id: string; version: number },
    idempotencyKey: Key,
    changes: () => Prisma.IssueLeadUpdateManyMutationInput,
  ): Promise<IssueLeadRow> {
    return this.writer.run(
      { mutation, identity, scope: 'leads:write', idempotencyKey, input: args },
      () => ({ id: parseRecordId(args.id, 'id'), changes: changes() }),
      async (tx, { id, changes }) => {
        const what = `issue lead ${id}`;
        const lead = requireReference(await tx.issueLead.findUnique({ where: { id } }), 'id', what);
        requireUnitInScope(identity, lead.unitCode, 'id');
        checkVersion(what, lead.version, args.version, 'version');
        if (!OPEN.includes(lead.status)) throw badUserInput(`id: lead ${id} is ${lead.status}, not open`, 'id');
        return updateAtVersion(
          what,
          args.version,
          'version',
          () => tx.issueLead.updateMany({ where: { id, version: args.version }, data: { ...changes, version: { increment: 1 } } }),
          () => tx.issueLead.findUnique({ where: { id } }),
        );
      },
    );
  }

  recordRectificationProgress(identity: Identity, input: RectificationProgressInput, idempotencyKey: Key): Promise<RectificationRow> {
    return this.writer.run(
      { mutation: 'recordRectificationProgress', identity, scope: 'audit:write', idempotencyKey, input },
      () => {
        const id = parseRecordId(input.rectification, 'input.rectification');
        const note = optionalText(input.note, 'input.note', TEXT_MAX);
        if (input.status === 'COMPLETED' && input.completedOn == null) {
          throw badUserInput('input.completedOn: a completed rectification (整改到位) needs its completion date', 'input.completedOn');
        }
        if (input.status !== 'COMPLETED' && input.completedOn != null) {
          throw badUserInput(`input.completedOn: only a COMPLETED rectification has a completion date, not ${input.status}`, 'input.completedOn');
        }
        if (input.completedOn != null && input.completedOn > todayInChina()) {
          throw badUserInput(`input.completedOn (${input.completedOn}) is in the future`, 'input.completedOn');
        }
        return { id, note };
      },
      async (tx, { id, note }) => {
        const what = `rectification ${id}`;
        const rectification = requireReference(
          await tx.rectification.findUnique({ where: { id }, include: { feedbackForm: { select: { issuedOn: true } } } }),
          'input.rectification',
          what,
        );
        requireUnitInScope(identity, rectification.unitCode, 'input.rectification');
        checkVersion(what, rectification.version, input.version, 'input.version');
        const issued = rectification.feedbackForm ? toDateString(rectification.feedbackForm.issuedOn) : null;
        if (issued && input.completedOn != null && input.completedOn < issued) {
          throw badUserInput(`input.completedOn (${input.completedOn}) is before the feedback form was issued (${issued})`, 'input.completedOn');
        }
        const completedOn = input.completedOn != null ? utcDate(input.completedOn) : null;
        // The report is kept, then the rectification shows it: both or neither.
        await tx.rectificationProgress.create({
          data: { rectificationId: id, status: input.status, note, completedOn, recordedAt: new Date(), recordedBy: identity.subject },
        });
        return updateAtVersion(
          what,
          input.version,
          'input.version',
          () =>
            tx.rectification.updateMany({
              where: { id, version: input.version },
              data: { status: input.status, progressNote: note ?? rectification.progressNote, completedOn, version: { increment: 1 } },
            }),
          () => tx.rectification.findUnique({ where: { id } }),
        );
      },
    );
  }
}
