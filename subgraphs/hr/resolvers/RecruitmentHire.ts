import type { RecruitmentHireResolvers } from '../generated/resolvers-types.ts';

export const RecruitmentHire: RecruitmentHireResolvers = {
  person: (h) => ({ idNumber: h.idNumber }),
  async recruitment(h, _args, { data }) {
    // A foreign key guarantees the recruitment exists.
    return (await data.recruitmentById.load(h.recruitmentId))!;
  },
};
