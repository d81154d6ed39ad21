import type { FeedbackFormResolvers } from '../generated/resolvers-types.ts';

export const FeedbackForm: FeedbackFormResolvers = {
  id: (f) => String(f.id),
  async inspection(f, _args, { data }) {
    return (await data.inspectionById.load(f.inspectionId))!;
  },
  unit: (f) => ({ code: f.unitCode }),
  rectifications(f, _args, { data }) {
    return data.rectificationsByFeedbackForm.load(f.id);
  },
};
