// A bureau's database: real PostgreSQL through `pg`, or embedded PGlite for the zero-setup demo and for
// tests on a machine without a server. Subgraphs see only this interface and a Prisma client built on it.
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { tracedAdapter } from './tracing.ts';

/** A connection pool's state, for metrics. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export interface Database {
  readonly kind: 'postgres' | 'pglite';
  /** Where it is, without credentials: for logs. */
  readonly label: string;
  /** Driver adapter for `new PrismaClient({ adapter })`. */
  readonly adapter: SqlDriverAdapterFactory;
  /** Runs one or more statements with no parameters (migrations). */
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Inserts rows in large multi-row statements (seeding). */
  insertRows(table: string, columns: readonly string[], rows: readonly (readonly unknown[])[]): Promise<void>;
  /**
   * Bulk load of one table (seeding): on PostgreSQL `COPY ... FROM STDIN` on a connection of its own,
   * committed by `end()`; on PGlite batched INSERTs as rows come (so write parents before children).
   */
  bulkWriter(table: string, columns: readonly string[]): Promise<BulkWriter>;
  /** The pool's state (PostgreSQL); null for embedded PGlite, which has no pool. */
  poolStats(): PoolStats | null;
  close(): Promise<void>;
}

export interface BulkWriter {
  /** Queues rows; resolves once the writer can take more (backpressure), not when they are stored. */
  write(rows: readonly (readonly unknown[])[]): Promise<void>;
  /** PostgreSQL only: queues rows already in COPY text format (see copyText), whole lines. */
  writeText?(text: string | Uint8Array): Promise<void>;
  /** Resolves when every row is in the table; returns how many rows were written. */
  end(): Promise<number>;
  /** Gives up: nothing written through this writer is committed (PostgreSQL) and the connection closes. */
  abort(reason?: Error): Promise<void>;
}

// ---- COPY text format -------------------------------------------------------------------------

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_SPECIAL_ALL = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function arrayLiteral(items: readonly unknown[]): string {
  const parts = items.map((x) => {
    if (x === null || x === undefined) return 'NULL';
    const s = typeof x === 'string' ? x : Array.isArray(x) ? arrayLiteral(x) : String(x);
    if (Array.isArray(x)) return s;
    return s === '' || /[{},"\\\s]/.test(s) || s.toUpperCase() === 'NULL' ? `"${s.replace(/["\\]/g, '\\$&')}"` : s;
  });
  return `{${parts.join(',')}}`;
}

/**
 * One value in PostgreSQL's COPY text format: NULL as \N; backslash, tab, newline and carriage
 * return escaped; booleans t/f; Dates as ISO timestamps; JS arrays as array literals (a string that
 * already is an array literal, like '{HR,AUDIT}', passes as it is).
 */
export function copyValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return COPY_SPECIAL.test(v) ? v.replace(COPY_SPECIAL_ALL, (c) => COPY_ESCAPES[c]!) : v;
    case 'number':
      if (!Number.isFinite(v)) throw new Error(`cannot COPY the number ${v}`);
      return String(v);
    case 'bigint':
      return String(v);
    case 'boolean':
      return v ? 't' : 'f';
    case 'undefined':
      return '\\N';
    default:
      if (v === null) return '\\N';
      if (v instanceof Date) return v.toISOString();
      if (Array.isArray(v)) return copyValue(arrayLiteral(v));
      if (v instanceof Uint8Array) return `\\\\x${Buffer.from(v).toString('hex')}`;
      return copyValue(JSON.stringify(v));
  }
}

/** Rows as COPY text: one line per row, values separated by tabs. */
export function copyText(rows: readonly (readonly unknown[])[]): string {
  let out = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < row.length; i++) line += (i === 0 ? '' : '\t') + copyValue(row[i]);
    out += `${line}\n`;
  }
  return out;
}

/** Bytes a COPY stream may buffer before write() waits for the server to catch up. */
const COPY_HIGH_WATER = 8 * 1024 * 1024;

async function postgresCopyWriter(url: string, table: string, columns: readonly string[]): Promise<BulkWriter> {
  const client = new pg.Client({ connectionString: url });
  // A broken connection also fails the stream; this only keeps the process from crashing on it.
  client.on('error', () => undefined);
  await client.connect();
  const cols = columns.map((c) => `"${c}"`).join(', ');
  const stream = client.query(copyFromStdin(`COPY "${table}" (${cols}) FROM STDIN`, { highWaterMark: COPY_HIGH_WATER }));
  let failure: Error | null = null;
  stream.on('error', (err: Error) => {
    failure ??= err;
  });
  const done = finished(stream);
  done.catch(() => undefined);
  const send = async (text: string | Uint8Array) => {
    if (failure) throw failure;
    if (text.length === 0) return;
    if (!stream.write(text)) await Promise.race([once(stream, 'drain'), done]);
    if (failure) throw failure;
  };
  return {
    write: (rows) => send(copyText(rows)),
    writeText: send,
    async end() {
      try {
        stream.end();
        await done;
        return stream.rowCount;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    async abort(reason) {
      if (!stream.destroyed) stream.destroy(reason ?? new Error('load aborted'));
      await done.catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}

function insertingWriter(
  query: (sql: string, params: unknown[]) => Promise<unknown>,
  table: string,
  columns: readonly string[],
): BulkWriter {
  let count = 0;
  return {
    async write(rows) {
      await insertInChunks(query, table, columns, rows);
      count += rows.length;
    },
    end: async () => count,
    abort: async () => undefined,
  };
}

const MAX_PARAMS = 60_000;

async function insertInChunks(
  query: (sql: string, params: unknown[]) => Promise<unknown>,
  table: string,
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  const perChunk = Math.max(1, Math.floor(MAX_PARAMS / columns.length));
  const cols = columns.map((c) => `"${c}"`).join(', ');
  for (let start = 0; start < rows.length; start += perChunk) {
    const chunk = rows.slice(start, start + perChunk);
    const params: unknown[] = [];
    const values = chunk.map((row) => {
      const marks = row.map((v) => {
        params.push(v);
        return `$${params.length}`;
      });
      return `(${marks.join(', ')})`;
    });
    await query(`INSERT INTO "${table}" (${cols}) VALUES ${values.join(', ')}`, params);
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'postgresql://(unparseable url)';
  }
}

/** The database's name, for spans and metrics. */
function databaseName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
  } catch {
    return 'postgres';
  }
}

export function openPostgres(url: string, options: { max?: number } = {}): Database {
  const max = options.max ?? 10;
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle connection the server ends (restart, dropped database) must not crash the process;
  // the pool replaces it on the next query.
  pool.on('error', (err) => console.warn(`database ${redactUrl(url)}: idle connection closed: ${err.message}`));
  return {
    kind: 'postgres',
    label: redactUrl(url),
    adapter: tracedAdapter(new PrismaPg(pool), databaseName(url)),
    async exec(sql) {
      await pool.query(sql);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pool.query(sql, params)).rows as T[];
    },
    insertRows: (table, columns, rows) => insertInChunks((s, p) => pool.query(s, p), table, columns, rows),
    bulkWriter: (table, columns) => postgresCopyWriter(url, table, columns),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }),
    close: () => pool.end(),
  };
}

/** Embedded PostgreSQL. `dataDir` keeps it on disk; `loadDataDir` starts from a dump (see dumpPglite). */
export async function openPglite(options: { dataDir?: string; loadDataDir?: Blob; label?: string } = {}): Promise<Database> {
  // Loaded on demand: the WASM build is large and only the embedded mode needs it.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const lite = await PGlite.create({ dataDir: options.dataDir, loadDataDir: options.loadDataDir });
  const db: Database & { pglite: typeof lite } = {
    kind: 'pglite',
    label: options.label ?? `pglite (${options.dataDir ?? 'in memory'})`,
    pglite: lite,
    adapter: tracedAdapter(new PrismaPGlite(lite) as unknown as SqlDriverAdapterFactory, options.label ?? 'pglite'),
    async exec(sql) {
      await lite.exec(sql);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await lite.query<T>(sql, params)).rows;
    },
    insertRows: (table, columns, rows) => insertInChunks((s, p) => lite.query(s, p), table, columns, rows),
    bulkWriter: async (table, columns) => insertingWriter((s, p) => lite.query(s, p), table, columns),
    poolStats: () => null,
    // The Prisma adapter does not close PGlite; without this jest never exits.
    close: () => lite.close(),
  };
  return db;
}

/** A gzipped dump of a PGlite database, to start copies from (tests). */
export async function dumpPglite(db: Database): Promise<Blob> {
  const lite = (db as Database & { pglite?: { dumpDataDir(c: 'gzip'): Promise<Blob> } }).pglite;
  if (!lite) throw new Error('dumpPglite needs a PGlite database');
  return lite.dumpDataDir('gzip');
}

/** (Re)creates an empty database on a PostgreSQL server and returns its URL. */
export async function createPostgresDatabase(serverUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropPostgresDatabase(serverUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** True when a PostgreSQL server answers at the URL within a second. */
export async function postgresReachable(serverUrl: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
