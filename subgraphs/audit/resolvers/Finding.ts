import type { FindingResolvers } from '../generated/resolvers-types.ts';

export const Finding: FindingResolvers = {
  id: (f) => String(f.id),
  async inspection(f, _args, { data }) {
    return (await data.inspectionById.load(f.inspectionId))!;
  },
  unit: (f) => ({ code: f.unitCode }),
};
