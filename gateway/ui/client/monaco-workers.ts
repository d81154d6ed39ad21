// GraphiQL's Monaco editors run their language services in web workers: the gateway serves them from
// the same bundle (gateway/ui/build.ts), never from a CDN. Must run before Monaco loads.
const WORKERS: Record<string, string> = { json: '/ui/json.worker.js', graphql: '/ui/graphql.worker.js' };

(globalThis as unknown as { MonacoEnvironment: unknown }).MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    return new Worker(WORKERS[label] ?? '/ui/editor.worker.js', { name: label });
  },
};
