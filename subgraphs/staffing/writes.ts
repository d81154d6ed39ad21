// The establishment office's writes (编办): real-name records (实名制), quota decisions (管控数) and
// establishment applications, each through lib/writes.ts (scope, idempotency key, one transaction, versions).
import { GraphQLError } from 'graphql';
import type { Prisma, PrismaClient } from './prisma/generated/client.ts';
import type { Identity } from '../../lib/auth/identity.ts';
import { badUserInput } from '../../lib/errors.ts';
import { birthDateOf } from '../../lib/ids.ts';
import { toDateString, utcDate } from '../../lib/periods.ts';
import { checkCount, checkCreditCode, checkIdNumber, checkOrder, checkText, checkYear, optionalText, parseRecordId } from '../../lib/validate.ts';
import { Writer, checkVersion, lockKey, requireReference, requireUnitInScope, updateAtVersion } from '../../lib/writes.ts';
import type {
  ChangeRegistryRecordInput,
  DecideQuotaInput,
  EndRegistryRecordInput,
  RegisterRegistryRecordInput,
} from './generated/resolvers-types.ts';
import type { EstablishmentApplicationRow, QuotaDecisionRow, RegistryRecordRow } from './data.ts';

type Tx = Prisma.TransactionClient;
type Key = string | null | undefined;

const NAME_MAX = 50;
const POST_MAX = 100;
const QUOTA_MAX = 100_000;

/** A registry record in messages: its id only (the person's name and ID number stay out of errors). */
const recordLabel = (id: number) => `real-name record ${id}`;

export class StaffingWrites {
  private readonly writer: Writer<Tx>;

  constructor(prisma: PrismaClient) {
    this.writer = new Writer<Tx>(prisma, 'staffing');
  }

  /** The unit, within the caller's row scope. */
  private async unit(tx: Tx, identity: Identity, code: string, field: string) {
    const unit = requireReference(await tx.unit.findUnique({ where: { code } }), field, `a unit with credit code ${code}`);
    requireUnitInScope(identity, unit.code, field);
    return unit;
  }

  /** One person, one unit, no two records over overlapping periods. */
  private async refuseOverlap(tx: Tx, unitCode: string, idNumber: string, start: string, end: string | null, except?: number) {
    await lockKey(tx, 'registry_record', unitCode, idNumber);
    const other = await tx.registryRecord.findFirst({
      where: {
        unitCode,
        idNumber,
        ...(except ? { id: { not: except } } : {}),
        ...(end ? { startDate: { lte: utcDate(end) } } : {}),
        OR: [{ endDate: null }, { endDate: { gte: utcDate(start) } }],
      },
      select: { id: true },
    });
    if (other) throw badUserInput(`input.idNumber: the person already has ${recordLabel(other.id)} at this unit over an overlapping period`, 'input.idNumber');
  }

  registerRecord(identity: Identity, input: RegisterRegistryRecordInput, idempotencyKey: Key): Promise<RegistryRecordRow> {
    return this.writer.run(
      { mutation: 'registerRegistryRecord', identity, scope: 'staffing:write', idempotencyKey, input },
      () => {
        checkCreditCode(input.unit, 'input.unit');
        checkIdNumber(input.idNumber, 'input.idNumber');
        checkOrder(birthDateOf(input.idNumber), input.startDate, 'the birth date of input.idNumber', 'input.startDate');
        checkOrder(input.startDate, input.endDate, 'input.startDate', 'input.endDate');
        return {
          name: checkText(input.name, 'input.name', NAME_MAX),
          education: optionalText(input.education, 'input.education', NAME_MAX),
          post: checkText(input.post, 'input.post', POST_MAX),
          postCategory: checkText(input.postCategory, 'input.postCategory', NAME_MAX),
        };
      },
      async (tx, text) => {
        const unit = await this.unit(tx, identity, input.unit, 'input.unit');
        await this.refuseOverlap(tx, unit.code, input.idNumber, input.startDate, input.endDate ?? null);
        return tx.registryRecord.create({
          data: {
            unitCode: unit.code,
            idNumber: input.idNumber,
            ...text,
            employmentForm: input.employmentForm,
            startDate: utcDate(input.startDate),
            endDate: input.endDate ? utcDate(input.endDate) : null,
            changeReason: 'ADDED',
            recordedAt: new Date(),
          },
        });
      },
    );
  }

  changeRecord(identity: Identity, input: ChangeRegistryRecordInput, idempotencyKey: Key): Promise<RegistryRecordRow> {
    return this.writer.run(
      { mutation: 'changeRegistryRecord', identity, scope: 'staffing:write', idempotencyKey, input },
      () => {
        const id = parseRecordId(input.id, 'input.id');
        const changes: Prisma.RegistryRecordUpdateManyMutationInput = {};
        if (input.name != null) changes.name = checkText(input.name, 'input.name', NAME_MAX);
        // An empty education clears it.
        if (input.education != null) changes.education = optionalText(input.education, 'input.education', NAME_MAX);
        if (input.post != null) changes.post = checkText(input.post, 'input.post', POST_MAX);
        if (input.postCategory != null) changes.postCategory = checkText(input.postCategory, 'input.postCategory', NAME_MAX);
        if (input.employmentForm != null) changes.employmentForm = input.employmentForm;
        if (input.startDate != null) changes.startDate = utcDate(input.startDate);
        if (Object.keys(changes).length === 0) throw badUserInput('input: nothing to change; give at least one field', 'input');
        return { id, changes };
      },
      async (tx, { id, changes }) => {
        const row = requireReference(await tx.registryRecord.findUnique({ where: { id } }), 'input.id', recordLabel(id));
        requireUnitInScope(identity, row.unitCode, 'input.id');
        checkVersion(recordLabel(id), row.version, input.version, 'input.version');
        if (input.startDate != null) {
          checkOrder(birthDateOf(row.idNumber), input.startDate, 'the birth date of the person', 'input.startDate');
          const end = row.endDate ? toDateString(row.endDate) : null;
          if (end !== null && input.startDate > end) throw badUserInput(`input.startDate (${input.startDate}) is after the record's end date (${end})`, 'input.startDate');
          await this.refuseOverlap(tx, row.unitCode, row.idNumber, input.startDate, end, id);
        }
        return this.updateRecord(tx, id, input.version, changes);
      },
    );
  }

  endRecord(identity: Identity, input: EndRegistryRecordInput, idempotencyKey: Key): Promise<RegistryRecordRow> {
    return this.writer.run(
      { mutation: 'endRegistryRecord', identity, scope: 'staffing:write', idempotencyKey, input },
      () => parseRecordId(input.id, 'input.id'),
      async (tx, id) => {
        const row = requireReference(await tx.registryRecord.findUnique({ where: { id } }), 'input.id', recordLabel(id));
        requireUnitInScope(identity, row.unitCode, 'input.id');
        checkVersion(recordLabel(id), row.version, input.version, 'input.version');
        if (row.endDate) throw badUserInput(`input.id: ${recordLabel(id)} already ended on ${toDateString(row.endDate)}`, 'input.id');
        checkOrder(toDateString(row.startDate), input.endDate, "the record's start date", 'input.endDate');
        return this.updateRecord(tx, id, input.version, { endDate: utcDate(input.endDate), changeReason: input.reason });
      },
    );
  }

  private async updateRecord(tx: Tx, id: number, version: number, changes: Prisma.RegistryRecordUpdateManyMutationInput): Promise<RegistryRecordRow> {
    return updateAtVersion(
      recordLabel(id),
      version,
      'input.version',
      () => tx.registryRecord.updateMany({ where: { id, version }, data: { ...changes, version: { increment: 1 } } }),
      () => tx.registryRecord.findUnique({ where: { id } }),
    );
  }

  decideQuota(identity: Identity, input: DecideQuotaInput, idempotencyKey: Key): Promise<QuotaDecisionRow> {
    return this.writer.run(
      { mutation: 'decideQuota', identity, scope: 'staffing:write', idempotencyKey, input },
      () => {
        checkCreditCode(input.unit, 'input.unit');
        checkYear(input.year, 'input.year');
        checkCount(input.quota, 'input.quota', 0, QUOTA_MAX);
        // 一年一核: decided in the year or the one before it.
        if (input.decidedOn < `${input.year - 1}-01-01` || input.decidedOn > `${input.year}-12-31`) {
          throw badUserInput(`input.decidedOn must fall in ${input.year - 1} or ${input.year}`, 'input.decidedOn');
        }
        const exceptionApproved = input.exceptionApproved ?? false;
        const exceptionDocument = optionalText(input.exceptionDocument, 'input.exceptionDocument', 100);
        if (exceptionApproved && !exceptionDocument) {
          throw badUserInput('input.exceptionDocument: an approved exception needs its document number (文号)', 'input.exceptionDocument');
        }
        return { exceptionApproved, exceptionDocument, reason: optionalText(input.reason, 'input.reason', 500) };
      },
      async (tx, fields) => {
        const unit = await this.unit(tx, identity, input.unit, 'input.unit');
        // A unit's decisions one at a time: the prior year's quota must not move under this check.
        await lockKey(tx, 'quota_decision', unit.code);
        const [current, prior] = await Promise.all([
          tx.quotaDecision.findUnique({ where: { unitCode_year: { unitCode: unit.code, year: input.year } } }),
          tx.quotaDecision.findUnique({ where: { unitCode_year: { unitCode: unit.code, year: input.year - 1 } } }),
        ]);
        const what = `the quota decision of ${unit.code} for ${input.year}`;
        checkVersion(what, current?.version ?? 0, input.version, 'input.version');
        // 只减不增, judged as question 5 judges it: against last year's decision, else the recorded previous quota.
        const previousQuota = prior?.quota ?? current?.previousQuota ?? null;
        if (previousQuota !== null && input.quota > previousQuota && !fields.exceptionApproved) {
          throw new GraphQLError(
            `input.quota: ${input.quota} is above ${input.year - 1}'s quota of ${previousQuota}; quotas only go down (只减不增) unless the rise is an approved exception (exceptionApproved with exceptionDocument)`,
            { extensions: { code: 'QUOTA_RAISE_REFUSED', field: 'input.quota', previousQuota } },
          );
        }
        const data = { quota: input.quota, previousQuota, ...fields, decidedOn: utcDate(input.decidedOn) };
        if (!current) return tx.quotaDecision.create({ data: { unitCode: unit.code, year: input.year, ...data } });
        const version = input.version!;
        return updateAtVersion(
          what,
          version,
          'input.version',
          () => tx.quotaDecision.updateMany({ where: { id: current.id, version }, data: { ...data, version: { increment: 1 } } }),
          () => tx.quotaDecision.findUnique({ where: { id: current.id } }),
        );
      },
    );
  }

  /** check: the caller's own checks (input, suspension), run before the transaction. */
  submitApplication(
    identity: Identity,
    input: { unit: string; subject: string },
    idempotencyKey: Key,
    check: () => Promise<{ unitCode: string; subject: string }>,
  ): Promise<EstablishmentApplicationRow> {
    return this.writer.run({ mutation: 'submitEstablishmentApplication', identity, scope: 'staffing:write', idempotencyKey, input }, check, (tx, { unitCode, subject }) =>
      tx.establishmentApplication.create({
        data: { unitCode, subject, submittedOn: utcDate(new Date().toISOString().slice(0, 10)), status: 'SUBMITTED' },
      }),
    );
  }
}
