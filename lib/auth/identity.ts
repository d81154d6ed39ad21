// Who is asking: the roles of the joint meeting's users and what each may see. One table, used by the
// gateway (authentication, @requiresScopes enforcement, limits, access log) and by the subgraphs (row
// scope, masking), which receive the identity only inside the gateway's signature.
import { GraphQLError } from 'graphql';

export const ROLES = [
  'STAFFING_OFFICER', // 编办
  'FINANCE_OFFICER', // 财政局
  'HR_OFFICER', // 人社局
  'AUDITOR', // 审计/巡察
  'ANALYST', // 联席会议
  'DASHBOARD', // dashboard service account: aggregates only
  'TOWN_OFFICER', // 镇街: only its own town's units
] as const;
export type Role = (typeof ROLES)[number];

export const SCOPES = {
  'detail:read': 'rows about units and people, not only counts and totals',
  'personal:read': 'full ID numbers and names (otherwise masked: 330109********123X, 张*)',
  'pay:read': 'pay and money amounts of individuals',
  'leads:write': 'run the lead sweep, route and close issue leads',
  'staffing:write': "write the establishment office's data (real-name registry, quotas, applications)",
  'finance:write': "write the finance bureau's data",
  'hr:write': "write the HR bureau's data",
  'audit:write': "write audit's data (inspections, rectifications)",
  'audit-log:read': 'read the access log',
} as const;
export type Scope = keyof typeof SCOPES;

export const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  STAFFING_OFFICER: ['detail:read', 'personal:read', 'staffing:write'],
  FINANCE_OFFICER: ['detail:read', 'personal:read', 'pay:read', 'finance:write'],
  HR_OFFICER: ['detail:read', 'personal:read', 'pay:read', 'hr:write'],
  AUDITOR: ['detail:read', 'personal:read', 'pay:read', 'leads:write', 'audit:write', 'audit-log:read'],
  ANALYST: ['detail:read'],
  DASHBOARD: [],
  TOWN_OFFICER: ['detail:read', 'personal:read'],
};

/** The bureau whose data a role may write, if any. */
export const ROLE_BUREAU: Partial<Record<Role, 'staffing' | 'finance' | 'hr' | 'audit'>> = {
  STAFFING_OFFICER: 'staffing',
  FINANCE_OFFICER: 'finance',
  HR_OFFICER: 'hr',
  AUDITOR: 'audit',
};

export interface Identity {
  /** Token subject (a person's or service account's id). */
  subject: string;
  role: Role;
  scopes: readonly Scope[];
  /** 9-digit town code, for TOWN_OFFICER only: row scope. */
  town?: string;
  /** The town's unit codes, which the gateway looks up for a town officer: row scope in every bureau. */
  units?: string[];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The role's scopes, narrowed to those the token lists when it lists any. */
export function identityOf(subject: string, role: Role, options: { scope?: string; town?: string } = {}): Identity {
  const granted = ROLE_SCOPES[role];
  const asked = options.scope?.split(/\s+/).filter(Boolean);
  const scopes = asked ? granted.filter((s) => asked.includes(s)) : [...granted];
  return { subject, role, scopes, ...(role === 'TOWN_OFFICER' && options.town ? { town: options.town } : {}) };
}

export function hasScope(identity: Identity | undefined, scope: Scope): boolean {
  return identity?.scopes.includes(scope) ?? false;
}

/** A subgraph's own calls to the gateway (lead sweep, suspension check) act as these service identities. */
export const SERVICE_IDENTITIES = {
  audit: identityOf('service:audit-lead-sweep', 'AUDITOR'),
  staffing: identityOf('service:staffing-suspension-check', 'AUDITOR'),
} as const;

/** A subgraph's own check before it writes: the gateway's @requiresScopes is not the only guard. */
export function requireScope(identity: Identity | undefined, scope: Scope, action: string): void {
  if (hasScope(identity, scope)) return;
  throw new GraphQLError(`${action} needs scope ${scope}; role ${identity?.role ?? 'none'} does not have it`, {
    extensions: { code: 'FORBIDDEN', scope },
  });
}

/** Whether a row of this unit is within the caller's row scope. */
export function unitInScope(identity: Identity | undefined, unitCode: string): boolean {
  return !identity?.units || identity.units.includes(unitCode.trim());
}

/** A list without the rows outside the caller's row scope. */
export function inRowScope<T extends { unitCode: string }>(identity: Identity | undefined, rows: readonly T[]): T[] {
  return identity?.units ? rows.filter((r) => unitInScope(identity, r.unitCode)) : [...rows];
}
