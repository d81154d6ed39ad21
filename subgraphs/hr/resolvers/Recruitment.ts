import type { RecruitmentResolvers } from '../generated/resolvers-types.ts';

export const Recruitment: RecruitmentResolvers = {
  id: (r) => String(r.id),
  unit: (r) => ({ code: r.unitCode }),
  steps(r, _args, { data }) {
    return data.stepsByRecruitment.load(r.id);
  },
  hires(r, _args, { data }) {
    return data.hiresByRecruitment.load(r.id);
  },
};
