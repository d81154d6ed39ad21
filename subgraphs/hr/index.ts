// 人社局 subgraph: recruitment, labour contracts and dispatch, rehired retirees, insurance, pay standards, exits.
import { PrismaClient } from './prisma/generated/client.ts';
import type { Database } from '../../lib/db.ts';
import { buildSubgraph, requestAccess, type Subgraph, type SubgraphOptions } from '../../lib/subgraph.ts';
import { HrData, type Context } from './data.ts';
import { resolvers } from './resolvers/index.ts';
import { HrRules } from './rules.ts';
import { HrWrites } from './writes.ts';

export function createSubgraph(db: Database, options: SubgraphOptions = {}): Subgraph<Context> {
  const prisma = new PrismaClient({ adapter: db.adapter, log: [{ emit: 'event', level: 'query' }] });
  const rules = new HrRules(prisma);
  const writes = new HrWrites(prisma, options.gateway);
  return buildSubgraph<Context>({
    name: 'hr',
    prisma,
    resolvers: resolvers as never,
    createContext: (identity, cache) => ({ data: new HrData(prisma, cache), rules, writes, gateway: options.gateway, ...requestAccess(identity, cache) }),
  });
}
