import type { ServiceWorkerResolvers } from '../generated/resolvers-types.ts';

export const ServiceWorker: ServiceWorkerResolvers = {
  person: (w) => ({ idNumber: w.idNumber }),
};
