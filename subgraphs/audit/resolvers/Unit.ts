import type { UnitResolvers } from '../generated/resolvers-types.ts';
import { unitInScope } from '../../../lib/auth/identity.ts';

export const Unit: UnitResolvers = {
  // Units belong to 编办: the key is all this subgraph needs, so no SQL here.
  // Units outside a town officer's town do not exist for them.
  __resolveReference(ref, { identity }) {
    return unitInScope(identity, ref.code) ? { code: ref.code } : null;
  },
  openLeads(unit, _args, { data }) {
    return data.openLeadsByUnit.load(unit.code);
  },
  leads(unit, _args, { data }) {
    return data.leadsByUnit.load(unit.code);
  },
  inspections(unit, _args, { data }) {
    return data.inspectionsByUnit.load(unit.code);
  },
  rectifications(unit, _args, { data }) {
    return data.rectificationsByUnit.load(unit.code);
  },
};
