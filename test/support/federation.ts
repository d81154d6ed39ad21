// A whole federation for one test file: fresh databases per bureau, demo data loaded, four subgraph
// servers and the gateway on ephemeral ports. Queries go over HTTP, the way users send them.
import { SUBGRAPH_NAMES, type SubgraphName } from '../../lib/subgraph.ts';
import type { Database } from '../../lib/db.ts';
import { startFederation, type Federation } from '../../scripts/monolith.ts';
import { load } from '../../scripts/seed/load.ts';
import type { GeneratedData } from '../../scripts/seed/generate.ts';
import { freshDatabase, type TestDatabase } from './databases.ts';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestFederation extends Federation {
  dbs: Record<SubgraphName, Database>;
  query<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** SQL statements per subgraph run by one operation. */
  countStatements<T>(run: () => Promise<T>): Promise<{ result: T; statements: Record<SubgraphName, number> }>;
}

export async function postGraphQL<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: res.status, ...json };
}

export async function startTestFederation(data: GeneratedData): Promise<TestFederation> {
  const tdbs = {} as Record<SubgraphName, TestDatabase>;
  for (const name of SUBGRAPH_NAMES) tdbs[name] = await freshDatabase(name);
  const dbs = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, tdbs[n].db])) as Record<SubgraphName, Database>;
  await load(data, dbs);
  const federation = await startFederation({ dbs, ports: 'ephemeral' });
  return {
    ...federation,
    dbs,
    query: (query, variables) => postGraphQL(federation.gatewayUrl, { query, variables }),
    async countStatements(run) {
      const before = federation.sqlStatements();
      const result = await run();
      const after = federation.sqlStatements();
      const statements = Object.fromEntries(SUBGRAPH_NAMES.map((n) => [n, after[n] - before[n]])) as Record<SubgraphName, number>;
      return { result, statements };
    },
    async stop() {
      await federation.stop();
      for (const name of SUBGRAPH_NAMES) await tdbs[name].drop();
    },
  };
}
