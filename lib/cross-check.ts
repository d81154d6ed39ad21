// What the ten cross-bureau rules (docs/rules.md) share across subgraphs: the internal row sets one
// bureau hands another through @requires, the unit filter applied to hits, and paging of hit lists.
import { randomUUID } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import DataLoader from 'dataloader';
import { GraphQLError, GraphQLScalarType } from 'graphql';
import { checkCreditCode, checkDistrict, checkMonth, checkTownCode, checkYear } from './validate.ts';
import { decodeCursor, pageBy, pageSize } from './paging.ts';
import { badUserInput } from './errors.ts';
import type { Identity } from './auth/identity.ts';
import { NO_CACHE, rightsKey, type RequestCache } from './versioned-cache.ts';

type Cell = string | number | null;

/** How a column of packed rows is read back: text, text or null, or a whole number. */
export type ColumnKind = 'text' | 'text?' | 'int';

/** Rows parsed from a packed value, with the producer's tag naming their content. */
export type PackedRows<Row> = Row[] & { readonly etag: string };

/** Parsed rows by tag, shared by every consumer in the process: the same tag is never split twice. */
const parsed = new Map<string, { rows: unknown[]; size: number }>();
let parsedSize = 0;
const PARSED_MAX_CHARS = 48 * 1024 * 1024;
/** Packed bodies: plain text, or deflated and base64-encoded from DEFLATE_FROM characters. */
const PLAIN = 't';
const DEFLATED = 'z';
const DEFLATE_FROM = 16 * 1024;

function remember(etag: string, rows: unknown[], size: number) {
  parsed.set(etag, { rows, size });
  parsedSize += size;
  while (parsedSize > PARSED_MAX_CHARS && parsed.size > 1) {
    const [oldest, entry] = parsed.entries().next().value!;
    parsed.delete(oldest);
    parsedSize -= entry.size;
  }
}

/**
 * An @inaccessible scalar of rows one bureau hands another through @requires. It travels as one string:
 * a tag line, then the rows (a line each, tab-separated fields), deflated when large, so the gateway
 * and the consumer handle one short JSON string however many rows a district has (as arrays of arrays a
 * district's rosters were 7 MB of JSON cells to parse and serialise at every hop). The tag names the
 * content (bureau, field, scope, data version): a consumer unpacks a tag once and keys what it derives
 * from the rows by it.
 */
export function packedRows<Row extends Cell[]>(name: string, columns: readonly (readonly [string, ColumnKind])[], check?: (row: Row) => boolean) {
  const names = columns.map(([n]) => n);
  const describe = `${name} rows must be [${names.join(', ')}]`;
  const pack = (rows: readonly Row[], etag: string): string => {
    if (/[\t\n]/.test(etag)) throw new TypeError(`${name}: bad tag`);
    // Values never hold tabs or newlines (codes, names, dates); a stray one must not shift a column.
    const text = rows.map((row) => row.map((c) => (c === null ? '' : typeof c === 'number' ? String(c) : c.replace(/[\t\n\r]/g, ' '))).join('\t')).join('\n');
    if (rows.length === 0) return `${etag}\n${PLAIN}`;
    // A district's roster is megabytes of text and about a fifth of that deflated: fewer bytes to
    // parse, hash (signature) and serialise at every hop. It is packed once per data version.
    return text.length < DEFLATE_FROM ? `${etag}\n${PLAIN}${text}` : `${etag}\n${DEFLATED}${deflateRawSync(text, { level: 1 }).toString('base64')}`;
  };
  const parse = (value: unknown): PackedRows<Row> => {
    if (typeof value !== 'string') throw new TypeError(`${name} must be packed rows (a string)`);
    const newline = value.indexOf('\n');
    const etag = newline < 0 ? value : value.slice(0, newline);
    const known = parsed.get(etag);
    if (known) return Object.assign(known.rows as Row[], { etag });
    const rows: Row[] = [];
    const body = newline < 0 ? PLAIN : value.slice(newline + 1);
    const text =
      body[0] === DEFLATED ? inflateRawSync(Buffer.from(body.slice(1), 'base64')).toString('utf8') : body[0] === PLAIN ? body.slice(1) : undefined;
    if (text === undefined) throw new TypeError(`${name} must be packed rows`);
    if (text.length > 0) {
      for (const line of text.split('\n')) {
        const cells = line.split('\t');
        if (cells.length !== columns.length) throw new TypeError(describe);
        const row = cells.map((c, i) => {
          const kind = columns[i]![1];
          if (kind === 'int') {
            const n = Number(c);
            if (c === '' || !Number.isInteger(n)) throw new TypeError(`${describe}: ${names[i]} must be a whole number`);
            return n;
          }
          if (c === '') {
            if (kind === 'text?') return null;
            throw new TypeError(`${describe}: ${names[i]} is empty`);
          }
          return c;
        }) as Row;
        if (check && !check(row)) throw new TypeError(describe);
        rows.push(row);
      }
    }
    remember(etag, rows, text.length);
    return Object.assign(rows, { etag });
  };
  const scalar = new GraphQLScalarType({
    name,
    description: `Internal: packed rows [${names.join(', ')}] (a tag line, then tab-separated lines, deflated when large).`,
    serialize: (v) => v,
    parseValue: parse,
  });
  return { scalar, pack, parse };
}

/**
 * The tag of a packed value: who made it from what, at which data version. Two values with the same tag
 * hold the same rows.
 */
export function rowsTag(bureau: string, field: string, parts: readonly (string | number | null | undefined)[], version: string): string {
  return [bureau, field, ...parts.map((p) => (p == null ? '' : String(p))), `v${version}`].join('/');
}

/** [code, category, townCode, supervisingUnitCode, nature] */
export type UnitDirectoryRow = [string, string, string | null, string | null, string];
export const UnitDirectory = packedRows<UnitDirectoryRow>('UnitDirectory', [['code', 'text'], ['category', 'text'], ['townCode', 'text?'], ['supervisingUnitCode', 'text?'], ['nature', 'text']]);

/** [recordId, unitCode, idNumber, name, employmentForm, postCategory, startDate, endDate, recordedDate] */
export type RegistryRosterRow = [string, string, string, string, string, string, string, string | null, string];
export const RegistryRoster = packedRows<RegistryRosterRow>('RegistryRoster', [
  ['recordId', 'text'], ['unitCode', 'text'], ['idNumber', 'text'], ['name', 'text'], ['employmentForm', 'text'], ['postCategory', 'text'],
  ['startDate', 'text'], ['endDate', 'text?'], ['recordedDate', 'text'],
]);

/** [unitCode, idNumber, startDate, endDate] */
export type RegistrySpanRow = [string, string, string, string | null];
export const RegistrySpans = packedRows<RegistrySpanRow>('RegistrySpans', [['unitCode', 'text'], ['idNumber', 'text'], ['startDate', 'text'], ['endDate', 'text?']]);

/** [number, unitCode, function, startDate, endDate, workerCount] */
export type ServiceContractRosterRow = [string, string, string, string, string, number];
export const ServiceContractRoster = packedRows<ServiceContractRosterRow>('ServiceContractRoster', [
  ['number', 'text'], ['unitCode', 'text'], ['function', 'text'], ['startDate', 'text'], ['endDate', 'text'], ['workerCount', 'int'],
]);

/** [unitCode, people] */
export type UnitHeadcountRow = [string, number];
export const UnitHeadcounts = packedRows<UnitHeadcountRow>('UnitHeadcounts', [['unitCode', 'text'], ['people', 'int']]);

/** [year, unitCategory, postCategory, monthlyMax] */
export type PayStandardTableRow = [number, string, string, string];
export const PayStandardTable = packedRows<PayStandardTableRow>('PayStandardTable', [['year', 'int'], ['unitCategory', 'text'], ['postCategory', 'text'], ['monthlyMax', 'text']]);

/** A @requires'd field, parsed; missing only when a subgraph is called directly, not through the gateway. */
export function required<Row>(parent: Record<string, unknown>, field: string, parse: (v: unknown) => PackedRows<Row>, rule: string): PackedRows<Row> {
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
 * A period of the cross-checks: a district's month (DistrictMonth) or year (DistrictYear), narrowed to
 * one unit when `scope` holds its credit code (empty: the whole district). The scope is part of the
 * entity's key, so every bureau builds the rows it hands the others for that unit only: a unit's
 * profile moves a unit's rows between subgraphs, not the district's.
 */
export type PeriodKey = { district: string; scope: string; month?: string; year?: number };

/** The period a root field names: the district, and the unit when one is given (it must lie in the district). */
export function periodOf(district: string, unit: string | null | undefined): { district: string; scope: string } {
  checkDistrict(district);
  if (!unit) return { district, scope: '' };
  checkCreditCode(unit, 'unit');
  if (unit.slice(2, 8) !== district) throw badUserInput(`unit ${unit} is not in district ${district} (its credit code names division ${unit.slice(2, 8)})`, 'unit');
  return { district, scope: unit };
}

/**
 * Checks a DistrictMonth or DistrictYear representation (it arrives as _Any, unchecked by the Month
 * scalar) and keeps what other bureaus sent with it for @requires.
 */
export function periodReference<P extends PeriodKey>(ref: unknown): P {
  const parent = ref as P;
  periodOf(parent.district, parent.scope);
  if (parent.month !== undefined) checkMonth(parent.month);
  if (parent.year !== undefined) checkYear(parent.year);
  return parent;
}

/** A rule's unit filter within the period's scope: a filter for another unit than the scope's is a contradiction. */
export function scopedFilter<F extends UnitFilterInput>(filter: F | null | undefined, scope: string): F | null | undefined {
  if (!scope) return filter;
  if (filter?.unit && filter.unit !== scope) {
    throw badUserInput(`filter.unit ${filter.unit} differs from the unit ${scope} the period is narrowed to`, 'filter.unit');
  }
  return { ...(filter ?? ({} as F)), unit: scope };
}

/** One period's rows to load: a district (scope '') or one unit (scope), in a month or year (period). */
export interface PeriodRowsKey {
  district: string;
  scope: string;
  period: string;
}

/** The keys of one statement, as SQL arrays: unnest them WITH ORDINALITY and tag each row with its key's ordinal. */
export interface PeriodBatch {
  districts: string[];
  periods: string[];
  scopes: string[];
  /** Whole districts, or single units: each is one statement, so that a unit's index is used. */
  scoped: boolean;
}

/**
 * Per request: the rows of any number of periods in at most two statements, one for whole districts and
 * one for single units, whatever the number of DistrictMonth or DistrictYear entities asked for.
 * `fetch` returns each row with the 1-based ordinal of its key in the batch.
 */
export function periodRowsLoader<Row>(fetch: (batch: PeriodBatch) => Promise<{ i: number; row: Row }[]>): DataLoader<PeriodRowsKey, Row[], string> {
  return new DataLoader<PeriodRowsKey, Row[], string>(
    async (keys) => {
      const out: Row[][] = keys.map(() => []);
      await Promise.all(
        [false, true].map(async (scoped) => {
          const picked = keys.map((k, at) => [k, at] as const).filter(([k]) => Boolean(k.scope) === scoped);
          if (picked.length === 0) return;
          const rows = await fetch({
            districts: picked.map(([k]) => k.district),
            periods: picked.map(([k]) => k.period),
            scopes: picked.map(([k]) => k.scope),
            scoped,
          });
          for (const { i, row } of rows) out[picked[Number(i) - 1]![1]]!.push(row);
        }),
      );
      return out;
    },
    { cacheKeyFn: (k) => `${k.district}|${k.period}|${k.scope}` },
  );
}

/**
 * Rows this bureau hands another, packed and tagged, computed once per data version of its database
 * (and per the other parts of the key: district, period, scope, the caller's row scope).
 */
export async function cachedRows<Row extends Cell[]>(
  ctx: { cache: RequestCache },
  packer: { pack(rows: readonly Row[], etag: string): string },
  bureau: string,
  field: string,
  parts: readonly (string | number | null | undefined)[],
  compute: () => Promise<readonly Row[]>,
): Promise<string> {
  // Without a version (cache off) the tag must still be unique to its content: a fresh nonce.
  const version = ctx.cache === NO_CACHE ? `n${randomUUID()}` : await ctx.cache.version();
  const etag = rowsTag(bureau, field, parts, version);
  return ctx.cache.get(etag, async () => packer.pack(await compute(), etag));
}

/**
 * A rule's hits, computed once per data version of this bureau's database and per inputs: the tags of
 * the rows other bureaus sent, the arguments and the caller's rights. Hits are shared between requests:
 * never mutate them; paging and masking happen per request.
 */
export function cachedHits<T>(
  ctx: { cache: RequestCache; identity: Identity },
  rule: string,
  inputs: readonly unknown[],
  compute: () => Promise<T[]>,
): Promise<T[]> {
  const key = [
    'hits',
    rule,
    ...inputs.map((i) => (Array.isArray(i) && typeof (i as Partial<PackedRows<unknown>>).etag === 'string' ? (i as PackedRows<unknown>).etag : JSON.stringify(i ?? null))),
    rightsKey(ctx.identity),
  ].join('|');
  return ctx.cache.get(key, compute, (hits) => 1 + hits.length);
}

/** A town code no unit has: what a town officer's filter for another town becomes. */
const NO_TOWN = '000000000';

/** Row scope of a town officer (镇街): every unit filter is narrowed to the officer's own town. */
export function townScoped<F extends { town?: string | null }>(filter: F | null | undefined, town: string | undefined): F | null | undefined {
  if (!town) return filter;
  return { ...(filter ?? ({} as F)), town: filter?.town && filter.town !== town ? NO_TOWN : town };
}
