import type { PersonnelBudgetResolvers } from '../generated/resolvers-types.ts';

export const PersonnelBudget: PersonnelBudgetResolvers = {
  id: (b) => String(b.id),
  unit: (b) => ({ code: b.unitCode }),
  standardPerHead: (b) => Number(b.standardPerHead),
  amount: (b) => Number(b.amount),
};
