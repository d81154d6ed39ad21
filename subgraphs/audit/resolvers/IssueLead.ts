import type { IssueLeadResolvers } from '../generated/resolvers-types.ts';

export const IssueLead: IssueLeadResolvers = {
  id: (l) => String(l.id),
  unit: (l) => ({ code: l.unitCode }),
  person: (l) => (l.idNumber ? { idNumber: l.idNumber } : null),
  finding(l, _args, { data }) {
    return l.findingId === null ? null : data.findingById.load(l.findingId);
  },
};
