// Loads generated rows into the four bureaus' databases (PostgreSQL or PGlite), the four at once. On
// PostgreSQL each table gets its own COPY ... FROM STDIN connection, fed district by district as the
// generator yields them, so a province streams through without being held in memory; PGlite gets
// batched INSERTs in foreign-key order. Afterwards each serial sequence moves past the explicit ids.
// The COPYs run in separate transactions, so a child table cannot see its parent's rows before the
// end: foreign keys are dropped for the load and added back (and so re-validated) afterwards. For
// large loads (rebuildIndexes) the secondary indexes go the same way: building an index once beats
// maintaining it row by row.
//
// seedStreaming generates in a worker thread, which also turns rows into COPY text, while this thread
// only moves bytes to the sockets: on two cores the generator and PostgreSQL then work side by side.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { copyText, type BulkWriter, type Database } from '../../lib/db.ts';
import { BUREAU_NAMES, generateChunks, planDistricts, type BureauName, type DataChunk, type GeneratedData, type GenerateOptions, type Manifest } from './generate.ts';

export interface LoadProgress {
  phase: 'loading' | 'indexing' | 'analyzing' | 'done';
  /** Districts, people and rows handed to the databases so far. */
  districts: number;
  people: number;
  rows: number;
}

export interface LoadOptions {
  /**
   * PostgreSQL only: drop the secondary indexes before loading and build them after. Pays off from a
   * few hundred thousand rows (see REBUILD_INDEXES_FROM_PEOPLE). Foreign keys are always dropped and re-added.
   */
  rebuildIndexes?: boolean;
  /** PostgreSQL only: ANALYZE the loaded tables afterwards. Default: as rebuildIndexes. */
  analyze?: boolean;
  onProgress?: (progress: LoadProgress) => void;
}

export interface LoadResult {
  rows: number;
  districts: number;
  people: number;
  /** Rows written per table. */
  tables: Record<BureauName, Record<string, number>>;
  /**
   * Seconds. generate and encode: spent producing rows and COPY text (in the worker when streaming,
   * overlapping the copy); copy: from the start until every COPY is committed; indexes: building
   * indexes and re-adding foreign keys; analyze; total.
   */
  seconds: { generate: number; encode: number; copy: number; indexes: number; analyze: number; total: number };
}

/** People from which rebuilding indexes after the load beats maintaining them during it (measured here). */
export const REBUILD_INDEXES_FROM_PEOPLE = 10_000;

/** One table's rows of a chunk, as rows or as COPY text made elsewhere. */
interface TableBatch {
  bureau: BureauName;
  table: string;
  columns: readonly string[];
  count: number;
  /** Whether the id column is a serial number (its sequence moves past the ids at the end). */
  serialId: boolean;
  rows?: readonly (readonly unknown[])[];
  text?: Uint8Array;
}

interface Batch {
  people: number;
  tables: TableBatch[];
}

interface Clock {
  generateMs: number;
  encodeMs: number;
}

function tableBatches(chunk: DataChunk, encode: boolean, clock: Clock): TableBatch[] {
  const out: TableBatch[] = [];
  for (const bureau of BUREAU_NAMES) {
    for (const [table, { columns, rows }] of Object.entries(chunk[bureau])) {
      if (rows.length === 0) continue;
      const idIndex = columns.indexOf('id');
      // Text ids (contract numbers) have no sequence; serial ids are numbers.
      const serialId = idIndex >= 0 && typeof rows[0]![idIndex] === 'number';
      if (encode) {
        const t = performance.now();
        const text = new TextEncoder().encode(copyText(rows));
        clock.encodeMs += performance.now() - t;
        out.push({ bureau, table, columns, count: rows.length, serialId, text });
      } else {
        out.push({ bureau, table, columns, count: rows.length, serialId, rows });
      }
    }
  }
  return out;
}

function* inThread(chunks: Iterable<DataChunk>, encode: boolean, clock: Clock): Generator<Batch> {
  const iterator = chunks[Symbol.iterator]();
  for (;;) {
    const t = performance.now();
    const next = iterator.next();
    clock.generateMs += performance.now() - t;
    if (next.done) return;
    yield { people: next.value.people, tables: tableBatches(next.value, encode, clock) };
  }
}

const allPostgres = (dbs: Record<BureauName, Database>) => BUREAU_NAMES.every((b) => dbs[b].kind === 'postgres');

/** Loads data held in memory (as generate() returns it). */
export function load(data: GeneratedData, dbs: Record<BureauName, Database>, options: LoadOptions = {}): Promise<LoadResult> {
  const chunk: DataChunk = {
    district: data.manifest.district,
    units: data.manifest.counts.units,
    people: data.manifest.counts.people,
    staffing: data.staffing,
    finance: data.finance,
    hr: data.hr,
    audit: data.audit,
  };
  return loadChunks([chunk], dbs, options);
}

/**
 * Loads chunks as they come, in this thread. To keep the manifest generateChunks returns, delegate:
 * `let manifest; await loadChunks((function* () { manifest = yield* generateChunks(o); })(), dbs)`.
 */
export function loadChunks(chunks: Iterable<DataChunk>, dbs: Record<BureauName, Database>, options: LoadOptions = {}): Promise<LoadResult> {
  const clock: Clock = { generateMs: 0, encodeMs: 0 };
  return loadBatches(inThread(chunks, allPostgres(dbs), clock), dbs, options, clock);
}

/**
 * Generates and loads at once, district by district (the path of `npm run seed`): memory holds a
 * district or two, and the databases work on one district while the next is generated. With several
 * districts on PostgreSQL the generator runs in a worker thread (unless `worker: false`); with one
 * there is nothing to overlap and starting the worker would only cost time.
 */
export async function seedStreaming(
  options: GenerateOptions,
  dbs: Record<BureauName, Database>,
  loadOptions: LoadOptions & { worker?: boolean } = {},
): Promise<{ manifest: Manifest; result: LoadResult }> {
  const chunks = generateChunks(options); // throws here on bad options, before anything is written
  const withDefaults: LoadOptions = {
    ...loadOptions,
    rebuildIndexes: loadOptions.rebuildIndexes ?? planDistricts(options).reduce((s, p) => s + p.people, 0) >= REBUILD_INDEXES_FROM_PEOPLE,
  };
  const useWorker = (loadOptions.worker ?? planDistricts(options).length > 1) && allPostgres(dbs);
  if (!useWorker) {
    let manifest: Manifest | undefined;
    const result = await loadChunks(
      (function* () {
        manifest = yield* chunks;
      })(),
      dbs,
      withDefaults,
    );
    return { manifest: manifest!, result };
  }
  const clock: Clock = { generateMs: 0, encodeMs: 0 };
  const generator = fromWorker(options, clock);
  const result = await loadBatches(generator.batches, dbs, withDefaults, clock);
  return { manifest: generator.manifest(), result };
}

const seconds = (ms: number) => Math.round(ms) / 1000;

async function loadBatches(
  batches: Iterable<Batch> | AsyncIterable<Batch>,
  dbs: Record<BureauName, Database>,
  options: LoadOptions,
  clock: Clock,
): Promise<LoadResult> {
  const started = performance.now();
  const rebuild = options.rebuildIndexes ?? false;
  const analyze = options.analyze ?? rebuild;
  const progress: LoadProgress = { phase: 'loading', districts: 0, people: 0, rows: 0 };
  const report = () => options.onProgress?.({ ...progress });
  const writers = new Map<string, Promise<BulkWriter>>();
  const serial = new Map<string, { bureau: BureauName; table: string }>();
  const restorers: (() => Promise<void>)[] = [];
  // Run after the restorers: ALTER TABLE next to index builds and key checks could deadlock.
  const resumers: (() => Promise<void>)[] = [];
  let restored = false;
  const timings = { copy: 0, indexes: 0, analyze: 0 };

  const writerFor = (bureau: BureauName, table: string, columns: readonly string[]): Promise<BulkWriter> => {
    const key = `${bureau}.${table}`;
    let w = writers.get(key);
    if (!w) {
      w = dbs[bureau].bulkWriter(table, columns);
      // A failed open is reported by the write that awaits it; this only avoids an unhandled rejection.
      w.catch(() => undefined);
      writers.set(key, w);
    }
    return w;
  };

  try {
    // A bulk load counts as one write: the per-row version triggers are off while it runs.
    for (const bureau of BUREAU_NAMES) resumers.push(await pauseVersionTriggers(dbs[bureau]));
    for (const bureau of BUREAU_NAMES) {
      if (dbs[bureau].kind !== 'postgres') continue;
      restorers.push(await dropKeysAndIndexes(dbs[bureau], rebuild));
    }
    report();
    for await (const batch of batches) {
      // Bureaus at once; a bureau's tables in foreign-key order (PGlite inserts as it goes).
      await Promise.all(
        BUREAU_NAMES.map(async (bureau) => {
          for (const t of batch.tables) {
            if (t.bureau !== bureau) continue;
            if (t.serialId) serial.set(`${bureau}.${t.table}`, { bureau, table: t.table });
            const writer = await writerFor(bureau, t.table, t.columns);
            if (t.text) {
              if (!writer.writeText) throw new Error(`${dbs[bureau].label} cannot take COPY text`);
              await writer.writeText(t.text);
            } else {
              await writer.write(t.rows ?? []);
            }
            progress.rows += t.count;
          }
        }),
      );
      progress.districts++;
      progress.people += batch.people;
      report();
    }
    const tables = Object.fromEntries(BUREAU_NAMES.map((b) => [b, {} as Record<string, number>])) as LoadResult['tables'];
    await Promise.all(
      [...writers].map(async ([key, w]) => {
        const [bureau, table] = key.split('.') as [BureauName, string];
        tables[bureau][table] = await (await w).end();
      }),
    );
    writers.clear();
    await Promise.all(
      [...serial.values()].map(({ bureau, table }) =>
        dbs[bureau].query(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT max(id) FROM "${table}"))`),
      ),
    );
    timings.copy = performance.now() - started;

    if (restorers.length > 0) {
      progress.phase = 'indexing';
      report();
      const t = performance.now();
      restored = true;
      await Promise.all(restorers.map((restore) => restore()));
      timings.indexes = performance.now() - t;
    }
    await Promise.all(resumers.map((resume) => resume()));
    resumers.length = 0;
    if (analyze) {
      progress.phase = 'analyzing';
      report();
      const t = performance.now();
      await Promise.all(
        BUREAU_NAMES.filter((b) => dbs[b].kind === 'postgres' && Object.keys(tables[b]).length > 0).map((b) =>
          dbs[b].exec(`ANALYZE ${Object.keys(tables[b]).map((t) => `"${t}"`).join(', ')}`),
        ),
      );
      timings.analyze = performance.now() - t;
    }
    progress.phase = 'done';
    report();
    return {
      rows: progress.rows,
      districts: progress.districts,
      people: progress.people,
      tables,
      seconds: {
        generate: seconds(clock.generateMs),
        encode: seconds(clock.encodeMs),
        copy: seconds(timings.copy),
        indexes: seconds(timings.indexes),
        analyze: seconds(timings.analyze),
        total: seconds(performance.now() - started),
      },
    };
  } catch (err) {
    await Promise.all([...writers.values()].map(async (w) => (await w.catch(() => null))?.abort(err as Error)));
    // Put the indexes and keys back if the data allows; the load's own error is the one reported.
    if (!restored) await Promise.all(restorers.map((restore) => restore().catch(() => undefined)));
    await Promise.all(resumers.map((resume) => resume().catch(() => undefined)));
    throw err;
  } finally {
    // Stops a worker that is still generating when the load failed.
    if (Symbol.asyncIterator in batches) await (batches as AsyncGenerator<Batch>).return?.(undefined);
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Switches off the data-version triggers (see the data_version migrations) of the current schema's
 * tables and returns what switches them on again and bumps the version once, so that every cache keyed
 * by it sees the load.
 */
async function pauseVersionTriggers(db: Database): Promise<() => Promise<void>> {
  const tables = await db.query<{ table: string }>(
    `SELECT DISTINCT c.relname AS "table" FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND g.tgname = 'data_version_bump' ORDER BY 1`,
  );
  if (tables.length === 0) return async () => undefined;
  await db.exec(tables.map((t) => `ALTER TABLE ${quote(t.table)} DISABLE TRIGGER data_version_bump`).join(';\n'));
  return async () => {
    await db.exec(
      [...tables.map((t) => `ALTER TABLE ${quote(t.table)} ENABLE TRIGGER data_version_bump`), 'UPDATE "data_version" SET "version" = "version" + 1'].join(';\n'),
    );
  };
}

/**
 * Drops the foreign keys, and with `withIndexes` the secondary indexes (not primary keys), of the
 * current schema's tables, and returns what rebuilds them: indexes first, two at a time, then the
 * keys, which PostgreSQL validates against the loaded rows.
 */
async function dropKeysAndIndexes(db: Database, withIndexes: boolean): Promise<() => Promise<void>> {
  const indexes = !withIndexes
    ? []
    : await db.query<{ table: string; name: string; def: string }>(
        `SELECT c.relname AS "table", ic.relname AS name, pg_get_indexdef(i.indexrelid) AS def
           FROM pg_index i
           JOIN pg_class c ON c.oid = i.indrelid
           JOIN pg_class ic ON ic.oid = i.indexrelid
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind = 'r' AND NOT i.indisprimary AND c.relname <> '_prisma_migrations'
            AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
          ORDER BY pg_relation_size(c.oid) DESC, 2`,
      );
  const keys = await db.query<{ table: string; name: string; def: string }>(
    `SELECT c.relname AS "table", k.conname AS name, pg_get_constraintdef(k.oid) AS def
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = current_schema()
      ORDER BY 1, 2`,
  );
  if (indexes.length + keys.length === 0) return async () => undefined;
  // One simple-protocol query: PostgreSQL runs it as one transaction, all or nothing.
  await db.exec(
    [
      ...keys.map((k) => `ALTER TABLE ${quote(k.table)} DROP CONSTRAINT ${quote(k.name)}`),
      ...indexes.map((i) => `DROP INDEX ${quote(i.name)}`),
    ].join(';\n'),
  );
  return async () => {
    const queue = [...indexes];
    const worker = async () => {
      for (let i = queue.shift(); i; i = queue.shift()) {
        await db.exec(`SET maintenance_work_mem = '256MB'; ${i.def}; RESET maintenance_work_mem`);
      }
    };
    await Promise.all([worker(), worker()]);
    for (const k of keys) await db.exec(`ALTER TABLE ${quote(k.table)} ADD CONSTRAINT ${quote(k.name)} ${k.def}`);
  };
}

// ---- the generator worker ----------------------------------------------------------------------

const WORKER_MARK = 'seed-generator';
/** Chunks the worker may run ahead of the loader. */
const AHEAD = 2;

type FromWorker =
  | { type: 'chunk'; people: number; tables: TableBatch[] }
  | { type: 'done'; manifest: Manifest; generateMs: number; encodeMs: number };

function fromWorker(options: GenerateOptions, clock: Clock): { batches: AsyncGenerator<Batch>; manifest(): Manifest } {
  let manifest: Manifest | undefined;
  async function* batches(): AsyncGenerator<Batch> {
    // Workers do not inherit tsx's loader hooks: register them in the worker, then load this module.
    const bootstrap = `(async () => {
      const { register } = await import(${JSON.stringify(tsxApiUrl())});
      register();
      await import(${JSON.stringify(import.meta.url)});
    })().catch((err) => { process.nextTick(() => { throw err; }); });`;
    const worker = new Worker(bootstrap, {
      eval: true,
      workerData: { [WORKER_MARK]: true, options },
      // A larger young generation: a district's rows die young instead of being promoted.
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    const queue: Batch[] = [];
    let finished = false;
    let failure: Error | null = null;
    let wake: (() => void) | null = null;
    const notify = () => {
      const w = wake;
      wake = null;
      w?.();
    };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'chunk') {
        queue.push({ people: m.people, tables: m.tables });
      } else {
        manifest = m.manifest;
        clock.generateMs = m.generateMs;
        clock.encodeMs = m.encodeMs;
        finished = true;
      }
      notify();
    });
    worker.on('error', (err) => {
      failure ??= err;
      notify();
    });
    worker.on('exit', (code) => {
      if (!finished) failure ??= new Error(`the generator worker stopped (exit code ${code})`);
      notify();
    });
    try {
      for (;;) {
        const next = queue.shift();
        if (next) {
          yield next;
          worker.postMessage('ack');
          continue;
        }
        if (failure) throw failure;
        if (finished) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      await worker.terminate();
    }
  }
  return {
    batches: batches(),
    manifest: () => {
      if (!manifest) throw new Error('the generator worker has not finished');
      return manifest;
    },
  };
}

/** tsx's API module, which registers its loader hooks (import.meta.resolve is missing under jest). */
function tsxApiUrl(): string {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href;
  }
}

async function runWorker(options: GenerateOptions): Promise<void> {
  const port = parentPort!;
  let unacked = 0;
  let resume: (() => void) | null = null;
  port.on('message', () => {
    unacked--;
    const r = resume;
    resume = null;
    r?.();
  });
  const clock: Clock = { generateMs: 0, encodeMs: 0 };
  const chunks = generateChunks(options);
  for (;;) {
    const t = performance.now();
    const next = chunks.next();
    clock.generateMs += performance.now() - t;
    if (next.done) {
      port.postMessage({ type: 'done', manifest: next.value, ...clock } satisfies FromWorker);
      break;
    }
    const tables = tableBatches(next.value, true, clock);
    port.postMessage({ type: 'chunk', people: next.value.people, tables } satisfies FromWorker, tables.map((t) => t.text!.buffer as ArrayBuffer));
    unacked++;
    while (unacked >= AHEAD) await new Promise<void>((r) => (resume = r));
  }
  port.removeAllListeners('message');
  port.unref();
}

if (!isMainThread && (workerData as Record<string, unknown> | null)?.[WORKER_MARK]) {
  await runWorker((workerData as { options: GenerateOptions }).options);
}
