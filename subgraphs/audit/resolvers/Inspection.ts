import type { InspectionResolvers } from '../generated/resolvers-types.ts';

export const Inspection: InspectionResolvers = {
  id: (i) => String(i.id),
  units(i, _args, { data }) {
    return data.unitsByInspection.load(i.id);
  },
  findings(i, _args, { data }) {
    return data.findingsByInspection.load(i.id);
  },
  feedbackForms(i, _args, { data }) {
    return data.feedbackFormsByInspection.load(i.id);
  },
};
