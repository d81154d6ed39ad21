// Writes through the graph, done the same way by every bureau (lib, once):
// - one database transaction per mutation: a failure at any step leaves nothing behind;
// - an idempotency key per request: the first request with a key claims it in the bureau's own database
//   (table idempotency_key, with a hash of the mutation and its input) and stores its result in the same
//   transaction; a retry with the key gets that result again without applying anything, and the same key
//   with another input is refused (IDEMPOTENCY_KEY_REUSED). A request that fails stores nothing, so its
//   retry runs afresh;
// - optimistic concurrency: every updatable record has a version; the caller sends the version it read
//   (none, or 0, for a record that does not exist yet) and a stale one is refused with CONFLICT naming the
//   current version, nothing written.
import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { badUserInput, conflict } from './errors.ts';
import { requireScope, unitInScope, type Identity, type Scope } from './auth/identity.ts';

/** The slice of a Prisma transaction client the shared mechanics use (raw SQL on the bureau's own tables). */
export interface WriteTx {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): PromiseLike<number>;
}

/** A bureau's Prisma client: raw SQL, and interactive transactions handing out a Tx. */
export interface WriteClient<Tx extends WriteTx> extends WriteTx {
  $transaction<R>(work: (tx: Tx) => Promise<R>, options?: { maxWait?: number; timeout?: number }): PromiseLike<R>;
}

/** What a mutation is, for its idempotency key. */
export interface WriteRequest {
  /** The mutation field, e.g. "recordBudget". */
  mutation: string;
  /** Who asks: keys are the caller's own. */
  identity: Identity;
  /** The scope the bureau requires for this write (checked here as well as at the gateway). */
  scope: Scope;
  idempotencyKey?: string | null;
  /** The mutation's arguments other than the key: what the key stands for. */
  input: unknown;
}

// In a burst a request may queue for a connection behind a thousand others (on embedded PGlite transactions
// run one at a time): waiting is better than failing. Its own statements are few.
const TRANSACTION_OPTIONS = { maxWait: 120_000, timeout: 30_000 };
const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,128}$/;
const RETRIES = 3;

/** Runs one mutation: scope check, key check, one transaction; a retry with the key answers the stored result. */
export class Writer<Tx extends WriteTx> {
  constructor(
    private readonly db: WriteClient<Tx>,
    private readonly bureau: string,
  ) {}

  /**
   * check: what can be judged before the transaction (the input itself, references held by other bureaus);
   * apply: the write, inside the transaction, given what check returned. A retry with the key skips apply.
   */
  async run<C, R extends object>(request: WriteRequest, check: () => C | Promise<C>, apply: (tx: Tx, checked: C) => Promise<R>): Promise<R> {
    requireScope(request.identity, request.scope, request.mutation);
    const key = request.idempotencyKey ?? null;
    if (key !== null && !IDEMPOTENCY_KEY.test(key)) {
      throw badUserInput('idempotencyKey must be 8 to 128 characters: letters, digits and . _ : -', 'idempotencyKey');
    }
    const hash = requestHash(request.mutation, request.input);
    const subject = request.identity.subject;
    // A retry of an applied request gets its answer at once: the checks judged it when it was applied.
    if (key !== null) {
      const stored = await this.stored(this.db, subject, key);
      if (stored) return this.answer<R>(stored, request.mutation, hash);
    }
    const checked = await check();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.$transaction(async (tx) => {
          if (key !== null) {
            // A concurrent request with the same key waits here until the first one commits or rolls back.
            const claimed = await tx.$queryRawUnsafe<unknown[]>(
              `INSERT INTO "idempotency_key" ("subject", "key", "mutation", "request_hash") VALUES ($1, $2, $3, $4)
               ON CONFLICT DO NOTHING RETURNING "key"`,
              subject, key, request.mutation, hash,
            );
            if (claimed.length === 0) {
              const stored = await this.stored(tx, subject, key);
              if (!stored) throw new Error('idempotency key claimed but not readable');
              return this.answer<R>(stored, request.mutation, hash);
            }
          }
          const result = await apply(tx, checked);
          if (key !== null) {
            await tx.$executeRawUnsafe(`UPDATE "idempotency_key" SET "result" = $3 WHERE "subject" = $1 AND "key" = $2`, subject, key, encode(result));
          }
          return result;
        }, TRANSACTION_OPTIONS);
      } catch (err) {
        if (err instanceof GraphQLError) throw err;
        if (attempt < RETRIES && isTransient(err)) continue;
        // The database's text may quote the row (ID numbers): only the code goes to the log.
        const { name, code } = err as { name?: string; code?: string };
        console.error(`${this.bureau}: ${request.mutation} rolled back: ${name ?? 'Error'} ${code ?? ''}`.trim());
        throw new GraphQLError(`${request.mutation} failed and was rolled back; nothing was changed`, {
          extensions: { code: 'INTERNAL_SERVER_ERROR', rolledBack: true },
        });
      }
    }
  }

  private async stored(db: WriteTx, subject: string, key: string): Promise<StoredKey | undefined> {
    const [row] = await db.$queryRawUnsafe<StoredKey[]>(
      `SELECT "mutation", "request_hash", "result" FROM "idempotency_key" WHERE "subject" = $1 AND "key" = $2 AND "result" IS NOT NULL`,
      subject, key,
    );
    return row;
  }

  /** The stored result for a retry; the same key with another request is refused. */
  private answer<R>(stored: StoredKey, mutation: string, hash: string): R {
    if (stored.mutation !== mutation || stored.request_hash !== hash) {
      throw new GraphQLError(
        `idempotencyKey was already used for ${stored.mutation === mutation ? 'another input' : stored.mutation}; a retry must send the same input, a new request a new key`,
        { extensions: { code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotencyKey' } },
      );
    }
    return decode(stored.result) as R;
  }
}

interface StoredKey {
  mutation: string;
  request_hash: string;
  result: string;
}

/** Serialises writers of one logical record (e.g. a unit's quota) for the rest of the transaction. */
export async function lockKey(tx: WriteTx, ...parts: (string | number)[]): Promise<void> {
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, parts.join('|'));
}

/** The caller's version against the record's (0: it does not exist); CONFLICT when they differ. */
export function checkVersion(what: string, current: number, expected: number | null | undefined, field: string): void {
  const sent = expected ?? 0;
  if (!Number.isInteger(sent) || sent < 0) throw badUserInput(`${field} must be the version read (a whole number), or omitted for a new record`, field);
  if (sent !== current) throw conflict(what, sent, current, field);
}

/**
 * Applies an update only to the version the caller read (`update` must filter on it and bump it) and
 * returns the record as written; when it changed since it was read in this transaction, CONFLICT naming
 * the version now there.
 */
export async function updateAtVersion<T extends { version: number }>(
  what: string,
  expected: number,
  field: string,
  update: () => PromiseLike<{ count: number }>,
  reread: () => PromiseLike<T | null>,
): Promise<T> {
  const { count } = await update();
  const row = await reread();
  if (count === 1 && row) return row;
  throw conflict(what, expected, row?.version ?? 0, field);
}

/** A referenced record must exist: BAD_USER_INPUT naming the field otherwise. */
export function requireReference<T>(row: T | null | undefined, field: string, what: string): T {
  if (row == null) throw badUserInput(`${field}: ${what} does not exist`, field);
  return row;
}

/** A town officer's row scope applies to writes too: a unit of another town is refused. */
export function requireUnitInScope(identity: Identity, unitCode: string, field: string): void {
  if (unitInScope(identity, unitCode)) return;
  throw new GraphQLError(`${field}: unit ${unitCode} is outside your town; you may not write its records`, {
    extensions: { code: 'FORBIDDEN', field, rule: 'row_scope' },
  });
}

// ---- request hash and stored results --------------------------------------------------------------

/** sha256 of the mutation and its input in a canonical form: keys sorted, absent and null alike. */
export function requestHash(mutation: string, input: unknown): string {
  return createHash('sha256').update(`${mutation}\n${canonical(input)}`).digest('hex');
}

function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A result row as text, Dates kept as Dates (decimals become strings, which the resolvers read as numbers). */
function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v) {
    const raw = this[key];
    return raw instanceof Date ? { $date: raw.toISOString() } : v;
  });
}

function decode(text: string): unknown {
  return JSON.parse(text, (_key, v) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof v.$date === 'string' ? new Date(v.$date) : v,
  );
}

/** Deadlocks and serialization failures: the whole transaction is tried again. */
function isTransient(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === 'P2034' || /\b(40001|40P01)\b|deadlock detected|could not serialize/i.test(e?.message ?? '');
}
