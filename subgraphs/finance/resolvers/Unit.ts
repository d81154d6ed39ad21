import type { UnitResolvers } from '../generated/resolvers-types.ts';
import { unitInScope } from '../../../lib/auth/identity.ts';
import { checkYear } from '../../../lib/validate.ts';

export const Unit: UnitResolvers = {
  // Units belong to the staffing subgraph; this one only hangs finance data off the code.
  // Units outside a town officer's town do not exist for them.
  __resolveReference(ref, { identity }) {
    return unitInScope(identity, ref.code) ? { code: ref.code } : null;
  },
  budget(unit, { year }, { data }) {
    checkYear(year);
    return data.budgetByUnitYear.load(`${year}|${unit.code}`);
  },
  payroll(unit, { month }, { data }) {
    return data.payrollByUnitMonth.load(`${month}|${unit.code}`);
  },
  payrollTotal(unit, { month }, { data }) {
    return data.payrollTotalByUnitMonth.load(`${month}|${unit.code}`);
  },
  serviceContracts(unit, _args, { data }) {
    return data.serviceContractsByUnit.load(unit.code);
  },
};
