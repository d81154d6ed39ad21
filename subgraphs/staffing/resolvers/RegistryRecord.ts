import type { RegistryRecordResolvers } from '../generated/resolvers-types.ts';

export const RegistryRecord: RegistryRecordResolvers = {
  async __resolveReference(ref, { data }) {
    const id = Number(ref.id);
    return Number.isSafeInteger(id) ? data.recordById.load(id) : null;
  },
  id: (r) => String(r.id),
  async unit(r, _args, { data }) {
    return (await data.unitByCode.load(r.unitCode))!;
  },
  person: (r) => ({ idNumber: r.idNumber }),
};
