// 编办 subgraph: units, quotas (管控数), the real-name registry (实名制).
import { PrismaClient } from './prisma/generated/client.ts';
import type { Database } from '../../lib/db.ts';
import { buildSubgraph, requestAccess, type Subgraph, type SubgraphOptions } from '../../lib/subgraph.ts';
import { StaffingData, type Context } from './data.ts';
import { resolvers } from './resolvers/index.ts';
import { StaffingRules } from './rules.ts';
import { StaffingWrites } from './writes.ts';

export function createSubgraph(db: Database, options: SubgraphOptions = {}): Subgraph<Context> {
  const prisma = new PrismaClient({ adapter: db.adapter, log: [{ emit: 'event', level: 'query' }] });
  const rules = new StaffingRules(prisma);
  const writes = new StaffingWrites(prisma);
  return buildSubgraph<Context>({
    name: 'staffing',
    prisma,
    resolvers: resolvers as never,
    createContext: (identity, cache) => ({ data: new StaffingData(prisma, identity.town, cache), rules, writes, gateway: options.gateway, ...requestAccess(identity, cache) }),
  });
}
