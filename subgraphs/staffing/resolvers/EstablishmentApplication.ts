import type { EstablishmentApplicationResolvers } from '../generated/resolvers-types.ts';

export const EstablishmentApplication: EstablishmentApplicationResolvers = {
  id: (a) => String(a.id),
  async unit(a, _args, { data }) {
    return (await data.unitByCode.load(a.unitCode))!;
  },
};
