// What the ten cross-bureau rules (docs/rules.md) share across subgraphs: the internal row sets one
// bureau hands another through @requires, the unit filter applied to hits, and paging of hit lists.
import { GraphQLError, GraphQLScalarType } from 'graphql';
import { checkCreditCode, checkDistrict, checkMonth, checkTownCode, checkYear } from './validate.ts';
import { decodeCursor, pageBy, pageSize } from './paging.ts';

type Cell = string | number | null;

/** An @inaccessible scalar of fixed-width rows: compact, and passed through the gateway untouched. */
function rowsScalar<Row extends Cell[]>(name: string, columns: readonly string[]) {
  const parse = (value: unknown): Row[] => {
    if (!Array.isArray(value)) throw new TypeError(`${name} must be a list of rows`);
    for (const row of value) {
      if (!Array.isArray(row) || row.length !== columns.length || !row.every((c) => c === null || typeof c === 'string' || typeof c === 'number')) {
        throw new TypeError(`${name} rows must be [${columns.join(', ')}]`);
      }
    }
    return value as Row[];
  };
  const scalar = new GraphQLScalarType({
    name,
    description: `Internal: rows [${columns.join(', ')}].`,
    serialize: (v) => v,
    parseValue: parse,
  });
  return { scalar, parse };
}

/** [code, category, townCode, supervisingUnitCode, nature] */
export type UnitDirectoryRow = [string, string, string | null, string | null, string];
export const UnitDirectory = rowsScalar<UnitDirectoryRow>('UnitDirectory', ['code', 'category', 'townCode', 'supervisingUnitCode', 'nature']);

/** [recordId, unitCode, idNumber, name, employmentForm, postCategory, startDate, endDate, recordedDate] */
export type RegistryRosterRow = [string, string, string, string, string, string, string, string | null, string];
export const RegistryRoster = rowsScalar<RegistryRosterRow>('RegistryRoster', [
  'recordId', 'unitCode', 'idNumber', 'name', 'employmentForm', 'postCategory', 'startDate', 'endDate', 'recordedDate',
]);

/** [unitCode, idNumber, startDate, endDate] */
export type RegistrySpanRow = [string, string, string, string | null];
export const RegistrySpans = rowsScalar<RegistrySpanRow>('RegistrySpans', ['unitCode', 'idNumber', 'startDate', 'endDate']);

/** [number, unitCode, function, startDate, endDate, workerCount] */
export type ServiceContractRosterRow = [string, string, string, string, string, number];
export const ServiceContractRoster = rowsScalar<ServiceContractRosterRow>('ServiceContractRoster', [
  'number', 'unitCode', 'function', 'startDate', 'endDate', 'workerCount',
]);

/** [year, unitCategory, postCategory, monthlyMax] */
export type PayStandardTableRow = [number, string, string, string];
export const PayStandardTable = rowsScalar<PayStandardTableRow>('PayStandardTable', ['year', 'unitCategory', 'postCategory', 'monthlyMax']);

/** A @requires'd field, parsed; missing only when a subgraph is called directly, not through the gateway. */
export function required<Row>(parent: Record<string, unknown>, field: string, parse: (v: unknown) => Row[], rule: string): Row[] {
  const value = parent[field];
  if (value === undefined) {
    throw new GraphQLError(`${rule} needs ${field} from another bureau: query it through the gateway`, {
      extensions: { code: 'BAD_REQUEST' },
    });
  }
  return parse(value);
}

export interface UnitFilterInput {
  category?: string | null;
  town?: string | null;
  supervisingUnit?: string | null;
  nature?: string | null;
  unit?: string | null;
}

export function checkUnitFilter(filter: UnitFilterInput | null | undefined): void {
  if (filter?.supervisingUnit) checkCreditCode(filter.supervisingUnit, 'filter.supervisingUnit');
  if (filter?.unit) checkCreditCode(filter.unit, 'filter.unit');
  if (filter?.town) checkTownCode(filter.town, 'filter.town');
}

/** Codes of the district's units that pass the filter, from the establishment office's directory. */
export function unitsMatching(directory: readonly UnitDirectoryRow[], filter: UnitFilterInput | null | undefined): Map<string, UnitDirectoryRow> {
  checkUnitFilter(filter);
  const out = new Map<string, UnitDirectoryRow>();
  for (const row of directory) {
    const [code, category, town, supervising, nature] = row;
    if (filter?.unit && code !== filter.unit) continue;
    if (filter?.category && category !== filter.category) continue;
    if (filter?.town && town !== filter.town) continue;
    if (filter?.supervisingUnit && supervising !== filter.supervisingUnit) continue;
    if (filter?.nature && nature !== filter.nature) continue;
    out.set(code, row);
  }
  return out;
}

/** Sort key of a hit: unit code, then person, then a record id padded so that it sorts as a number. */
export function hitKey(unitCode: string, ...rest: (string | number)[]): string {
  return [unitCode, ...rest.map((r) => (typeof r === 'number' ? String(r).padStart(12, '0') : r))].join('|');
}

/** Orders hits by key and returns the requested page with the total. */
export function hitPage<T>(hits: T[], key: (hit: T) => string, first: number | null | undefined, after: string | null | undefined) {
  const size = pageSize(first, 100);
  const cursor = decodeCursor(after);
  const keyed = hits.map((h) => [key(h), h] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const page = pageBy(keyed, ([k]) => k, size, cursor);
  return { nodes: page.nodes.map(([, h]) => h), pageInfo: page.pageInfo, totalCount: hits.length };
}

const DAY_MS = 86_400_000;
/** Whole days from a to b, both YYYY-MM-DD. */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
}

export function monthRange(month: string): { first: string; last: string; year: number } {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return { first: `${month}-01`, last: `${month}-${String(days).padStart(2, '0')}`, year: y };
}

/** Cents of a money value given as text or number, to compare amounts exactly. */
export function cents(value: string | number | { toString(): string }): number {
  return Math.round(Number(String(value)) * 100);
}

/**
 * Checks a DistrictMonth or DistrictYear representation (it arrives as _Any, unchecked by the Month
 * scalar) and keeps what other bureaus sent with it for @requires.
 */
export function periodReference<P extends { district: string; month?: string; year?: number }>(ref: unknown): P {
  const parent = ref as P;
  checkDistrict(parent.district);
  if (parent.month !== undefined) checkMonth(parent.month);
  if (parent.year !== undefined) checkYear(parent.year);
  return parent;
}

/** A town code no unit has: what a town officer's filter for another town becomes. */
const NO_TOWN = '000000000';

/** Row scope of a town officer (镇街): every unit filter is narrowed to the officer's own town. */
export function townScoped<F extends { town?: string | null }>(filter: F | null | undefined, town: string | undefined): F | null | undefined {
  if (!town) return filter;
  return { ...(filter ?? ({} as F)), town: filter?.town && filter.town !== town ? NO_TOWN : town };
}
