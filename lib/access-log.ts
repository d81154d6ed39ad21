// The gateway's tamper-evident access log: one row per operation, in a PostgreSQL table that a
// trigger keeps append-only and a hash chain makes tamper-evident. Each row's hash is
// sha256(prev_hash + canonicalJson(the row's fields, seq and at included)); the first row's
// prev_hash is 64 zeros. An append is one statement (access_log_append, in the migrations) under a
// transaction-scoped advisory lock, so several gateway processes can write to one log and the chain
// stays unbroken.
//
// Unmasked ID numbers are stored here by design (the auditor asks "who looked at this person's
// data"); nothing in this module prints them, and verify() reasons name only sequence numbers.
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ArgType, SqlDriverAdapter, SqlQuery } from '@prisma/driver-adapter-utils';
import type { Database, PoolStats } from './db.ts';
import { isValidIdNumber, maskIdNumber } from './ids.ts';
import { migrate } from './migrate.ts';

export interface AccessLogEntry {
  at: Date;
  subject: string | null;
  role: string | null;
  town: string | null;
  operationName: string | null;
  /** sha256 hex of the query text. */
  operationHash: string | null;
  /** Variables with personal data already redacted (use redactVariables). */
  variables: unknown;
  decision: 'ALLOWED' | 'PARTIAL' | 'DENIED';
  /** For PARTIAL / DENIED: the rule or error code that denied (e.g. 'UNAUTHENTICATED', 'requiresScopes:pay:read', 'DEPTH_LIMIT_EXCEEDED'). */
  rule: string | null;
  subgraphs: string[];
  /** ID numbers whose unmasked data was returned to the caller. */
  unmaskedIdNumbers: string[];
}

export interface StoredAccessLogEntry extends AccessLogEntry {
  seq: number;
  prevHash: string;
  hash: string;
}

export type VerifyResult = { ok: true; entries: number } | { ok: false; entries: number; firstBad: { seq: number; reason: string } };

export interface AccessLogFilter {
  subject?: string;
  /** Entries whose unmaskedIdNumbers contain this ID number. */
  idNumber?: string;
  /** Entries at or after this time. */
  from?: Date;
  /** Entries before this time (exclusive). */
  to?: Date;
  /** Page size: default 50, at most 1000. */
  first?: number;
  /** Cursor: the seq of the last entry of the previous page. */
  after?: number;
}

/** Absolute path of the access log's migrations (Prisma folder layout, applied by lib/migrate.ts). */
export const ACCESS_LOG_MIGRATIONS: string = fileURLToPath(new URL('./access-log/migrations', import.meta.url));

export const GENESIS_HASH = '0'.repeat(64);

const DECISIONS = new Set(['ALLOWED', 'PARTIAL', 'DENIED']);
const VERIFY_PAGE = 2000;
const DEFAULT_PAGE = 50;
const MAX_PAGE = 1000;

// ---- canonical JSON and the chain hash ----------------------------------------------------------

/**
 * JSON with object keys in a stable order (sorted by UTF-16 code units, as Array#sort does), no
 * whitespace, and otherwise JSON.stringify's rules: toJSON is honoured, undefined / functions /
 * symbols are left out of objects and become null in arrays, non-finite numbers become null.
 * A bigint or a cycle throws, as with JSON.stringify. A bare undefined gives 'null'.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, '', []) ?? 'null';
}

function serialize(value: unknown, key: string, ancestors: object[]): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: a bigint has no JSON form');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  let v: unknown = value;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON(key: string): unknown }).toJSON(key);
    if (v === null || typeof v !== 'object') return serialize(v, key, ancestors);
  }
  const obj = v as object;
  // Boxed primitives, as JSON.stringify unwraps them.
  if (obj instanceof Number || obj instanceof String || obj instanceof Boolean) return serialize(obj.valueOf(), key, ancestors);
  if (ancestors.includes(obj)) throw new TypeError('canonicalJson: cyclic value');
  ancestors.push(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = '[';
    for (let i = 0; i < obj.length; i++) out += (i === 0 ? '' : ',') + (serialize(obj[i], String(i), ancestors) ?? 'null');
    out += ']';
  } else {
    const keys = Object.keys(obj).sort();
    out = '{';
    let first = true;
    for (const k of keys) {
      const s = serialize((obj as Record<string, unknown>)[k], k, ancestors);
      if (s === undefined) continue;
      out += (first ? '' : ',') + JSON.stringify(k) + ':' + s;
      first = false;
    }
    out += '}';
  }
  ancestors.pop();
  return out;
}

/**
 * sha256 hex of prevHash followed by the canonical JSON of the entry's fields: seq, at (as ISO
 * string), subject, role, town, operationName, operationHash, variables, decision, rule, subgraphs,
 * unmaskedIdNumbers — that is, of canonicalJson({ seq, at: at.toISOString(), subject, ... }).
 */
export function entryHash(prevHash: string, entry: AccessLogEntry & { seq: number }): string {
  return chainHash(prevHash, entry, entry.at.toISOString());
}

const json = (v: unknown) => serialize(v, '', []) ?? 'null';

function chainHash(prevHash: string, e: AccessLogEntry & { seq: number }, atIso: string): string {
  const [head, tail] = hashedTextAround(e, atIso);
  return createHash('sha256').update(prevHash).update(head).update(json(e.seq)).update(tail).digest('hex');
}

/**
 * The canonicalJson of the fields, written out in its (sorted) key order, as the text before and after
 * seq's digits: appends send the two halves, and the database fills in seq (access_log_append). This
 * also runs for every row verify reads.
 */
function hashedTextAround(e: AccessLogEntry, atIso: string): [string, string] {
  const variables = serialize(e.variables, 'variables', []);
  return [
    `{"at":${JSON.stringify(atIso)},"decision":${json(e.decision)},"operationHash":${json(e.operationHash)},` +
      `"operationName":${json(e.operationName)},"role":${json(e.role)},"rule":${json(e.rule)},"seq":`,
    `,"subgraphs":${json(e.subgraphs)},"subject":${json(e.subject)},"town":${json(e.town)},` +
      `"unmaskedIdNumbers":${json(e.unmaskedIdNumbers)}${variables === undefined ? '' : `,"variables":${variables}`}}`,
  ];
}

// ---- redaction ----------------------------------------------------------------------------------

const NAME_KEYS = new Set([
  'name', 'names', 'fullname', 'firstname', 'lastname', 'middlename', 'givenname', 'givennames', 'familyname',
  'surname', 'realname', 'legalname', 'personname', 'staffname', 'workername', 'employeename', 'displayname', 'nickname',
]);
const CHINESE_NAME_KEY = /姓名|名字|姓氏|全名|^姓$|^名$/;

/** True for keys that hold a person's name: name, fullName, last_name, 姓名, ... */
export function isNameKey(key: string): boolean {
  return NAME_KEYS.has(key.toLowerCase().replace(/[\s_-]/g, '')) || CHINESE_NAME_KEY.test(key);
}

const ID_CANDIDATE = /\d{17}[\dXx]/g;

/** Masks every valid resident ID number in a string, also inside longer text or longer digit runs. */
export function maskIdNumbersIn(text: string): string {
  if (text.length < 18) return text;
  const re = new RegExp(ID_CANDIDATE.source, 'g');
  let out = '';
  let copied = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const candidate = m[0];
    if (isValidIdNumber(candidate.toUpperCase())) {
      out += text.slice(copied, m.index) + maskIdNumber(candidate);
      copied = m.index + 18;
      re.lastIndex = copied;
    } else {
      // Not valid here: an ID number may still start one character later (e.g. inside 20 digits).
      re.lastIndex = m.index + 1;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * A deep copy of operation variables fit for the log: every valid 18-character resident ID number
 * in a string or an object key (also embedded in longer text) becomes its masked form
 * (330109********123X), and the value under a key that looks like a person's name (name, fullName,
 * 姓名, ...) becomes '<redacted>' (null and undefined stay as they are). Other values are copied as
 * they are; a cycle becomes '<circular>'.
 */
export function redactVariables(value: unknown): unknown {
  return redact(value, []);
}

function redact(value: unknown, ancestors: object[]): unknown {
  if (typeof value === 'string') return maskIdNumbersIn(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime());
  if (ancestors.includes(value)) return '<circular>';
  ancestors.push(value);
  try {
    if (Array.isArray(value)) return value.map((item) => redact(item, ancestors));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const redacted = isNameKey(k) && v !== null && v !== undefined ? '<redacted>' : redact(v, ancestors);
      // defineProperty: a key such as "__proto__" must stay a plain own property.
      Object.defineProperty(out, maskIdNumbersIn(k), { value: redacted, enumerable: true, writable: true, configurable: true });
    }
    return out;
  } finally {
    ancestors.pop();
  }
}

// ---- preparing an entry for storage --------------------------------------------------------------

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** PostgreSQL text and jsonb hold neither NUL nor unpaired surrogates: what is hashed must be what is stored. */
function storable(s: string): string {
  return s.replace(UNSTORABLE, '\uFFFD');
}

function storableJson(value: unknown): unknown {
  return JSON.parse(canonicalJson(value), (_k, v: unknown) => {
    if (typeof v === 'string') return storable(v);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) Object.defineProperty(out, storable(k), { value: x, enumerable: true, writable: true, configurable: true });
      return out;
    }
    return v;
  });
}

function optionalText(field: string, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw new TypeError(`access log entry: ${field} must be a string or null`);
  return storable(v);
}

function textList(field: string, v: unknown): string[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new TypeError(`access log entry: ${field} must be an array of strings`);
  return v.map((x: string) => storable(x));
}

function prepare(entry: AccessLogEntry): AccessLogEntry {
  const at = entry.at;
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new TypeError('access log entry: at must be a valid Date');
  if (!/^\d{4}-/.test(at.toISOString()) || at.getUTCFullYear() < 1) throw new TypeError('access log entry: at must lie in the years 1-9999');
  if (!DECISIONS.has(entry.decision)) throw new TypeError(`access log entry: decision must be ALLOWED, PARTIAL or DENIED`);
  return {
    at: new Date(at.getTime()),
    subject: optionalText('subject', entry.subject),
    role: optionalText('role', entry.role),
    town: optionalText('town', entry.town),
    operationName: optionalText('operationName', entry.operationName),
    operationHash: optionalText('operationHash', entry.operationHash),
    variables: entry.variables === undefined ? null : storableJson(entry.variables),
    decision: entry.decision,
    rule: optionalText('rule', entry.rule),
    subgraphs: textList('subgraphs', entry.subgraphs),
    unmaskedIdNumbers: textList('unmaskedIdNumbers', entry.unmaskedIdNumbers),
  };
}

// ---- reading rows --------------------------------------------------------------------------------

const AT_ISO = `to_char("at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
// seq goes out as text (int8 exceeds JS numbers in principle) under another name: ORDER BY "seq"
// must keep meaning the bigint column, not a text output column.
const COLUMNS = `"seq"::text AS seq_text, ${AT_ISO} AS at_iso, "subject", "role", "town", "operation_name", "operation_hash",
  "variables"::text AS variables_json, "decision", "rule", "subgraphs", "unmasked_id_numbers", "prev_hash", "hash"`;

interface Row {
  seq_text: string;
  at_iso: string;
  subject: string | null;
  role: string | null;
  town: string | null;
  operation_name: string | null;
  operation_hash: string | null;
  variables_json: string | null;
  decision: string;
  rule: string | null;
  subgraphs: string[] | null;
  unmasked_id_numbers: string[] | null;
  prev_hash: string;
  hash: string;
}

function fromRow(r: Row): StoredAccessLogEntry {
  return {
    seq: Number(r.seq_text),
    at: new Date(r.at_iso),
    subject: r.subject,
    role: r.role,
    town: r.town,
    operationName: r.operation_name,
    operationHash: r.operation_hash,
    variables: r.variables_json === null ? null : JSON.parse(r.variables_json),
    decision: r.decision as AccessLogEntry['decision'],
    rule: r.rule,
    subgraphs: r.subgraphs ?? [],
    unmaskedIdNumbers: r.unmasked_id_numbers ?? [],
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

// ---- the log --------------------------------------------------------------------------------------

const TEXT: ArgType = { scalarType: 'string', arity: 'scalar' };

function sql(text: string, args: { value: unknown; type: ArgType }[] = []): SqlQuery {
  return { sql: text, args: args.map((a) => a.value), argTypes: args.map((a) => a.type) };
}

function describeError(err: unknown): string {
  const cause = (err as { cause?: { originalMessage?: unknown } } | null)?.cause;
  if (cause && typeof cause.originalMessage === 'string') return cause.originalMessage;
  return err instanceof Error ? err.message : String(err);
}

/** Entries per statement at most. */
const MAX_BATCH = 500;

export class AccessLog {
  readonly #db: Database;
  readonly #adapter: SqlDriverAdapter;
  /** Appends waiting for the next transaction: one transaction at a time per AccessLog (the advisory lock orders them across processes). */
  readonly #queue: { entry: AccessLogEntry; resolve(e: StoredAccessLogEntry): void; reject(err: unknown): void }[] = [];
  #drained: Promise<void> | null = null;
  #closed = false;

  private constructor(db: Database, adapter: SqlDriverAdapter) {
    this.#db = db;
    this.#adapter = adapter;
  }

  /** The log database's connection pool, for metrics. */
  poolStats(): PoolStats | null {
    return this.#db.poolStats();
  }

  /**
   * Opens the log on a database (PostgreSQL or PGlite). With migrate (the default) the access log's
   * migrations are applied first; without, the access_log table must exist. The Database stays the
   * caller's: close() does not close it.
   */
  static async open(db: Database, options: { migrate?: boolean } = {}): Promise<AccessLog> {
    if (options.migrate ?? true) {
      try {
        await migrate(db, ACCESS_LOG_MIGRATIONS);
      } catch (err) {
        // Another process may have applied the same migration at the same moment: look again once.
        await migrate(db, ACCESS_LOG_MIGRATIONS).catch(() => {
          throw err;
        });
      }
    }
    try {
      await db.query('SELECT 1 FROM "access_log" LIMIT 0');
    } catch (err) {
      throw new Error(`access log: no access_log table in ${db.label} (${describeError(err)}); apply ${ACCESS_LOG_MIGRATIONS}`);
    }
    // A log migrated before appends became one statement: every request would be refused, so say so now.
    const [fn] = await db.query<{ found: boolean }>(`SELECT to_regprocedure('access_log_append(jsonb)') IS NOT NULL AS found`);
    if (!fn?.found) throw new Error(`access log: no access_log_append function in ${db.label}; apply the newer migrations in ${ACCESS_LOG_MIGRATIONS}`);
    return new AccessLog(db, await db.adapter.connect());
  }

  /**
   * Appends one entry as the next link of the chain: one statement (one round trip, one commit) takes
   * the advisory lock, reads the last seq and hash, and inserts seq = last + 1 with prev_hash = that hash. Safe under
   * concurrent appends from any number of processes. Entries appended while a statement is under
   * way go together in the next one (group commit), each still its own link. Resolves once the
   * entry is committed, with the entry as stored (strings PostgreSQL cannot hold — NUL, unpaired
   * surrogates — replaced by U+FFFD; variables as JSON).
   */
  append(entry: AccessLogEntry): Promise<StoredAccessLogEntry> {
    if (this.#closed) return Promise.reject(new Error('access log: append after close'));
    let prepared: AccessLogEntry;
    try {
      prepared = prepare(entry);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ entry: prepared, resolve, reject });
      this.#drained ??= this.#drain();
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, MAX_BATCH);
        try {
          const stored = await this.#insert(batch.map((p) => p.entry));
          batch.forEach((p, i) => p.resolve(stored[i]!));
        } catch (err) {
          if (batch.length === 1) {
            batch[0]!.reject(err);
            continue;
          }
          // One at a time, so that an entry the database refuses fails alone.
          for (const p of batch) await this.#insert([p.entry]).then(([stored]) => p.resolve(stored!), p.reject);
        }
      }
    } finally {
      this.#drained = null;
    }
  }

  /** One statement (access_log_append, in the migrations): lock, head, hashes and rows in one round trip and one commit. */
  async #insert(entries: AccessLogEntry[]): Promise<StoredAccessLogEntry[]> {
    const rows = entries.map((e) => {
      const [head, tail] = hashedTextAround(e, e.at.toISOString());
      return { ...e, head, tail };
    });
    let result;
    try {
      result = await this.#adapter.queryRaw(
        sql('SELECT "appended_seq"::text, "appended_prev_hash", "appended_hash" FROM access_log_append($1::jsonb)', [{ value: canonicalJson(rows), type: TEXT }]),
      );
    } catch (err) {
      throw new Error(`access log append failed: ${describeError(err)}`, { cause: err });
    }
    if (result.rows.length !== entries.length) throw new Error(`access log append failed: ${result.rows.length} of ${entries.length} entries stored`);
    return entries.map((e, i) => {
      const [seq, prevHash, hash] = result.rows[i]!;
      return { ...e, seq: Number(seq), prevHash: String(prevHash), hash: String(hash) };
    });
  }

  /**
   * Walks the whole chain in seq order, a page at a time, and stops at the first entry that is
   * missing (gap in seq), altered (stored hash differs from the recomputed one; a reordered row is
   * also altered, since seq is hashed) or not linked to its predecessor (prev_hash differs from the
   * previous entry's hash). `entries` counts the entries found intact before it. Cannot see rows
   * cut off the end of the log, nor a chain rewritten from the altered row on: compare the count and
   * the last hash with a copy kept elsewhere for that.
   */
  async verify(): Promise<VerifyResult> {
    const page = (afterSeq: string) =>
      this.#db.query<Row>(`SELECT ${COLUMNS} FROM "access_log" WHERE "seq" > $1::bigint ORDER BY "seq" LIMIT ${VERIFY_PAGE}`, [afterSeq]);
    let expected = 1;
    let prevHash = GENESIS_HASH;
    let next = page('-9223372036854775808');
    for (;;) {
      const rows = await next;
      // Fetch the following page while this one is hashed.
      const lastRow = rows[rows.length - 1];
      if (lastRow && rows.length === VERIFY_PAGE) {
        next = page(lastRow.seq_text);
        next.catch(() => undefined);
      }
      for (const row of rows) {
        const seq = Number(row.seq_text);
        const entries = expected - 1;
        if (seq > expected) {
          return { ok: false, entries, firstBad: { seq: expected, reason: `entry missing (the next stored entry is #${seq})` } };
        }
        if (seq < expected) return { ok: false, entries, firstBad: { seq, reason: 'unexpected entry out of sequence' } };
        let hash: string;
        try {
          const e = fromRow(row);
          if (!DECISIONS.has(e.decision)) throw new Error('bad decision');
          hash = chainHash(row.prev_hash, e, row.at_iso);
        } catch {
          return { ok: false, entries, firstBad: { seq, reason: 'entry unreadable (altered)' } };
        }
        if (hash !== row.hash) {
          return { ok: false, entries, firstBad: { seq, reason: 'hash does not match the entry (entry altered or moved)' } };
        }
        if (row.prev_hash !== prevHash) {
          return {
            ok: false,
            entries,
            firstBad: { seq, reason: seq === 1 ? 'prev_hash of the first entry is not the genesis hash' : `prev_hash does not match the hash of entry #${seq - 1} (chain broken)` },
          };
        }
        prevHash = row.hash;
        expected++;
      }
      if (rows.length < VERIFY_PAGE) break;
    }
    // Rows the walk by seq cannot see: a duplicated seq or a NULL one (possible only with the
    // primary key dropped).
    const entries = expected - 1;
    // Only up to the last entry walked: appends may go on meanwhile.
    const [count] = await this.#db.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM "access_log" WHERE "seq" <= $1::bigint OR "seq" IS NULL',
      [String(entries)],
    );
    if (Number(count?.n ?? 0) !== entries) {
      const [dup] = await this.#db.query<{ seq_text: string | null }>(
        'SELECT "seq"::text AS seq_text FROM "access_log" GROUP BY "seq" HAVING (count(*) > 1 AND "seq" <= $1::bigint) OR "seq" IS NULL ORDER BY "seq" NULLS FIRST LIMIT 1',
        [String(entries)],
      );
      return { ok: false, entries, firstBad: { seq: dup?.seq_text == null ? 0 : Number(dup.seq_text), reason: 'extra entry with a duplicate or empty seq' } };
    }
    return { ok: true, entries };
  }

  /**
   * Entries newest first (by at, then seq), filtered by subject, by an ID number among
   * unmaskedIdNumbers ("who looked at this person's data") and by time (from inclusive, to
   * exclusive). Pages with first (default 50, at most 1000) and after (the seq of the previous
   * page's last entry).
   */
  async query(filter: AccessLogFilter = {}): Promise<{ entries: StoredAccessLogEntry[]; hasNextPage: boolean }> {
    const first = filter.first ?? DEFAULT_PAGE;
    if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE) throw new RangeError(`access log query: first must be an integer 0-${MAX_PAGE}`);
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (filter.subject !== undefined) where.push(`"subject" = ${param(filter.subject)}`);
    if (filter.idNumber !== undefined) where.push(`"unmasked_id_numbers" @> ARRAY[${param(filter.idNumber)}::text]`);
    if (filter.from !== undefined) where.push(`"at" >= ${param(checkDate('from', filter.from))}::timestamptz`);
    if (filter.to !== undefined) where.push(`"at" < ${param(checkDate('to', filter.to))}::timestamptz`);
    if (filter.after !== undefined) {
      if (!Number.isSafeInteger(filter.after)) throw new RangeError('access log query: after must be an integer (a seq)');
      const p = param(String(filter.after));
      where.push(`("at", "seq") < (SELECT "at", "seq" FROM "access_log" WHERE "seq" = ${p}::bigint)`);
    }
    const rows = await this.#db.query<Row>(
      `SELECT ${COLUMNS} FROM "access_log"${where.length ? ` WHERE ${where.join(' AND ')}` : ''}
       ORDER BY "at" DESC, "seq" DESC LIMIT ${first + 1}`,
      params,
    );
    return { entries: rows.slice(0, first).map(fromRow), hasNextPage: rows.length > first };
  }

  /** Waits for appends in flight and releases the log's connection; the Database stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#drained;
    await this.#adapter.dispose();
  }
}

function checkDate(name: string, d: Date): string {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new TypeError(`access log query: ${name} must be a valid Date`);
  return d.toISOString();
}
