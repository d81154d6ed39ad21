// A bureau's database: real PostgreSQL through `pg`, or embedded PGlite for the zero-setup demo and for
// tests on a machine without a server. Subgraphs see only this interface and a Prisma client built on it.
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory } from '@prisma/driver-adapter-utils';

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
  close(): Promise<void>;
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

export function openPostgres(url: string, options: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10 });
  return {
    kind: 'postgres',
    label: redactUrl(url),
    adapter: new PrismaPg(pool),
    async exec(sql) {
      await pool.query(sql);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await pool.query(sql, params)).rows as T[];
    },
    insertRows: (table, columns, rows) => insertInChunks((s, p) => pool.query(s, p), table, columns, rows),
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
    adapter: new PrismaPGlite(lite) as unknown as SqlDriverAdapterFactory,
    async exec(sql) {
      await lite.exec(sql);
    },
    async query<T>(sql: string, params: unknown[] = []) {
      return (await lite.query<T>(sql, params)).rows;
    },
    insertRows: (table, columns, rows) => insertInChunks((s, p) => lite.query(s, p), table, columns, rows),
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
