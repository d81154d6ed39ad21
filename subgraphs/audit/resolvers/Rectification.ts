import type { RectificationResolvers } from '../generated/resolvers-types.ts';

export const Rectification: RectificationResolvers = {
  id: (r) => String(r.id),
  unit: (r) => ({ code: r.unitCode }),
  feedbackForm(r, _args, { data }) {
    return r.feedbackFormId === null ? null : data.feedbackFormById.load(r.feedbackFormId);
  },
  finding(r, _args, { data }) {
    return r.findingId === null ? null : data.findingById.load(r.findingId);
  },
  progress: (r, _args, { data }) => data.progressByRectification.load(r.id),
};
