// 审计/巡察/监督检查 subgraph: inspections, findings, issue leads, feedback forms, rectifications.
import { PrismaClient } from './prisma/generated/client.ts';
import type { Database } from '../../lib/db.ts';
import { buildSubgraph, requestAccess, type Subgraph, type SubgraphOptions } from '../../lib/subgraph.ts';
import { AuditData, type Context } from './data.ts';
import { resolvers } from './resolvers/index.ts';
import { AuditRules } from './rules.ts';
import { AuditWrites } from './writes.ts';

export function createSubgraph(db: Database, options: SubgraphOptions = {}): Subgraph<Context> {
  const prisma = new PrismaClient({ adapter: db.adapter, log: [{ emit: 'event', level: 'query' }] });
  const rules = new AuditRules(prisma);
  const writes = new AuditWrites(prisma, options.gateway);
  return buildSubgraph<Context>({
    name: 'audit',
    prisma,
    resolvers: resolvers as never,
    createContext: (identity, cache) => ({ data: new AuditData(prisma, cache), rules, writes, gateway: options.gateway, accessLog: options.accessLog ?? null, ...requestAccess(identity, cache) }),
  });
}
