import type { UnitResolvers } from '../generated/resolvers-types.ts';

export const Unit: UnitResolvers = {
  // Units belong to 编办: the key is all this subgraph needs, so no SQL here.
  __resolveReference(ref) {
    return { code: ref.code };
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
