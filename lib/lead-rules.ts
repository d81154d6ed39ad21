// The names of the rules issue leads (问题线索) are recorded under, as the bureaus write them.
/** The cross-bureau rules the lead sweep runs, in its order (subgraphs/audit/rules.ts SWEEP_RULES). */
export const SWEEP_RULE_NAMES: Readonly<Record<string, string>> = {
  UNREPORTED_STAFF: '未纳入实名制管理',
  GHOST_RECORD: '空挂人员',
  OVER_QUOTA: '超管控数用工',
  UNRECOVERED_OUTSOURCING: '外包未收回管控数',
  DISGUISED_OUTSOURCING: '变相外包',
  PAY_ABOVE_STANDARD: '超标准发放薪酬',
  NO_AGREEMENT: '无劳动合同或派遣协议',
  RETIREE_OVER_AGE: '返聘人员超龄',
  HIRED_WITHOUT_RECRUITMENT: '未经公开招聘',
  REGISTRY_LATE: '实名制更新不及时',
  OVERDUE_RECTIFICATION: '整改逾期',
  BUDGET_LINKAGE: '实名制与经费未联动',
  QUOTA_RAISED: '违反只减不增',
};

/** Rules inspections record their findings under besides the sweep's. */
const FINDING_RULE_NAMES: Readonly<Record<string, string>> = {
  DISPATCH_RATIO: '劳务派遣比例超标',
  NO_RECRUITMENT: '未经公开招聘程序录用',
  REHIRE_AGE: '返聘超过年龄上限',
  NO_CONTRACT: '未签订劳动合同',
};

/** A rule's Chinese name; a rule without one keeps its code; leads without a rule are 其他问题线索. */
export function ruleName(rule: string | null): string {
  if (rule === null) return '其他问题线索';
  return SWEEP_RULE_NAMES[rule] ?? FINDING_RULE_NAMES[rule] ?? rule;
}
