// Audit's side of the cross-bureau rules (docs/rules.md): overdue rectifications and suspensions (question
// 10), and the lead sweep that records every rule's hits as issue leads (问题线索) and routes them (问题抄送).
import { GraphQLError } from 'graphql';
import type { Prisma, PrismaClient } from './prisma/generated/client.ts';
import type { GatewayClient } from '../../lib/gateway-client.ts';
import { readOperation } from '../../lib/operations.ts';
import { daysBetween, monthRange, unitsMatching, type UnitDirectoryRow, type UnitFilterInput } from '../../lib/cross-check.ts';
import type { IssueLeadRow, RectificationRow } from './data.ts';
import { badUserInput } from '../../lib/errors.ts';

type Bureau = IssueLeadRow['evidenceBureaus'][number];
type Route = NonNullable<IssueLeadRow['routedTo']>;

export type OverdueRectificationResult = { unit: { code: string }; rectification: RectificationRow; daysOverdue: number };
export type RegistrySuspensionResult = { unit: { code: string }; leads: IssueLeadRow[]; rectificationNeeded: string };
export type LeadSweepRuleReport = { rule: string; period: string; found: number; created: number; reopened: number; unchanged: number; resolvedByData: number };
export type LeadSweepReportResult = Omit<LeadSweepRuleReport, 'rule' | 'period'> & { district: string; month: string; rules: LeadSweepRuleReport[] };

const OPEN: IssueLeadRow['status'][] = ['OPEN', 'ROUTED'];

/** Registry rules whose open leads suspend a unit's establishment applications, and what lifts them. */
export const REGISTRY_RULES: Record<string, string> = {
  UNREPORTED_STAFF: '将未纳入实名制的编外人员录入实名制系统',
  GHOST_RECORD: '核实并注销空挂的实名制记录',
  REGISTRY_LATE: '按劳动合同起止日期及时更新实名制信息',
};

/** One hit of a rule, as a lead records it. */
interface Hit {
  unit: string;
  idNumber: string | null;
  description: string;
  evidence: Bureau[];
}

type Node = Record<string, any>;
interface SweepRule {
  rule: string;
  operation: string;
  period: 'month' | 'year';
  /** 问题抄送: where a new lead of the rule is handed on. */
  route: Route;
  hits(node: Node): Hit[];
}

const unitName = (n: Node) => `${n.unit.name}（${n.unit.code}）`;
const person = (n: Node, evidence: Bureau[], text: string): Hit[] => [{ unit: n.unit.code, idNumber: n.person.idNumber, description: text, evidence }];
const unitHit = (n: Node, evidence: Bureau[], text: string): Hit[] => [{ unit: n.unit.code, idNumber: null, description: text, evidence }];

/** The rules the sweep runs; each names its operation in schema/operations/LeadSweep.graphql. */
export const SWEEP_RULES: readonly SweepRule[] = [
  {
    rule: 'UNREPORTED_STAFF', operation: 'SweepUnreportedStaff', period: 'month', route: 'INSPECTION_TOUR',
    hits: (n) => n.people.map((p: Node): Hit => ({
      unit: n.unit.code,
      idNumber: p.person.idNumber,
      description: `${p.name}在${unitName(n)}有用工或发薪记录，未纳入实名制管理`,
      evidence: ['STAFFING', ...new Set<Bureau>(p.evidence.map((e: Node) => e.bureau))],
    })),
  },
  { rule: 'GHOST_RECORD', operation: 'SweepGhostRecords', period: 'month', route: 'INSPECTION_TOUR',
    hits: (n) => person(n, ['STAFFING', 'HR', 'FINANCE'], `${n.record.name}在${unitName(n)}实名制在册，但无劳动合同、社保和工资记录（空挂）`) },
  { rule: 'OVER_QUOTA', operation: 'SweepOverQuota', period: 'month', route: 'INSPECTION_TOUR',
    hits: (n) => unitHit(n, ['STAFFING', 'HR'], `${unitName(n)}实名制${n.registeredHeadcount}人、人社在用${n.hrHeadcount}人，超出管控数${n.quota.quota}`) },
  { rule: 'UNRECOVERED_OUTSOURCING', operation: 'SweepUnrecoveredOutsourcing', period: 'month', route: 'AUDIT',
    hits: (n) => unitHit(n, ['FINANCE', 'STAFFING'], `${unitName(n)}政府购买服务合同${n.contract.number}（${n.workers}人）未收回编外用工管控数`) },
  { rule: 'DISGUISED_OUTSOURCING', operation: 'SweepDisguisedOutsourcing', period: 'month', route: 'AUDIT',
    hits: (n) => person(n, ['FINANCE', 'STAFFING'], `${n.name}既在${unitName(n)}购买服务合同${n.contract.number}中，又${n.onRegistry ? '在实名制在册' : '在单位工资发放'}（变相外包）`) },
  { rule: 'PAY_ABOVE_STANDARD', operation: 'SweepPayAboveStandard', period: 'month', route: 'AUDIT',
    hits: (n) => person(n, ['FINANCE', 'HR', 'STAFFING'], `${n.payrollLine.name}在${unitName(n)}应发工资${n.payrollLine.grossPay}元，超过薪酬标准${n.standard}元`) },
  { rule: 'NO_AGREEMENT', operation: 'SweepMissingAgreements', period: 'month', route: 'INSPECTION_TOUR',
    hits: (n) => person(n, ['HR', 'STAFFING'], `${n.name}在${unitName(n)}实名制在册（${n.employmentForm}），但无有效劳动合同、派遣或返聘协议`) },
  { rule: 'RETIREE_OVER_AGE', operation: 'SweepRetireesOverAgeLimit', period: 'month', route: 'INSPECTION_TOUR',
    hits: (n) => person(n, ['HR', 'STAFFING'], `${n.name}在${unitName(n)}退休返聘，已满${n.age}周岁，超过返聘年龄上限`) },
  { rule: 'HIRED_WITHOUT_RECRUITMENT', operation: 'SweepHiredWithoutRecruitment', period: 'month', route: 'DISCIPLINE',
    hits: (n) => person(n, ['HR', 'STAFFING'], `${n.name}于${n.startDate}进入${unitName(n)}，无公开招聘记录`) },
  { rule: 'REGISTRY_LATE', operation: 'SweepRegistryLate', period: 'month', route: 'INSPECTION_TOUR',
    hits: (n) => person(n, ['STAFFING', 'HR'], `${n.name}在${unitName(n)}的实名制${n.kind === 'START' ? '录入' : '减员'}晚于劳动合同${n.daysLate}天`) },
  { rule: 'OVERDUE_RECTIFICATION', operation: 'SweepOverdueRectifications', period: 'month', route: 'DISCIPLINE',
    hits: (n) => unitHit(n, ['AUDIT'], `${unitName(n)}整改事项逾期${n.daysOverdue}天未完成：${n.rectification.description}`) },
  { rule: 'BUDGET_LINKAGE', operation: 'SweepBudgetLinkage', period: 'year', route: 'AUDIT',
    hits: (n) => unitHit(n, ['FINANCE', 'STAFFING'], `${unitName(n)}人员经费预算按${n.budget.headcountBasis}人、${n.budget.amount}元编制，实名制应为${n.registeredHeadcount}人、${n.expectedAmount}元`) },
  { rule: 'QUOTA_RAISED', operation: 'SweepQuotaRaised', period: 'year', route: 'INSPECTION_TOUR',
    hits: (n) => unitHit(n, ['STAFFING'], `${unitName(n)}编外用工管控数由${n.priorQuota}增至${n.decision.quota}，未经批准（违反只减不增）`) },
];

const leadKey = (rule: string, period: string, unit: string, idNumber: string | null) => `${rule}|${period}|${unit.trim()}|${idNumber?.trim() ?? ''}`;

export class AuditRules {
  private sweepDocument?: string;
  constructor(private readonly prisma: PrismaClient) {}

  /** Question 10: rectifications not completed by the month's last day although past their deadline. */
  async overdueRectifications(month: string, directory: readonly UnitDirectoryRow[], filter: UnitFilterInput | null | undefined) {
    const units = unitsMatching(directory, filter);
    if (units.size === 0) return [];
    const { last } = monthRange(month);
    const lastDay = new Date(`${last}T00:00:00Z`);
    const rows = await this.prisma.rectification.findMany({
      where: {
        unitCode: { in: [...units.keys()] },
        deadline: { lt: lastDay },
        // A completed rectification without a completion date counts as done.
        OR: [{ status: { not: 'COMPLETED' } }, { completedOn: { gt: lastDay } }],
      },
    });
    return rows.map((r): OverdueRectificationResult => ({
      unit: { code: r.unitCode },
      rectification: r,
      daysOverdue: daysBetween(r.deadline.toISOString().slice(0, 10), last),
    }));
  }

  /** Question 10: units with open registry leads, whose establishment applications are suspended. */
  async registrySuspensions(directory: readonly UnitDirectoryRow[], filter: UnitFilterInput | null | undefined) {
    const units = unitsMatching(directory, filter);
    if (units.size === 0) return [];
    const leads = await this.prisma.issueLead.findMany({
      where: { unitCode: { in: [...units.keys()] }, status: { in: OPEN }, rule: { in: Object.keys(REGISTRY_RULES) } },
      orderBy: { id: 'asc' },
    });
    const byUnit = new Map<string, IssueLeadRow[]>();
    for (const l of leads) byUnit.set(l.unitCode, [...(byUnit.get(l.unitCode) ?? []), l]);
    return [...byUnit].map(([code, list]): RegistrySuspensionResult => {
      const steps = [...new Set(list.map((l) => REGISTRY_RULES[l.rule!]!))];
      return {
        unit: { code },
        leads: list,
        rectificationNeeded: `${steps.join('；')}，整改到位后关闭相关问题线索。`,
      };
    });
  }

  /**
   * Runs the rules (all, or those named) through the gateway and records the hits as leads, in one
   * transaction. Only the leads of the rules run are created or resolved, so a sweep rule by rule (the
   * command's progress bar) ends where one sweep of all rules does.
   */
  async sweep(gateway: GatewayClient | undefined, district: string, month: string, route: boolean, only?: readonly string[] | null): Promise<LeadSweepReportResult> {
    const unknown = only?.filter((r) => !SWEEP_RULES.some((s) => s.rule === r)) ?? [];
    if (unknown.length) throw badUserInput(`rules: no sweep rule ${unknown.join(', ')}; the rules are ${SWEEP_RULES.map((r) => r.rule).join(', ')}`, 'rules');
    const selected = only ? SWEEP_RULES.filter((r) => only.includes(r.rule)) : SWEEP_RULES;
    if (!gateway) {
      throw new GraphQLError('the lead sweep needs the gateway: set GATEWAY_URL', { extensions: { code: 'GATEWAY_UNAVAILABLE' } });
    }
    this.sweepDocument ??= readOperation('LeadSweep');
    const year = Number(month.slice(0, 4));
    const found = new Map<string, { rule: SweepRule; period: string; hit: Hit }>();
    for (const rule of selected) {
      const period = rule.period === 'month' ? month : String(year);
      let after: string | null = null;
      do {
        const variables = { district, after, ...(rule.period === 'month' ? { month } : { year }) };
        const data: Node = await gateway.query<Node>(this.sweepDocument, variables, rule.operation);
        const page = (data.districtMonth ?? data.districtYear).hits;
        for (const node of page.nodes) {
          for (const hit of rule.hits(node)) {
            const key = leadKey(rule.rule, period, hit.unit, hit.idNumber);
            if (!found.has(key)) found.set(key, { rule, period, hit });
          }
        }
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after);
    }
    return this.record(district, month, found, route, selected);
  }

  private async record(district: string, month: string, found: Map<string, { rule: SweepRule; period: string; hit: Hit }>, route: boolean, selected: readonly SweepRule[]) {
    const year = String(Number(month.slice(0, 4)));
    const periods = [...new Set(selected.map((r) => (r.period === 'month' ? month : year)))];
    const reports = new Map<string, LeadSweepRuleReport>(
      selected.map((r) => [r.rule, { rule: r.rule, period: r.period === 'month' ? month : year, found: 0, created: 0, reopened: 0, unchanged: 0, resolvedByData: 0 }]),
    );
    const now = new Date();
    await this.prisma.$transaction(async (tx) => {
      // One sweep at a time: two concurrent sweeps must not both create the same lead.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(7142001)`;
      const earlier = await tx.issueLead.findMany({
        where: { source: 'RULE_SWEEP', rule: { in: selected.map((r) => r.rule) }, period: { in: periods } },
        orderBy: { id: 'asc' },
      });
      const inDistrict = earlier.filter((l) => l.unitCode.slice(2, 8) === district);
      const byKey = new Map<string, IssueLeadRow[]>();
      for (const l of inDistrict) {
        const key = leadKey(l.rule!, l.period!, l.unitCode, l.idNumber);
        byKey.set(key, [...(byKey.get(key) ?? []), l]);
      }
      const toCreate: Prisma.IssueLeadCreateManyInput[] = [];
      const toReopen: { id: number; route: Route | null }[] = [];
      for (const [key, { rule, period, hit }] of found) {
        const report = reports.get(rule.rule)!;
        report.found++;
        const leads = byKey.get(key) ?? [];
        if (leads.some((l) => OPEN.includes(l.status))) {
          report.unchanged++;
          continue;
        }
        const resolved = leads.filter((l) => l.status === 'RESOLVED_BY_DATA').at(-1);
        if (resolved) {
          toReopen.push({ id: resolved.id, route: route ? rule.route : null });
          report.reopened++;
          continue;
        }
        toCreate.push({
          unitCode: hit.unit,
          idNumber: hit.idNumber,
          source: 'RULE_SWEEP',
          rule: rule.rule,
          period,
          description: hit.description,
          status: route ? 'ROUTED' : 'OPEN',
          routedTo: route ? rule.route : null,
          evidenceBureaus: hit.evidence,
          createdAt: now,
        });
        report.created++;
      }
      const gone = inDistrict.filter((l) => OPEN.includes(l.status) && !found.has(leadKey(l.rule!, l.period!, l.unitCode, l.idNumber)));
      for (const l of gone) reports.get(l.rule!)!.resolvedByData++;
      if (toCreate.length) await tx.issueLead.createMany({ data: toCreate });
      if (gone.length) {
        await tx.issueLead.updateMany({ where: { id: { in: gone.map((l) => l.id) } }, data: { status: 'RESOLVED_BY_DATA', closedAt: now, version: { increment: 1 } } });
      }
      for (const routeTo of new Set(toReopen.map((r) => r.route))) {
        await tx.issueLead.updateMany({
          where: { id: { in: toReopen.filter((r) => r.route === routeTo).map((r) => r.id) } },
          data: { status: routeTo ? 'ROUTED' : 'OPEN', routedTo: routeTo, closedAt: null, version: { increment: 1 } },
        });
      }
    }, { timeout: 120_000 });
    const rules = [...reports.values()];
    const sum = (k: keyof Omit<LeadSweepRuleReport, 'rule' | 'period'>) => rules.reduce((n, r) => n + r[k], 0);
    return {
      district,
      month,
      found: sum('found'),
      created: sum('created'),
      reopened: sum('reopened'),
      unchanged: sum('unchanged'),
      resolvedByData: sum('resolvedByData'),
      rules,
    };
  }
}
