// The finance bureau's writes (财政局): personnel budgets, through lib/writes.ts (scope, idempotency key,
// one transaction, versions). Units belong to the establishment office and are checked through the graph.
import type { Prisma, PrismaClient } from './prisma/generated/client.ts';
import type { Identity } from '../../lib/auth/identity.ts';
import type { GatewayClient } from '../../lib/gateway-client.ts';
import { UnitReferences } from '../../lib/unit-reference.ts';
import { badUserInput } from '../../lib/errors.ts';
import { utcDate } from '../../lib/periods.ts';
import { checkCount, checkCreditCode, checkYear } from '../../lib/validate.ts';
import { Writer, checkVersion, lockKey, requireReference, requireUnitInScope, updateAtVersion } from '../../lib/writes.ts';
import type { RecordBudgetInput } from './generated/resolvers-types.ts';
import type { PersonnelBudgetRow } from './data.ts';

type Tx = Prisma.TransactionClient;
type Key = string | null | undefined;

const HEADCOUNT_MAX = 100_000;

/** Yuan with two decimals as whole cents, exactly. */
function cents(amount: Prisma.Decimal): number {
  return Math.round(Number(amount.toFixed(2)) * 100);
}

function yuan(totalCents: number): string {
  return `${Math.trunc(totalCents / 100)}.${String(totalCents % 100).padStart(2, '0')}`;
}

export class FinanceWrites {
  private readonly writer: Writer<Tx>;
  private readonly units: UnitReferences;

  constructor(prisma: PrismaClient, gateway: GatewayClient | undefined) {
    this.writer = new Writer<Tx>(prisma, 'finance');
    this.units = new UnitReferences(gateway);
  }

  recordBudget(identity: Identity, input: RecordBudgetInput, idempotencyKey: Key): Promise<PersonnelBudgetRow> {
    return this.writer.run(
      { mutation: 'recordBudget', identity, scope: 'finance:write', idempotencyKey, input },
      async () => {
        checkCreditCode(input.unit, 'input.unit');
        checkYear(input.year, 'input.year');
        checkCount(input.headcountBasis, 'input.headcountBasis', 0, HEADCOUNT_MAX);
        if (input.registrySnapshotDate < `${input.year - 1}-01-01` || input.registrySnapshotDate > `${input.year}-12-31`) {
          throw badUserInput(`input.registrySnapshotDate must fall in ${input.year - 1} or ${input.year}`, 'input.registrySnapshotDate');
        }
        requireUnitInScope(identity, input.unit, 'input.unit');
        return requireReference(await this.units.get(input.unit), 'input.unit', `a unit with credit code ${input.unit}`);
      },
      async (tx, unit) => {
        const standard = requireReference(
          await tx.fundingStandard.findUnique({ where: { category_year: { category: unit.category as never, year: input.year } } }),
          'input.year',
          `a funding standard (定额经费标准) for ${unit.category} in ${input.year}`,
        );
        await lockKey(tx, 'personnel_budget', unit.code, input.year);
        const current = await tx.personnelBudget.findUnique({ where: { unitCode_year: { unitCode: unit.code, year: input.year } } });
        const what = `the personnel budget of ${unit.code} for ${input.year}`;
        checkVersion(what, current?.version ?? 0, input.version, 'input.version');
        // 实名制与人员经费联动: headcount × the category's standard, in cents.
        const data = {
          headcountBasis: input.headcountBasis,
          standardPerHead: standard.amountPerHead,
          amount: yuan(input.headcountBasis * cents(standard.amountPerHead)),
          registrySnapshotDate: utcDate(input.registrySnapshotDate),
        };
        if (!current) return tx.personnelBudget.create({ data: { unitCode: unit.code, year: input.year, ...data } });
        const version = input.version!;
        return updateAtVersion(
          what,
          version,
          'input.version',
          () => tx.personnelBudget.updateMany({ where: { id: current.id, version }, data: { ...data, version: { increment: 1 } } }),
          () => tx.personnelBudget.findUnique({ where: { id: current.id } }),
        );
      },
    );
  }
}
