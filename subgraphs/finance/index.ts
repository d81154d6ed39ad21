// 区财政局 subgraph: funding standards, personnel budgets, payroll, purchase-of-service contracts.
import { PrismaClient } from './prisma/generated/client.ts';
import type { Database } from '../../lib/db.ts';
import { buildSubgraph, requestAccess, type Subgraph, type SubgraphOptions } from '../../lib/subgraph.ts';
import { FinanceData, type Context } from './data.ts';
import { resolvers } from './resolvers/index.ts';
import { FinanceRules } from './rules.ts';
import { FinanceWrites } from './writes.ts';

export function createSubgraph(db: Database, options: SubgraphOptions = {}): Subgraph<Context> {
  const prisma = new PrismaClient({ adapter: db.adapter, log: [{ emit: 'event', level: 'query' }] });
  const rules = new FinanceRules(prisma);
  const writes = new FinanceWrites(prisma, options.gateway);
  return buildSubgraph<Context>({
    name: 'finance',
    prisma,
    resolvers: resolvers as never,
    createContext: (identity, cache) => ({ data: new FinanceData(prisma, cache), rules, writes, gateway: options.gateway, ...requestAccess(identity, cache) }),
  });
}
