// `npm run bench:seed -- [--scale district|city|province|all] [--quick] [--seed N] [--server URL] [--out DIR]`
// Times the demo-data seed on the local PostgreSQL: for each scale, on four fresh `seedbench_*`
// databases migrated with the repo's runner (as scripts/seed.ts does),
//   1. the streamed seed, generation and COPY overlapping (what `npm run seed -- --scale X` does);
//   2. generation alone, nothing kept;
//   3. loading alone: the data generated into memory first (not timed), then COPY, indexes, keys, ANALYZE.
// Prints a Markdown table and writes bench/results/seed-<scale>.json and .md with the machine's
// details, then drops the databases.
import { mkdir, writeFile } from 'node:fs/promises';
import { machine as machineAndCode } from './machine.ts';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createPostgresDatabase, dropPostgresDatabase, openPostgres, redactUrl, type Database } from '../lib/db.ts';
import { migrate } from '../lib/migrate.ts';
import { migrationsPath } from '../lib/subgraph.ts';
import { BUREAU_NAMES, SCALES, generateChunks, planDistricts, type BureauName, type DataChunk, type GenerateOptions, type ScaleName } from '../scripts/seed/generate.ts';
import { REBUILD_INDEXES_FROM_PEOPLE, loadChunks, seedStreaming, type LoadResult } from '../scripts/seed/load.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCALE_NAMES = Object.keys(SCALES) as ScaleName[];

const USAGE = `usage: npm run bench:seed -- [--scale ${SCALE_NAMES.join('|')}|all] [--quick] [--seed N] [--server URL] [--out DIR]
  --scale   which scale(s) to time, comma-separated or all (default province)
  --quick   the district scale only
  --seed    PRNG seed (default 42)
  --server  PostgreSQL server to create the seedbench_* databases on
            (default $BENCH_DATABASE_URL or postgresql://root@127.0.0.1:5432/postgres)
  --out     where to write seed-<scale>.json and .md (default bench/results)`;

interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  commit: string | null;
}

interface ScaleResult {
  scale: ScaleName;
  seed: number;
  districts: number;
  units: number;
  people: number;
  rows: number;
  /** Seconds. */
  generate: number;
  load: number;
  loadPhases: LoadResult['seconds'];
  streamed: number;
  streamedPhases: LoadResult['seconds'];
  /** Peak resident set size of this process while streaming, and while holding everything in memory (MB). */
  peakRssStreamedMb: number;
  peakRssInMemoryMb: number;
  rowsPerTable: Record<BureauName, Record<string, number>>;
  measuredAt: string;
}

/** Samples the resident set size: on a timer (when the event loop is free) and when asked. */
class RssPeak {
  private peak = 0;
  private timer: NodeJS.Timeout | null = null;
  sample = (): void => {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  };
  start(): void {
    this.peak = 0;
    this.sample();
    this.timer = setInterval(this.sample, 100);
  }
  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return Math.round(this.peak / 1024 / 1024);
  }
}

async function machine(server: string): Promise<Machine> {
  const admin = openPostgres(server, { max: 1 });
  try {
    const [v] = await admin.query<{ version: string }>('SELECT version() AS version');
    const settings = await admin.query<{ name: string; setting: string; unit: string | null }>(
      `SELECT name, setting, unit FROM pg_settings
        WHERE name IN ('shared_buffers', 'max_wal_size', 'wal_level', 'synchronous_commit', 'fsync', 'maintenance_work_mem', 'max_parallel_maintenance_workers', 'autovacuum')
        ORDER BY name`,
    );
    return {
      ...machineAndCode(),
      postgres: v?.version ?? 'unknown',
      postgresSettings: Object.fromEntries(settings.map((s) => [s.name, s.unit ? `${s.setting} (${s.unit})` : s.setting])),
    };
  } finally {
    await admin.close();
  }
}

/** Drops of databases still there, run on Ctrl-C too. */
const pendingDrops = new Set<() => Promise<void>>();
process.once('SIGINT', () => {
  console.error('[bench:seed] interrupted: dropping the seedbench databases');
  void Promise.allSettled([...pendingDrops].map((d) => d())).then(() => process.exit(130));
});

/** Four fresh, migrated databases; `drop` removes them. */
async function freshDatabases(server: string, tag: string): Promise<{ dbs: Record<BureauName, Database>; drop(): Promise<void> }> {
  const dbs = {} as Record<BureauName, Database>;
  const names = BUREAU_NAMES.map((b) => `seedbench_${b}_${tag}`);
  const drop = async () => {
    pendingDrops.delete(drop);
    await Promise.all(Object.values(dbs).map((db) => db.close().catch(() => undefined)));
    for (const name of names) await dropPostgresDatabase(server, name);
  };
  pendingDrops.add(drop);
  try {
    for (const [i, b] of BUREAU_NAMES.entries()) {
      dbs[b] = openPostgres(await createPostgresDatabase(server, names[i]!), { max: 4 });
      await migrate(dbs[b], migrationsPath(b));
    }
  } catch (err) {
    await drop();
    throw err;
  }
  return { dbs, drop };
}

/** Row counts in the databases, which must equal what was generated. */
async function checkCounts(dbs: Record<BureauName, Database>, expected: Record<BureauName, Record<string, number>>): Promise<void> {
  for (const b of BUREAU_NAMES) {
    for (const [table, n] of Object.entries(expected[b])) {
      const [row] = await dbs[b].query<{ n: string }>(`SELECT count(*) AS n FROM "${table}"`);
      if (Number(row?.n) !== n) throw new Error(`${b}.${table}: ${row?.n} rows in the database, ${n} generated`);
    }
  }
}

const secs = (ms: number) => Math.round(ms) / 1000;

async function benchScale(scale: ScaleName, seed: number, server: string, log: (s: string) => void): Promise<ScaleResult> {
  const options: GenerateOptions = { seed, ...SCALES[scale] };
  const plans = planDistricts(options);
  const tag = `${process.pid}`;
  const rss = new RssPeak();

  // 1. Streamed, as `npm run seed` does it.
  log(`${scale}: streamed seed (generate and load together) ...`);
  let streamed: { manifest: Awaited<ReturnType<typeof seedStreaming>>['manifest']; result: LoadResult; ms: number };
  {
    const { dbs, drop } = await freshDatabases(server, tag);
    try {
      rss.start();
      const t = performance.now();
      const out = await seedStreaming(options, dbs, { rebuildIndexes: plans.reduce((s, p) => s + p.people, 0) >= REBUILD_INDEXES_FROM_PEOPLE });
      streamed = { ...out, ms: performance.now() - t };
      await checkCounts(dbs, out.manifest.counts.tables);
    } finally {
      await drop();
    }
  }
  const peakRssStreamedMb = rss.stop();
  log(`${scale}: streamed ${secs(streamed.ms)} s, ${streamed.result.rows} rows`);

  // 2. Generation alone.
  log(`${scale}: generation alone ...`);
  let generateMs: number;
  {
    const t = performance.now();
    const chunks = generateChunks(options);
    let rows = 0;
    for (let next = chunks.next(); !next.done; next = chunks.next()) {
      for (const b of BUREAU_NAMES) for (const table of Object.values(next.value[b])) rows += table.rows.length;
    }
    generateMs = performance.now() - t;
    if (rows !== streamed.result.rows) throw new Error(`generation is not deterministic: ${rows} rows, streamed ${streamed.result.rows}`);
  }
  log(`${scale}: generated in ${secs(generateMs)} s`);

  // 3. Loading alone, from memory.
  log(`${scale}: loading alone (generating into memory first, not timed) ...`);
  let load: LoadResult;
  let loadMs: number;
  {
    rss.start();
    const held: DataChunk[] = [];
    const chunks = generateChunks(options);
    for (let next = chunks.next(); !next.done; next = chunks.next()) {
      held.push(next.value);
      rss.sample();
    }
    const { dbs, drop } = await freshDatabases(server, tag);
    try {
      const t = performance.now();
      load = await loadChunks(held, dbs, { rebuildIndexes: streamed.result.people >= REBUILD_INDEXES_FROM_PEOPLE });
      loadMs = performance.now() - t;
      await checkCounts(dbs, streamed.manifest.counts.tables);
    } finally {
      held.length = 0;
      await drop();
    }
  }
  const peakRssInMemoryMb = rss.stop();
  log(`${scale}: loaded in ${secs(loadMs)} s`);

  return {
    scale,
    seed,
    districts: plans.length,
    units: streamed.manifest.counts.units,
    people: streamed.manifest.counts.people,
    rows: streamed.result.rows,
    generate: secs(generateMs),
    load: secs(loadMs),
    loadPhases: { ...load.seconds, generate: 0 },
    streamed: secs(streamed.ms),
    streamedPhases: streamed.result.seconds,
    peakRssStreamedMb,
    peakRssInMemoryMb,
    rowsPerTable: streamed.manifest.counts.tables,
    measuredAt: new Date().toISOString(),
  };
}

const n = (x: number) => x.toLocaleString('en-US');
const s1 = (x: number) => x.toFixed(1);

function table(results: readonly ScaleResult[]): string {
  const head = [
    '| scale | districts | units | people | rows | generate (s) | load (s) | generate + load (s) | streamed seed (s) | rows/s streamed | peak RSS streamed / in memory (MB) |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  const rows = results.map(
    (r) =>
      `| ${r.scale} | ${r.districts} | ${n(r.units)} | ${n(r.people)} | ${n(r.rows)} | ${s1(r.generate)} | ${s1(r.load)} | ${s1(r.generate + r.load)} | ` +
      `**${s1(r.streamed)}** | ${n(Math.round(r.rows / r.streamed))} | ${n(r.peakRssStreamedMb)} / ${n(r.peakRssInMemoryMb)} |`,
  );
  return [...head, ...rows].join('\n');
}

function phases(results: readonly ScaleResult[]): string {
  const head = [
    '| scale | run | generate (s) | encode COPY text (s) | COPY committed at (s) | indexes + foreign keys (s) | ANALYZE (s) | total (s) |',
    '|---|---|--:|--:|--:|--:|--:|--:|',
  ];
  const rows = results.flatMap((r) => [
    `| ${r.scale} | streamed | ${s1(r.streamedPhases.generate)} | ${s1(r.streamedPhases.encode)} | ${s1(r.streamedPhases.copy)} | ${s1(r.streamedPhases.indexes)} | ${s1(r.streamedPhases.analyze)} | ${s1(r.streamedPhases.total)} |`,
    `| ${r.scale} | load alone | – | ${s1(r.loadPhases.encode)} | ${s1(r.loadPhases.copy)} | ${s1(r.loadPhases.indexes)} | ${s1(r.loadPhases.analyze)} | ${s1(r.loadPhases.total)} |`,
  ]);
  return [...head, ...rows].join('\n');
}

function markdown(results: readonly ScaleResult[], m: Machine): string {
  return `# Seed benchmark: ${results.map((r) => r.scale).join(', ')}

Measured ${results[0]?.measuredAt ?? ''} by \`npm run bench:seed\`${m.commit ? ` at commit ${m.commit}` : ''}, seed ${results[0]?.seed}.
Four fresh databases on one local PostgreSQL server, loaded at once.

${table(results)}

- **generate**: generating every row, nothing kept, no database.
- **load**: the rows already in memory: COPY text, COPY into the four databases, index builds and foreign keys, ANALYZE.
- **streamed seed**: what \`npm run seed -- --scale <scale>\` does: a worker thread generates and encodes district by district while
  the databases copy the previous district, then indexes, keys and ANALYZE (databases created and migrated beforehand, not timed).

Phases (seconds; in the streamed run generate and encode overlap the COPY):

${phases(results)}

Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB; ${m.os}; Node ${m.node}.
PostgreSQL: ${m.postgres}.
Settings: ${Object.entries(m.postgresSettings).map(([k, v]) => `${k} ${v}`).join(', ')}.
`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      scale: { type: 'string' },
      quick: { type: 'boolean', default: false },
      seed: { type: 'string' },
      server: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const wanted = values.quick ? ['district'] : (values.scale ?? 'province') === 'all' ? SCALE_NAMES : (values.scale ?? 'province').split(',');
  for (const s of wanted) if (!(SCALE_NAMES as string[]).includes(s)) throw new Error(`unknown scale ${s}\n\n${USAGE}`);
  const seed = Number(values.seed ?? 42);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer\n\n${USAGE}`);
  const server = values.server ?? process.env.BENCH_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';
  const out = resolve(values.out ?? join(ROOT, 'bench', 'results'));
  const m = await machine(server);
  const log = (s: string) => console.error(`[bench:seed] ${s}`);
  log(`${m.cpu}, ${m.cores} cores; Node ${m.node}; ${m.postgres.split(' on ')[0]} at ${redactUrl(server)}`);

  const results: ScaleResult[] = [];
  for (const scale of wanted as ScaleName[]) {
    const r = await benchScale(scale, seed, server, log);
    results.push(r);
    await mkdir(out, { recursive: true });
    await writeFile(join(out, `seed-${scale}.json`), `${JSON.stringify({ ...r, machine: m }, null, 2)}\n`);
    await writeFile(join(out, `seed-${scale}.md`), markdown([r], m));
    log(`${scale}: wrote ${join(out, `seed-${scale}.json`)} and .md`);
  }
  console.log(`\n${table(results)}\n\n${phases(results)}\n`);
  console.log(`${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.postgres.split(' on ')[0]}`);
}

main().catch((err: unknown) => {
  console.error(`bench:seed failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
