import type { RegistryRecordResolvers } from '../generated/resolvers-types.ts';

export const RegistryRecord: RegistryRecordResolvers = {
  id: (r) => String(r.id),
  async unit(r, _args, { data }) {
    return (await data.unitByCode.load(r.unitCode))!;
  },
  person: (r) => ({ idNumber: r.idNumber }),
};
