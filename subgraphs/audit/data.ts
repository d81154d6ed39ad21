// Data access of audit, inspection tours and supervision (审计/巡察/监督检查): its own database only, batched per request.
import type { PrismaClient, Prisma } from './prisma/generated/client.ts';
import type { GatewayClient } from '../../lib/gateway-client.ts';
import type { RequestAccess } from '../../lib/subgraph.ts';
import { CachedData, NO_CACHE, versionedLoader, type RequestCache } from '../../lib/versioned-cache.ts';
import type { AccessLog } from '../../lib/access-log.ts';
import type { AuditRules } from './rules.ts';
import type { AuditWrites } from './writes.ts';
import { groupBy } from '../../lib/batch.ts';

/** Units and people are owned by 编办; this subgraph only knows their keys. */
export type UnitParent = { code: string };
export type PersonParent = { idNumber: string };
export type InspectionRow = Prisma.InspectionModel;
export type FindingRow = Prisma.FindingModel;
export type IssueLeadRow = Prisma.IssueLeadModel;
export type FeedbackFormRow = Prisma.FeedbackFormModel;
export type RectificationRow = Prisma.RectificationModel;
export type RectificationProgressRow = Prisma.RectificationProgressModel;
/** A district's month, with what other bureaus send for @requires. */
export type DistrictMonthParent = { district: string; month: string; scope: string } & Record<string, unknown>;

export interface LeadFilterInput {
  unit?: string | null;
  units?: readonly string[] | null;
  rule?: string | null;
  status?: readonly IssueLeadRow['status'][] | null;
  source?: IssueLeadRow['source'] | null;
}

/** The request context: data access, this bureau's rules, the caller (from the gateway's signature). */
export interface Context extends RequestAccess {
  data: AuditData;
  rules: AuditRules;
  writes: AuditWrites;
  /** For questions to the whole graph; absent when no gateway is configured. */
  gateway: GatewayClient | undefined;
  /** The gateway's access log, which auditors may query. */
  accessLog: AccessLog | null;
}


const NEWEST_LEADS: Prisma.IssueLeadOrderByWithRelationInput[] = [{ createdAt: 'desc' }, { id: 'desc' }];
const OPEN_STATUSES: IssueLeadRow['status'][] = ['OPEN', 'ROUTED'];

/** The filter's conditions, within the caller's row scope (a town officer's units) when it has one. */
export function leadWhere(filter: LeadFilterInput | null | undefined, scope?: readonly string[]): Prisma.IssueLeadWhereInput {
  const units: Prisma.IssueLeadWhereInput[] = [];
  if (filter?.unit) units.push({ unitCode: filter.unit });
  if (filter?.units) units.push({ unitCode: { in: [...filter.units] } });
  if (scope) units.push({ unitCode: { in: [...scope] } });
  const where: Prisma.IssueLeadWhereInput = units.length ? { AND: units } : {};
  if (filter?.rule) where.rule = filter.rule;
  if (filter?.status) where.status = { in: [...filter.status] };
  if (filter?.source) where.source = filter.source;
  return where;
}

/** Where a page of leads ordered by rule continues: after this lead (its rule and id). */
export type RuleCursor = { rule: string | null; id: number };

/** One instance per request: DataLoaders cache only for the request's lifetime. */
export class AuditData extends CachedData {
  constructor(
    private readonly prisma: PrismaClient,
    cache: RequestCache = NO_CACHE,
  ) {
    super(cache);
  }

  // The gateway asks this for hundreds of units in one _entities request: one statement for all.
  readonly openLeadsByUnit = versionedLoader<string, IssueLeadRow[]>(this.cache, 'openLeadsByUnit', async (codes) => {
    const rows = await this.prisma.issueLead.findMany({
      where: { unitCode: { in: [...codes] }, status: { in: OPEN_STATUSES } },
      orderBy: NEWEST_LEADS,
    });
    const byUnit = groupBy(rows, (r) => r.unitCode);
    return codes.map((c) => byUnit.get(c) ?? []);
  });

  readonly leadsByUnit = versionedLoader<string, IssueLeadRow[]>(this.cache, 'leadsByUnit', async (codes) => {
    const rows = await this.prisma.issueLead.findMany({ where: { unitCode: { in: [...codes] } }, orderBy: NEWEST_LEADS });
    const byUnit = groupBy(rows, (r) => r.unitCode);
    return codes.map((c) => byUnit.get(c) ?? []);
  });

  readonly leadsByPerson = versionedLoader<string, IssueLeadRow[]>(this.cache, 'leadsByPerson', async (ids) => {
    const rows = await this.prisma.issueLead.findMany({ where: { idNumber: { in: [...ids] } }, orderBy: NEWEST_LEADS });
    const byPerson = groupBy(rows, (r) => r.idNumber);
    return ids.map((id) => byPerson.get(id) ?? []);
  });

  readonly leadById = versionedLoader<number, IssueLeadRow | null>(this.cache, 'leadById', async (ids) => {
    const rows = await this.prisma.issueLead.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  readonly inspectionById = versionedLoader<number, InspectionRow | null>(this.cache, 'inspectionById', async (ids) => {
    const rows = await this.prisma.inspection.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  readonly findingById = versionedLoader<number, FindingRow | null>(this.cache, 'findingById', async (ids) => {
    const rows = await this.prisma.finding.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  readonly feedbackFormById = versionedLoader<number, FeedbackFormRow | null>(this.cache, 'feedbackFormById', async (ids) => {
    const rows = await this.prisma.feedbackForm.findMany({ where: { id: { in: [...ids] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? null);
  });

  // A join in the database (relationLoadStrategy 'join'), so still one statement.
  readonly inspectionsByUnit = versionedLoader<string, InspectionRow[]>(this.cache, 'inspectionsByUnit', async (codes) => {
    const links = await this.prisma.inspectionUnit.findMany({
      where: { unitCode: { in: [...codes] } },
      include: { inspection: true },
      orderBy: [{ inspection: { startedOn: 'desc' } }, { inspectionId: 'desc' }],
      relationLoadStrategy: 'join',
    });
    for (const l of links) this.inspectionById.prime(l.inspectionId, l.inspection);
    const byUnit = groupBy(links, (l) => l.unitCode);
    return codes.map((c) => (byUnit.get(c) ?? []).map((l) => l.inspection));
  });

  readonly unitsByInspection = versionedLoader<number, UnitParent[]>(this.cache, 'unitsByInspection', async (ids) => {
    const links = await this.prisma.inspectionUnit.findMany({
      where: { inspectionId: { in: [...ids] } },
      orderBy: [{ inspectionId: 'asc' }, { unitCode: 'asc' }],
    });
    const byInspection = groupBy(links, (l) => l.inspectionId);
    return ids.map((id) => (byInspection.get(id) ?? []).map((l) => ({ code: l.unitCode })));
  });

  readonly findingsByInspection = versionedLoader<number, FindingRow[]>(this.cache, 'findingsByInspection', async (ids) => {
    const rows = await this.prisma.finding.findMany({
      where: { inspectionId: { in: [...ids] } },
      orderBy: [{ foundOn: 'asc' }, { id: 'asc' }],
    });
    for (const r of rows) this.findingById.prime(r.id, r);
    const byInspection = groupBy(rows, (r) => r.inspectionId);
    return ids.map((id) => byInspection.get(id) ?? []);
  });

  readonly feedbackFormsByInspection = versionedLoader<number, FeedbackFormRow[]>(this.cache, 'feedbackFormsByInspection', async (ids) => {
    const rows = await this.prisma.feedbackForm.findMany({
      where: { inspectionId: { in: [...ids] } },
      orderBy: [{ issuedOn: 'asc' }, { id: 'asc' }],
    });
    for (const r of rows) this.feedbackFormById.prime(r.id, r);
    const byInspection = groupBy(rows, (r) => r.inspectionId);
    return ids.map((id) => byInspection.get(id) ?? []);
  });

  readonly rectificationsByUnit = versionedLoader<string, RectificationRow[]>(this.cache, 'rectificationsByUnit', async (codes) => {
    const rows = await this.prisma.rectification.findMany({
      where: { unitCode: { in: [...codes] } },
      orderBy: [{ deadline: 'asc' }, { id: 'asc' }],
    });
    const byUnit = groupBy(rows, (r) => r.unitCode);
    return codes.map((c) => byUnit.get(c) ?? []);
  });

  readonly rectificationsByFeedbackForm = versionedLoader<number, RectificationRow[]>(this.cache, 'rectificationsByFeedbackForm', async (ids) => {
    const rows = await this.prisma.rectification.findMany({
      where: { feedbackFormId: { in: [...ids] } },
      orderBy: [{ deadline: 'asc' }, { id: 'asc' }],
    });
    const byForm = groupBy(rows, (r) => r.feedbackFormId);
    return ids.map((id) => byForm.get(id) ?? []);
  });

  readonly progressByRectification = versionedLoader<number, RectificationProgressRow[]>(this.cache, 'progressByRectification', async (ids) => {
    const rows = await this.prisma.rectificationProgress.findMany({
      where: { rectificationId: { in: [...ids] } },
      orderBy: [{ recordedAt: 'asc' }, { id: 'asc' }],
    });
    const byRectification = groupBy(rows, (r) => r.rectificationId);
    return ids.map((id) => byRectification.get(id) ?? []);
  });

  async inspections(kind: InspectionRow['kind'] | null | undefined, year: number | null | undefined) {
    const rows = await this.prisma.inspection.findMany({
      where: { ...(kind ? { kind } : {}), ...(year != null ? { year } : {}) },
      orderBy: [{ startedOn: 'desc' }, { id: 'desc' }],
    });
    for (const r of rows) this.inspectionById.prime(r.id, r);
    return rows;
  }

  /** Newest first by id; `before` is the last id of the previous page. */
  async leads(filter: LeadFilterInput | null | undefined, first: number, before: number | null, scope?: readonly string[]) {
    const where = leadWhere(filter, scope);
    const [rows, totalCount] = await Promise.all([
      this.prisma.issueLead.findMany({
        where: before === null ? where : { AND: [where, { id: { lt: before } }] },
        orderBy: { id: 'desc' },
        take: first + 1,
      }),
      this.prisma.issueLead.count({ where }),
    ]);
    return { rows, totalCount };
  }

  /** By rule (nulls last), newest first within a rule; `after` is the last lead of the previous page. */
  async leadsByRule(filter: LeadFilterInput | null | undefined, first: number, after: RuleCursor | null, scope?: readonly string[]) {
    const where = leadWhere(filter, scope);
    const rest: Prisma.IssueLeadWhereInput | null =
      after === null
        ? null
        : after.rule === null
          ? { rule: null, id: { lt: after.id } }
          : { OR: [{ rule: after.rule, id: { lt: after.id } }, { rule: { gt: after.rule } }, { rule: null }] };
    const [rows, totalCount] = await Promise.all([
      this.prisma.issueLead.findMany({
        where: rest === null ? where : { AND: [where, rest] },
        orderBy: [{ rule: { sort: 'asc', nulls: 'last' } }, { id: 'desc' }],
        take: first + 1,
      }),
      this.prisma.issueLead.count({ where }),
    ]);
    return { rows, totalCount };
  }
}
