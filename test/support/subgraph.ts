// One subgraph on its own, for its unit tests: a fresh database, rows inserted by the test, and
// operations run through Apollo's executeOperation (as the gateway would send them).
import { ApolloServer } from '@apollo/server';
import type { Database } from '../../lib/db.ts';
import type { Subgraph, SubgraphName } from '../../lib/subgraph.ts';
import { freshDatabase } from './databases.ts';
import { identityOf, type Identity } from '../../lib/auth/identity.ts';

export interface SubgraphHarness {
  db: Database;
  subgraph: Subgraph;
  /** Runs an operation as the given caller (default: an auditor, who may see everything). */
  run(query: string, variables?: Record<string, unknown>, identity?: Identity): Promise<{ data?: Record<string, any> | null; errors?: readonly any[] }>;
  /** Runs an operation and counts the SQL statements it took. */
  counted(query: string, variables?: Record<string, unknown>): Promise<{ result: Awaited<ReturnType<SubgraphHarness['run']>>; statements: number }>;
  stop(): Promise<void>;
}

export async function startSubgraph(
  name: SubgraphName,
  create: (db: Database) => Subgraph,
  fill: (db: Database) => Promise<void>,
): Promise<SubgraphHarness> {
  const { db, drop } = await freshDatabase(name);
  await fill(db);
  const subgraph = create(db);
  // These tests count the statements each resolver batches; caching across requests is test/cache.test.ts's.
  subgraph.cache.enabled = false;
  const server = new ApolloServer({ schema: subgraph.schema });
  await server.start();
  const run: SubgraphHarness['run'] = async (query, variables = {}, identity = identityOf('test:auditor', 'AUDITOR')) => {
    const res = await server.executeOperation({ query, variables }, { contextValue: subgraph.createContext(identity) });
    if (res.body.kind !== 'single') throw new Error('expected a single result');
    return res.body.singleResult as Awaited<ReturnType<SubgraphHarness['run']>>;
  };
  return {
    db,
    subgraph,
    run,
    async counted(query, variables) {
      const before = subgraph.sqlStatements();
      const result = await run(query, variables);
      return { result, statements: subgraph.sqlStatements() - before };
    },
    async stop() {
      await server.stop();
      await subgraph.close();
      await drop();
    },
  };
}
