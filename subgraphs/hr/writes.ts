// The HR bureau's writes (人社局): labour contracts and dispatch agreements, social-insurance enrolments,
// through lib/writes.ts (scope, idempotency key, one transaction, versions). Units belong to the
// establishment office and are checked through the graph.
import type { Prisma, PrismaClient } from './prisma/generated/client.ts';
import type { Identity } from '../../lib/auth/identity.ts';
import type { GatewayClient } from '../../lib/gateway-client.ts';
import { UnitReferences, type UnitFacts } from '../../lib/unit-reference.ts';
import { badUserInput } from '../../lib/errors.ts';
import { birthDateOf } from '../../lib/ids.ts';
import { utcDate } from '../../lib/periods.ts';
import { checkCreditCode, checkIdNumber, checkOrder, checkText, optionalText, parseRecordId } from '../../lib/validate.ts';
import { Writer, checkVersion, lockKey, requireReference, requireUnitInScope, updateAtVersion } from '../../lib/writes.ts';
import type { RecordContractInput, RecordInsuranceEnrolmentInput } from './generated/resolvers-types.ts';
import type { EmploymentContractRow, InsuranceEnrolmentRow } from './data.ts';

type Tx = Prisma.TransactionClient;
type Key = string | null | undefined;

const CONTRACT_NUMBER = /^[A-Za-z0-9-]{1,40}$/;
const NAME_MAX = 50;

export class HrWrites {
  private readonly writer: Writer<Tx>;
  private readonly units: UnitReferences;

  constructor(prisma: PrismaClient, gateway: GatewayClient | undefined) {
    this.writer = new Writer<Tx>(prisma, 'hr');
    this.units = new UnitReferences(gateway);
  }

  /** The person's ID number and name, checked; the birth date (from the ID number) bounds the start. */
  private person(input: { idNumber: string; name: string }, start: string, startField: string): string {
    checkIdNumber(input.idNumber, 'input.idNumber');
    checkOrder(birthDateOf(input.idNumber).slice(0, start.length), start, 'the birth date of input.idNumber', startField);
    return checkText(input.name, 'input.name', NAME_MAX);
  }

  /** The unit: in the caller's row scope and known to the establishment office. */
  private async unit(identity: Identity, code: string): Promise<UnitFacts> {
    checkCreditCode(code, 'input.unit');
    requireUnitInScope(identity, code, 'input.unit');
    return requireReference(await this.units.get(code), 'input.unit', `a unit with credit code ${code}`);
  }

  recordContract(identity: Identity, input: RecordContractInput, idempotencyKey: Key): Promise<EmploymentContractRow> {
    return this.writer.run(
      { mutation: 'recordContract', identity, scope: 'hr:write', idempotencyKey, input },
      async () => {
        if (!CONTRACT_NUMBER.test(input.number)) throw badUserInput('input.number must be 1 to 40 letters, digits or dashes', 'input.number');
        const name = this.person(input, input.startDate, 'input.startDate');
        const agency = optionalText(input.dispatchAgency, 'input.dispatchAgency', 100);
        if (input.kind === 'DISPATCH' && !agency) throw badUserInput('input.dispatchAgency: a dispatch agreement (劳务派遣协议) names its agency', 'input.dispatchAgency');
        if (input.kind !== 'DISPATCH' && agency) throw badUserInput('input.dispatchAgency: only dispatch agreements have an agency', 'input.dispatchAgency');
        checkOrder(input.startDate, input.endDate, 'input.startDate', 'input.endDate');
        if (input.endDate && input.signedOn > input.endDate) throw badUserInput(`input.signedOn (${input.signedOn}) is after input.endDate (${input.endDate})`, 'input.signedOn');
        checkOrder(input.startDate, input.terminatedOn, 'input.startDate', 'input.terminatedOn');
        if (input.endDate && input.terminatedOn && input.terminatedOn > input.endDate) {
          throw badUserInput(`input.terminatedOn (${input.terminatedOn}) is after input.endDate (${input.endDate})`, 'input.terminatedOn');
        }
        return { agency, name, unit: await this.unit(identity, input.unit) };
      },
      async (tx, { agency, name, unit }) => {
        await lockKey(tx, 'employment_contract', input.number);
        const current = await tx.employmentContract.findUnique({ where: { id: input.number } });
        const what = `contract ${input.number}`;
        checkVersion(what, current?.version ?? 0, input.version, 'input.version');
        const data = {
          idNumber: input.idNumber,
          name,
          unitCode: unit.code,
          kind: input.kind,
          dispatchAgency: agency,
          startDate: utcDate(input.startDate),
          endDate: input.endDate ? utcDate(input.endDate) : null,
          signedOn: utcDate(input.signedOn),
          terminatedOn: input.terminatedOn ? utcDate(input.terminatedOn) : null,
        };
        if (!current) return tx.employmentContract.create({ data: { id: input.number, ...data } });
        const version = input.version!;
        return updateAtVersion(
          what,
          version,
          'input.version',
          () => tx.employmentContract.updateMany({ where: { id: input.number, version }, data: { ...data, version: { increment: 1 } } }),
          () => tx.employmentContract.findUnique({ where: { id: input.number } }),
        );
      },
    );
  }

  recordInsuranceEnrolment(identity: Identity, input: RecordInsuranceEnrolmentInput, idempotencyKey: Key): Promise<InsuranceEnrolmentRow> {
    return this.writer.run(
      { mutation: 'recordInsuranceEnrolment', identity, scope: 'hr:write', idempotencyKey, input },
      async () => {
        const id = input.id == null ? null : parseRecordId(input.id, 'input.id');
        const name = this.person(input, input.startMonth, 'input.startMonth');
        checkOrder(input.startMonth, input.endMonth, 'input.startMonth', 'input.endMonth');
        return { id, name, unit: await this.unit(identity, input.unit) };
      },
      async (tx, { id, name, unit }) => {
        await lockKey(tx, 'insurance_enrolment', unit.code, input.idNumber);
        const current = id === null ? null : requireReference(await tx.insuranceEnrolment.findUnique({ where: { id } }), 'input.id', `insurance enrolment ${id}`);
        const what = `insurance enrolment ${id ?? '(new)'}`;
        checkVersion(what, current?.version ?? 0, input.version, 'input.version');
        // One enrolment of a person through a unit at a time.
        const overlapping = await tx.insuranceEnrolment.findFirst({
          where: {
            unitCode: unit.code,
            idNumber: input.idNumber,
            ...(id !== null ? { id: { not: id } } : {}),
            ...(input.endMonth ? { startMonth: { lte: input.endMonth } } : {}),
            OR: [{ endMonth: null }, { endMonth: { gte: input.startMonth } }],
          },
          select: { id: true },
        });
        if (overlapping) throw badUserInput(`input.startMonth: the person is already enrolled through this unit over these months (enrolment ${overlapping.id})`, 'input.startMonth');
        const data = { idNumber: input.idNumber, name, unitCode: unit.code, startMonth: input.startMonth, endMonth: input.endMonth ?? null };
        if (!current) return tx.insuranceEnrolment.create({ data });
        const version = input.version!;
        return updateAtVersion(
          what,
          version,
          'input.version',
          () => tx.insuranceEnrolment.updateMany({ where: { id: current.id, version }, data: { ...data, version: { increment: 1 } } }),
          () => tx.insuranceEnrolment.findUnique({ where: { id: current.id } }),
        );
      },
    );
  }
}
