// The workloads of `npm run bench` (bench/run.ts): what the load generator (bench/load.ts) sends to
// each target. Every request is a JSON body sent as it is; `key` names it for the critical-path replayer
// (bench/targets/critical-path.ts), which replays the subgraph requests recorded for that key.
import { readOperation } from '../lib/operations.ts';

export const WORKLOAD_NAMES = ['dashboard', 'flagship', 'adhoc'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export interface BenchRequest {
  /** Names the request for the critical path's recordings; requests with equal bodies share a key. */
  key: string;
  /** The operation's name, for the tables. */
  operation: string;
  /** The HTTP body, exactly as sent. */
  body: string;
}

export interface Workload {
  name: WorkloadName;
  title: string;
  description: string;
  /** Sent in turn, round robin over all connections. */
  requests: BenchRequest[];
  /**
   * Ad hoc: every request is a new document (adhocBody with a fresh number). `requests` then holds the
   * one fixed variant used for the correctness check and the critical path's recording.
   */
  adhoc: boolean;
}

export const MONTH = '2026-10';
export const YEAR = 2026;
export const DISTRICT = '330109';
const CATEGORIES = ['DISTRICT_ORGAN', 'FUNDED_INSTITUTION', 'EDUCATION', 'TOWN_SUBDISTRICT'] as const;
const LEAD_STATUSES: (string[] | null)[] = [null, ['OPEN'], ['ROUTED'], ['OPEN', 'ROUTED']];

const body = (query: string, operationName: string | undefined, variables: Record<string, unknown>) =>
  JSON.stringify(operationName ? { query, operationName, variables } : { query, variables });

/**
 * The dashboard mix, as a dashboard's panels refresh: per ten requests five unit profiles (a different
 * unit each time), three over-quota lists (by category) and two pages of leads (by status).
 */
export function dashboardMix(unitCodes: readonly string[]): Workload {
  if (unitCodes.length === 0) throw new Error('dashboard mix: no units');
  const profile = readOperation('UnitProfile');
  const overQuota = readOperation('OverQuota');
  const leads = readOperation('LeadsPage');
  const pattern = ['profile', 'profile', 'overQuota', 'profile', 'leads', 'profile', 'overQuota', 'profile', 'overQuota', 'leads'] as const;
  const requests: BenchRequest[] = [];
  let p = 0;
  let o = 0;
  let l = 0;
  for (let i = 0; i < 40; i++) {
    const kind = pattern[i % pattern.length]!;
    if (kind === 'profile') {
      const code = unitCodes[p++ % unitCodes.length]!;
      requests.push({ key: `profile:${code}`, operation: 'UnitProfile', body: body(profile, 'UnitProfile', { code, month: MONTH, year: YEAR }) });
    } else if (kind === 'overQuota') {
      const category = CATEGORIES[o++ % CATEGORIES.length]!;
      requests.push({ key: `overQuota:${category}`, operation: 'OverQuota', body: body(overQuota, 'OverQuota', { month: MONTH, filter: { category } }) });
    } else {
      const status = LEAD_STATUSES[l++ % LEAD_STATUSES.length]!;
      requests.push({ key: `leads:${status?.join('+') ?? 'all'}`, operation: 'LeadsPage', body: body(leads, 'LeadsPage', { status, first: 20 }) });
    }
  }
  return {
    name: 'dashboard',
    title: 'dashboard mix',
    description: `UnitProfile for ${Math.min(p, unitCodes.length)} different units (50%), OverQuota by category (30%), LeadsPage { leads(first: 20) } by status (20%), in turn`,
    requests,
    adhoc: false,
  };
}

/** The flagship question: unreported staff over the whole district, first 100 units. */
export function flagship(): Workload {
  return {
    name: 'flagship',
    title: 'flagship',
    description: `UnreportedStaff over district ${DISTRICT} in ${MONTH}, first 100`,
    requests: [{ key: 'flagship', operation: 'UnreportedStaff', body: body(readOperation('UnreportedStaff'), 'UnreportedStaff', { month: MONTH, first: 100 }) }],
    adhoc: false,
  };
}

/** A deterministic shuffle (mulberry32), so that variant n is always the same document. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  let a = seed >>> 0;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * An analyst's ad-hoc question across the four bureaus (funded institutions with their registry
 * headcount, budget, payroll, active contracts and open leads). Variant `n` has its own alias names and
 * field order, so no gateway has planned (or parsed) it before.
 */
export function adhocQuery(n: number, salt = ''): string {
  const tag = `${salt}${n.toString(36)}`;
  const unitFields = shuffled(
    [
      'code',
      `name_${tag}: name`,
      'town { code name }',
      `registeredHeadcount(month: "${MONTH}")`,
      `budget(year: ${YEAR}) { amount headcountBasis }`,
      `payroll_${tag}: payrollTotal(month: "${MONTH}") { people grossPay }`,
      `contracts(activeIn: "${MONTH}") { kind startDate }`,
      'openLeads { rule status createdAt }',
    ],
    n,
  );
  return `query Adhoc_${tag} {
  units_${tag}: units(filter: { category: FUNDED_INSTITUTION }, first: 20) {
    totalCount
    nodes { ${unitFields.join(' ')} }
  }
}`;
}

export const adhocBody = (n: number, salt = ''): string => JSON.stringify({ query: adhocQuery(n, salt) });

export function adhoc(): Workload {
  return {
    name: 'adhoc',
    title: 'ad-hoc analyst query',
    description: 'units(category: FUNDED_INSTITUTION, first: 20) with registry headcount, budget, payroll, contracts and open leads, alias names and field order of its own',
    requests: [{ key: 'adhoc', operation: 'Adhoc', body: adhocBody(0, 'check') }],
    adhoc: true,
  };
}
