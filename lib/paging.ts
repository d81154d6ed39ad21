// Cursor paging shared by every list that can grow long.
import { badUserInput } from './errors.ts';

export const MAX_PAGE = 1000;

export function pageSize(first: number | null | undefined, fallback = 50): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) throw badUserInput(`first must be between 1 and ${MAX_PAGE}`, 'first');
  return n;
}

export function encodeCursor(key: string): string {
  return Buffer.from(`c:${key}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): string | null {
  if (cursor == null) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('c:')) throw badUserInput('after is not a cursor returned by this list', 'after');
  return text.slice(2);
}

/** Pages an already ordered list by a key. */
export function pageBy<T>(items: readonly T[], key: (item: T) => string, first: number, after: string | null) {
  const start = after === null ? 0 : items.findIndex((i) => key(i) > after);
  const from = start < 0 ? items.length : start;
  const nodes = items.slice(from, from + first);
  const last = nodes[nodes.length - 1];
  return {
    nodes,
    pageInfo: { hasNextPage: from + first < items.length, endCursor: last === undefined ? null : encodeCursor(key(last)) },
  };
}

/** A connection from rows fetched with `take: size + 1` (the extra row only tells that a next page exists). */
export function connectionFromRows<T>(rows: readonly T[], size: number, totalCount: number, key: (row: T) => string) {
  const nodes = rows.slice(0, size);
  const last = nodes[nodes.length - 1];
  return {
    nodes,
    totalCount,
    pageInfo: { hasNextPage: rows.length > size, endCursor: last === undefined ? null : encodeCursor(key(last)) },
  };
}
