// The tamper-evident access log: an unbroken hash chain under concurrent appends, an append-only
// table, tampering (altered, deleted, reordered rows) found by verify() and by `npm run
// audit-log:verify`, the auditor's queries, and redaction of variables before they are logged.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate } from '../lib/migrate.ts';
import { createHash, randomBytes } from 'node:crypto';
import { createPostgresDatabase, dropPostgresDatabase, openPglite, openPostgres, type Database } from '../lib/db.ts';
import { ACCESS_LOG_MIGRATIONS, AccessLog, canonicalJson, entryHash, GENESIS_HASH, redactVariables, type AccessLogEntry } from '../lib/access-log.ts';
import { isValidIdNumber, makeIdNumber, maskIdNumber } from '../lib/ids.ts';
import { REPO_ROOT } from '../lib/subgraph.ts';
import { testBackend } from './support/databases.ts';

const backend = await testBackend();
const onPostgres = backend.kind === 'postgres';
/** Parts that need a PostgreSQL server: several connection pools, the command (which takes a URL). */
const describePostgres = onPostgres ? describe : describe.skip;

interface Fresh {
  db: Database;
  url: string | null;
  /** Another pool on the same database (PostgreSQL only). */
  another(): Database;
  drop(): Promise<void>;
}

async function freshLogDatabase(): Promise<Fresh> {
  if (backend.kind === 'pglite') {
    const db = await openPglite();
    return { db, url: null, another: () => { throw new Error('PostgreSQL only'); }, drop: () => db.close() };
  }
  const name = `bw_test_access_log_${randomBytes(4).toString('hex')}`;
  const url = await createPostgresDatabase(backend.serverUrl, name);
  const db = openPostgres(url, { max: 4 });
  const others: Database[] = [];
  return {
    db,
    url,
    another() {
      const other = openPostgres(url, { max: 2 });
      others.push(other);
      return other;
    },
    async drop() {
      await Promise.all([db, ...others].map((d) => d.close().catch(() => undefined)));
      await dropPostgresDatabase(backend.serverUrl, name);
    },
  };
}

const PERSON_A = makeIdNumber('330109', '19900101', 123);
const PERSON_B = makeIdNumber('330110', '19851231', 456);
const PERSON_C = makeIdNumber('330106', '20000229', 789);

function entry(over: Partial<AccessLogEntry> = {}): AccessLogEntry {
  return {
    at: new Date(),
    subject: 'hr-officer-1',
    role: 'HR_OFFICER',
    town: '330109001',
    operationName: 'UnitProfile',
    operationHash: 'a'.repeat(64),
    variables: { code: '12330109MB0000001X', month: '2026-10' },
    decision: 'ALLOWED',
    rule: null,
    subgraphs: ['staffing', 'hr'],
    unmaskedIdNumbers: [],
    ...over,
  };
}

function runVerifyCommand(url: string | undefined): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  if (url === undefined) delete env.ACCESS_LOG_DATABASE_URL;
  else env.ACCESS_LOG_DATABASE_URL = url;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/audit-log-verify.ts'], { cwd: REPO_ROOT, env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('appending', () => {
  let fresh: Fresh;
  let log: AccessLog;
  beforeAll(async () => {
    fresh = await freshLogDatabase();
    log = await AccessLog.open(fresh.db);
  });
  afterAll(async () => {
    await log.close();
    await fresh.drop();
  });

  it('chains entries from genesis: seq 1, 2, ... each hash over the previous one', async () => {
    const first = await log.append(entry({ subject: 'first' }));
    const second = await log.append(entry({ subject: 'second', decision: 'DENIED', rule: 'UNAUTHENTICATED', subgraphs: [] }));
    expect(first.seq).toBe(1);
    expect(first.prevHash).toBe(GENESIS_HASH);
    expect(first.hash).toBe(entryHash(GENESIS_HASH, first));
    expect(second.seq).toBe(2);
    expect(second.prevHash).toBe(first.hash);
    expect(second.hash).toBe(entryHash(first.hash, second));
    expect(await log.verify()).toEqual({ ok: true, entries: 2 });
  });

  it('keeps an unbroken chain under 200 concurrent appends from several connection pools', async () => {
    const before = (await log.verify()).entries;
    // Separate pools stand for separate gateway processes: only the advisory lock orders them.
    const logs = onPostgres ? [log, ...(await Promise.all([1, 2, 3].map(() => AccessLog.open(fresh.another(), { migrate: false }))))] : [log];
    try {
      const stored = await Promise.all(
        Array.from({ length: 200 }, (_, i) => logs[i % logs.length]!.append(entry({ subject: `caller-${i % 7}`, variables: { i } }))),
      );
      expect(stored.map((s) => s.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => before + i + 1));
      expect(await log.verify()).toEqual({ ok: true, entries: before + 200 });
    } finally {
      await Promise.all(logs.slice(1).map((l) => l.close()));
    }
  });

  (onPostgres ? it : it.skip)('keeps an unbroken chain under appends from three processes at once', async () => {
    const before = (await log.verify()).entries;
    // Each process appends one entry at a time, so every append is a transaction of its own that
    // competes for the advisory lock with the other processes'.
    const worker = `
      import { openPostgres } from './lib/db.ts';
      import { AccessLog } from './lib/access-log.ts';
      const db = openPostgres(process.env.ACCESS_LOG_DATABASE_URL, { max: 1 });
      const log = await AccessLog.open(db, { migrate: false });
      for (let i = 0; i < 40; i++) {
        await log.append({ at: new Date(), subject: 'process-' + process.pid, role: null, town: null, operationName: 'Op', operationHash: null,
          variables: { i }, decision: 'ALLOWED', rule: null, subgraphs: [], unmaskedIdNumbers: [] });
      }
      await log.close();
      await db.close();`;
    const env = { ...process.env, NODE_OPTIONS: '', ACCESS_LOG_DATABASE_URL: fresh.url! };
    const codes = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<number>((resolve) => {
            execFile(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', worker], { cwd: REPO_ROOT, env }, (err, _out, stderr) => {
              if (err) console.error(stderr);
              resolve(err ? Number(err.code ?? -1) : 0);
            });
          }),
      ),
    );
    expect(codes).toEqual([0, 0, 0]);
    expect(await log.verify()).toEqual({ ok: true, entries: before + 120 });
    const [row] = await fresh.db.query<{ n: string }>(`SELECT count(DISTINCT subject)::text AS n FROM access_log WHERE subject LIKE 'process-%'`);
    expect(row?.n).toBe('3');
  });

  it('stores what it hashed: variables as JSON, strings PostgreSQL cannot hold replaced', async () => {
    const stored = await log.append(entry({ subject: 'odd\u0000subject', variables: { b: [1, 2.5, 1e21, null], a: { '\uD800': 'x' }, u: undefined } }));
    expect(stored.subject).toBe('odd\uFFFDsubject');
    expect(stored.variables).toEqual({ a: { '\uFFFD': 'x' }, b: [1, 2.5, 1e21, null] });
    const [read] = (await log.query({ subject: 'odd\uFFFDsubject' })).entries;
    expect(read).toEqual(stored);
    expect((await log.verify()).ok).toBe(true);
  });

  it('refuses an entry with an unknown decision or an invalid time, and appends nothing', async () => {
    const before = (await log.verify()).entries;
    await expect(log.append(entry({ decision: 'MAYBE' as never }))).rejects.toThrow(/decision/);
    await expect(log.append(entry({ at: new Date(Number.NaN) }))).rejects.toThrow(/at must be/);
    expect(await log.verify()).toEqual({ ok: true, entries: before });
  });

  it('will not open, without migrating, a log that lacks the one-statement append, and says which migrations to apply', async () => {
    const older = await freshLogDatabase();
    try {
      // The log as the first migration left it, before appends became one statement.
      const firstOnly = mkdtempSync(join(tmpdir(), 'access-log-migrations-'));
      cpSync(join(ACCESS_LOG_MIGRATIONS, '20261127000000_init'), join(firstOnly, '20261127000000_init'), { recursive: true });
      await migrate(older.db, firstOnly);
      rmSync(firstOnly, { recursive: true, force: true });
      await expect(AccessLog.open(older.db, { migrate: false })).rejects.toThrow(/no access_log_append function .*apply the newer migrations/);
      // Migrating (the default) brings it up to date, and appends work.
      const migrated = await AccessLog.open(older.db);
      expect((await migrated.append(entry())).seq).toBe(1);
      await migrated.close();
    } finally {
      await older.drop();
    }
  });

  it('refuses UPDATE, DELETE and TRUNCATE (append-only trigger)', async () => {
    await expect(fresh.db.exec(`UPDATE access_log SET subject = 'someone-else' WHERE seq = 1`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(fresh.db.exec('DELETE FROM access_log WHERE seq = 1')).rejects.toThrow(/append-only: DELETE refused/);
    await expect(fresh.db.exec('TRUNCATE access_log')).rejects.toThrow(/append-only: TRUNCATE refused/);
    const [row] = await fresh.db.query<{ subject: string }>('SELECT subject FROM access_log WHERE seq = 1');
    expect(row?.subject).toBe('first');
    expect((await log.verify()).ok).toBe(true);
  });
});

describe('tampering, with the trigger dropped (as the table owner could)', () => {
  async function tamperedLog(n: number, tamper: (db: Database) => Promise<void>): Promise<{ fresh: Fresh; log: AccessLog }> {
    const fresh = await freshLogDatabase();
    const log = await AccessLog.open(fresh.db);
    for (let i = 1; i <= n; i++) {
      await log.append(entry({ subject: `s${i}`, variables: { district: '330109', i }, unmaskedIdNumbers: i % 2 ? [PERSON_A] : [] }));
    }
    expect(await log.verify()).toEqual({ ok: true, entries: n });
    await fresh.db.exec('DROP TRIGGER access_log_no_update_delete ON access_log');
    await tamper(fresh.db);
    return { fresh, log };
  }

  const cases: { name: string; tamper: (db: Database) => Promise<void>; firstBad: number; reason: RegExp }[] = [
    {
      name: "(a) one row's variables altered",
      tamper: (db) => db.exec(`UPDATE access_log SET variables = '{"district": "330110", "i": 4}' WHERE seq = 4`),
      firstBad: 4,
      reason: /hash does not match/,
    },
    {
      name: '(b) a middle row deleted',
      tamper: (db) => db.exec('DELETE FROM access_log WHERE seq = 5'),
      firstBad: 5,
      reason: /missing/,
    },
    {
      name: "(c) two rows' seq values swapped",
      tamper: (db) => db.exec('UPDATE access_log SET seq = 1000 WHERE seq = 3; UPDATE access_log SET seq = 3 WHERE seq = 7; UPDATE access_log SET seq = 7 WHERE seq = 1000'),
      firstBad: 3,
      reason: /hash does not match/,
    },
    {
      name: '(d) a row altered and its own hash recomputed',
      tamper: async (db) => {
        const [row] = await db.query<{ prev_hash: string }>('SELECT prev_hash FROM access_log WHERE seq = 6');
        const at = new Date('2026-11-01T00:00:00.000Z');
        const forged = { ...entry({ at, subject: 'nobody' }), seq: 6 };
        await db.query(`UPDATE access_log SET at = $1, subject = 'nobody', variables = $2::jsonb, unmasked_id_numbers = '{}', hash = $3 WHERE seq = 6`, [
          at.toISOString(),
          JSON.stringify(forged.variables),
          entryHash(row!.prev_hash, forged),
        ]);
      },
      firstBad: 7,
      reason: /prev_hash does not match the hash of entry #6/,
    },
    {
      name: '(e) a row deleted and the later ones renumbered',
      tamper: (db) => db.exec('DELETE FROM access_log WHERE seq = 2; UPDATE access_log SET seq = seq - 1 WHERE seq > 2'),
      firstBad: 2,
      reason: /hash does not match/,
    },
  ];

  for (const c of cases) {
    it(`${c.name}: verify names entry #${c.firstBad}`, async () => {
      const { fresh, log } = await tamperedLog(8, c.tamper);
      try {
        const result = await log.verify();
        expect(result).toMatchObject({ ok: false, entries: c.firstBad - 1, firstBad: { seq: c.firstBad } });
        if (!result.ok) expect(result.firstBad.reason).toMatch(c.reason);
        if (fresh.url) {
          const run = await runVerifyCommand(fresh.url);
          expect(run.code).toBe(1);
          expect(run.stdout).toMatch(new RegExp(`^access log TAMPERED at entry #${c.firstBad}: `, 'm'));
          // The log holds ID numbers; the command prints none.
          expect(run.stdout + run.stderr).not.toContain(PERSON_A);
        }
      } finally {
        await log.close();
        await fresh.drop();
      }
    });
  }
});

describePostgres('npm run audit-log:verify', () => {
  let fresh: Fresh;
  beforeAll(async () => {
    fresh = await freshLogDatabase();
    const log = await AccessLog.open(fresh.db);
    for (let i = 0; i < 5; i++) await log.append(entry({ unmaskedIdNumbers: [PERSON_A] }));
    await log.close();
  });
  afterAll(() => fresh.drop());

  it('exits 0 and prints the count on an intact log', async () => {
    const run = await runVerifyCommand(fresh.url!);
    expect(run).toMatchObject({ code: 0, stdout: 'access log OK: 5 entries\n' });
    expect(run.stdout + run.stderr).not.toContain(PERSON_A);
  });

  it('exits 2 with a usage line without ACCESS_LOG_DATABASE_URL', async () => {
    const run = await runVerifyCommand(undefined);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^usage: ACCESS_LOG_DATABASE_URL=/);
  });
});

describe('the auditor\'s queries', () => {
  let fresh: Fresh;
  let log: AccessLog;
  const t0 = Date.parse('2026-11-01T08:00:00.000Z');
  const at = (minutes: number) => new Date(t0 + minutes * 60_000);

  beforeAll(async () => {
    fresh = await freshLogDatabase();
    log = await AccessLog.open(fresh.db);
    await log.append(entry({ at: at(0), subject: 'alice', unmaskedIdNumbers: [PERSON_A] }));
    await log.append(entry({ at: at(1), subject: 'bob', unmaskedIdNumbers: [PERSON_A, PERSON_B] }));
    await log.append(entry({ at: at(2), subject: 'alice', decision: 'DENIED', rule: 'requiresScopes:pay:read', subgraphs: [] }));
    await log.append(entry({ at: at(3), subject: 'alice', decision: 'PARTIAL', rule: 'requiresScopes:pay:read', unmaskedIdNumbers: [PERSON_B] }));
    await log.append(entry({ at: at(4), subject: null, role: null, town: null, decision: 'DENIED', rule: 'UNAUTHENTICATED', subgraphs: [] }));
    await log.append(entry({ at: at(5), subject: 'carol', unmaskedIdNumbers: [PERSON_A] }));
  });
  afterAll(async () => {
    await log.close();
    await fresh.drop();
  });

  it('by subject, newest first', async () => {
    const { entries, hasNextPage } = await log.query({ subject: 'alice' });
    expect(entries.map((e) => e.seq)).toEqual([4, 3, 1]);
    expect(hasNextPage).toBe(false);
    expect(entries[0]).toMatchObject({ subject: 'alice', decision: 'PARTIAL', rule: 'requiresScopes:pay:read', unmaskedIdNumbers: [PERSON_B], at: at(3) });
  });

  it('by ID number: who looked at this person\'s data', async () => {
    expect((await log.query({ idNumber: PERSON_A })).entries.map((e) => [e.seq, e.subject])).toEqual([[6, 'carol'], [2, 'bob'], [1, 'alice']]);
    expect((await log.query({ idNumber: PERSON_B })).entries.map((e) => e.subject)).toEqual(['alice', 'bob']);
    expect((await log.query({ idNumber: PERSON_C })).entries).toEqual([]);
    expect((await log.query({ idNumber: PERSON_A, subject: 'bob' })).entries.map((e) => e.seq)).toEqual([2]);
  });

  it('by time: from inclusive, to exclusive', async () => {
    expect((await log.query({ from: at(1), to: at(4) })).entries.map((e) => e.seq)).toEqual([4, 3, 2]);
    expect((await log.query({ subject: 'alice', from: at(2) })).entries.map((e) => e.seq)).toEqual([4, 3]);
  });

  it('pages with first and after', async () => {
    const page1 = await log.query({ first: 4 });
    expect(page1.entries.map((e) => e.seq)).toEqual([6, 5, 4, 3]);
    expect(page1.hasNextPage).toBe(true);
    const page2 = await log.query({ first: 4, after: page1.entries.at(-1)!.seq });
    expect(page2.entries.map((e) => e.seq)).toEqual([2, 1]);
    expect(page2.hasNextPage).toBe(false);
    const bySubject = await log.query({ subject: 'alice', first: 1, after: 4 });
    expect(bySubject).toMatchObject({ entries: [{ seq: 3 }], hasNextPage: true });
    await expect(log.query({ first: 5000 })).rejects.toThrow(RangeError);
  });

  it('returns entries exactly as appended, hashes included', async () => {
    const { entries } = await log.query({ first: 10 });
    for (const e of entries) expect(e.hash).toBe(entryHash(e.prevHash, e));
    expect(await log.verify()).toEqual({ ok: true, entries: 6 });
  });
});

describe('redactVariables', () => {
  it('masks ID numbers nested in objects and arrays, and embedded in text', () => {
    const input = {
      idNumber: PERSON_A,
      filter: { people: [PERSON_B, { idNumber: PERSON_C }], note: `check ${PERSON_A}, then ${PERSON_B}.` },
      glued: `x${PERSON_C}y`,
      inLongerDigits: `9${PERSON_A}`,
      lowercaseX: `${PERSON_A.slice(0, 17)}${PERSON_A.slice(17).toLowerCase()}`,
    };
    const out = redactVariables(input) as typeof input;
    expect(out.idNumber).toBe(maskIdNumber(PERSON_A));
    expect(out.filter.people[0]).toBe(maskIdNumber(PERSON_B));
    expect(out.filter.people[1]).toEqual({ idNumber: maskIdNumber(PERSON_C) });
    expect(out.filter.note).toBe(`check ${maskIdNumber(PERSON_A)}, then ${maskIdNumber(PERSON_B)}.`);
    expect(out.glued).toBe(`x${maskIdNumber(PERSON_C)}y`);
    expect(out.inLongerDigits).toBe(`9${maskIdNumber(PERSON_A)}`);
    expect(out.lowercaseX).toMatch(/^\d{6}\*{8}\d{3}[\dx]$/);
    expect(maskIdNumber(PERSON_A)).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
    // A deep copy: the caller's object is untouched.
    expect(input.idNumber).toBe(PERSON_A);
    expect(JSON.stringify(out)).not.toMatch(/\d{17}[\dXx]/);
  });

  it('redacts values under name keys', () => {
    const out = redactVariables({ name: '张三', 姓名: '李四', person: { fullName: 'Wang Wu', last_name: 'Wang' }, list: [{ name: 'x' }], name2: 'kept', missing: { name: null } });
    expect(out).toEqual({
      name: '<redacted>',
      姓名: '<redacted>',
      person: { fullName: '<redacted>', last_name: '<redacted>' },
      list: [{ name: '<redacted>' }],
      name2: 'kept',
      missing: { name: null },
    });
  });

  it('leaves other values as they are', () => {
    const invalid = `${PERSON_A.slice(0, 17)}${PERSON_A[17] === '0' ? '1' : '0'}`; // wrong check digit
    expect(isValidIdNumber(invalid)).toBe(false);
    const input = {
      district: '330109',
      month: '2026-10',
      unit: '12330109MB0000001X',
      first: 50,
      after: null,
      flag: true,
      nested: { list: [1, 'two', { three: 3 }], invalid, phone: '13800138000' },
      operationName: 'UnitProfile',
      supplierName: 'Acme Labour Services Ltd',
    };
    expect(redactVariables(input)).toEqual(input);
    expect(redactVariables(null)).toBeNull();
    expect(redactVariables(undefined)).toBeUndefined();
    expect(redactVariables(PERSON_A)).toBe(maskIdNumber(PERSON_A));
  });

  it('masks ID numbers in keys and survives a cycle', () => {
    const input: Record<string, unknown> = { [PERSON_A]: true };
    input.self = input;
    expect(redactVariables(input)).toEqual({ [maskIdNumber(PERSON_A)]: true, self: '<circular>' });
  });
});

describe('canonicalJson', () => {
  it('orders keys at every depth and drops undefined like JSON.stringify', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"e":2,"f":1}]},"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson([undefined, Number.NaN, new Date(0)])).toBe('[null,null,"1970-01-01T00:00:00.000Z"]');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('is what the chain hashes: sha256(prevHash + canonicalJson of the fields, seq and at as ISO string included)', () => {
    const e = { ...entry({ at: new Date('2026-11-27T01:02:03.456Z'), variables: { z: [1, { y: 'x', b: null }], a: '330109********123X' } }), seq: 42 };
    const prev = 'ab'.repeat(32);
    const { seq, at, subject, role, town, operationName, operationHash, variables, decision, rule, subgraphs, unmaskedIdNumbers } = e;
    const fields = { seq, at: at.toISOString(), subject, role, town, operationName, operationHash, variables, decision, rule, subgraphs, unmaskedIdNumbers };
    expect(entryHash(prev, e)).toBe(createHash('sha256').update(prev + canonicalJson(fields)).digest('hex'));
  });
});
