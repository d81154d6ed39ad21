import type { UnitResolvers } from '../generated/resolvers-types.ts';
import { unitInScope } from '../../../lib/auth/identity.ts';

export const Unit: UnitResolvers = {
  // The unit itself lives in the establishment office's subgraph; HR only keys its records by the code.
  // Units outside a town officer's town do not exist for them.
  __resolveReference(ref, { identity }) {
    return unitInScope(identity, ref.code) ? { code: ref.code } : null;
  },
  contracts(unit, { activeIn, kind }, { data }) {
    return data.contractsByUnit.load(`${activeIn ?? ''}|${kind ?? ''}|${unit.code}`);
  },
  rehires(unit, _args, { data }) {
    return data.rehiresByUnit.load(unit.code);
  },
  insuranceEnrolments(unit, { activeIn }, { data }) {
    return data.insuranceByUnit.load(`${activeIn ?? ''}|${unit.code}`);
  },
  recruitments(unit, _args, { data }) {
    return data.recruitmentsByUnit.load(unit.code);
  },
  exits(unit, _args, { data }) {
    return data.exitsByUnit.load(unit.code);
  },
};
