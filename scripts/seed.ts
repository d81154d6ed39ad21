// `npm run seed -- [--scale district|city|province] --seed 42 [--units N] [--people N] [--month YYYY-MM]
//   [--planted-units N] [--rate name=value ...] [--manifest path] [--reset]`
// Migrates the four bureaus' databases, generates deterministic demo data district by district and
// loads it as it comes (COPY on PostgreSQL), then writes the manifest (the expected answers) as JSON.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openPostgres, type Database } from '../lib/db.ts';
import { migrate } from '../lib/migrate.ts';
import { progressBar } from '../lib/progress.ts';
import { migrationsPath } from '../lib/subgraph.ts';
import {
  BUREAU_NAMES,
  DEFAULT_RATES,
  SCALES,
  planDistricts,
  type AnomalyRates,
  type BureauName,
  type GenerateOptions,
  type ScaleName,
} from './seed/generate.ts';
import { REBUILD_INDEXES_FROM_PEOPLE, seedStreaming, type LoadProgress } from './seed/load.ts';
import { TABLE_COLUMNS } from './seed/tables.ts';

const SCALE_NAMES = Object.keys(SCALES) as ScaleName[];

const USAGE = `usage: npm run seed -- [--scale NAME] [--seed N] [--units N] [--people N] [--month YYYY-MM]
                        [--planted-units N] [--rate name=value ...] [--manifest path] [--reset]
  --scale NAME       ${SCALE_NAMES.map((s) => `${s} (${SCALES[s].districts.length} district${SCALES[s].districts.length > 1 ? 's' : ''}, ${SCALES[s].units} units, ${SCALES[s].people} people)`).join(',\n                     ')};
                     default: 萧山 with 220 units and 3200 people
  --seed N           PRNG seed (default 42); the same options always give the same data
  --units N          units in all districts (overrides the scale's)
  --people N         off-establishment staff in all districts (overrides the scale's)
  --month YYYY-MM    reference month of the planted anomalies (default 2026-10)
  --planted-units N  units of 萧山 with unreported staff (default 24)
  --rate name=value  share of records given an anomaly, 0 to 1; repeatable. Names and defaults:
                     ${Object.entries(DEFAULT_RATES).map(([k, v]) => `${k}=${v}`).join(', ')}
  --manifest path    where to write the manifest JSON (default .data/manifest.json)
  --reset            empty the bureaus' tables first instead of refusing non-empty databases
Databases: STAFFING_DATABASE_URL, FINANCE_DATABASE_URL, HR_DATABASE_URL, AUDIT_DATABASE_URL.
Progress goes to stderr (a bar when it is a terminal), ending with one summary line.`;

const ENV: Record<BureauName, string> = {
  staffing: 'STAFFING_DATABASE_URL',
  finance: 'FINANCE_DATABASE_URL',
  hr: 'HR_DATABASE_URL',
  audit: 'AUDIT_DATABASE_URL',
};

class UsageError extends Error {}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw new UsageError(`--${name} must be an integer, got "${value}"`);
  return Number(value);
}

function parseRates(values: readonly string[]): Partial<AnomalyRates> {
  const rates: Partial<AnomalyRates> = {};
  for (const v of values) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(v);
    if (!m) throw new UsageError(`--rate must be name=value, got "${v}"`);
    const [, name, raw] = m as unknown as [string, string, string];
    if (!(name in DEFAULT_RATES)) throw new UsageError(`unknown rate "${name}"; known: ${Object.keys(DEFAULT_RATES).join(', ')}`);
    const rate = Number(raw);
    if (!/^\s*[\d.eE+-]+\s*$/.test(raw) || !(rate >= 0 && rate <= 1)) throw new UsageError(`--rate ${name} must be a number from 0 to 1, got "${raw}"`);
    rates[name as keyof AnomalyRates] = rate;
  }
  return rates;
}

interface CliOptions {
  generate: GenerateOptions;
  scale: ScaleName | null;
  manifest: string;
  reset: boolean;
}

function parseOptions(argv: string[]): CliOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        scale: { type: 'string' },
        seed: { type: 'string' },
        units: { type: 'string' },
        people: { type: 'string' },
        month: { type: 'string' },
        'planted-units': { type: 'string' },
        rate: { type: 'string', multiple: true },
        manifest: { type: 'string' },
        reset: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month)) {
    throw new UsageError(`--month must be YYYY-MM, got "${values.month}"`);
  }
  let scale: ScaleName | null = null;
  if (values.scale !== undefined) {
    if (!(SCALE_NAMES as string[]).includes(values.scale)) throw new UsageError(`--scale must be one of ${SCALE_NAMES.join(', ')}, got "${values.scale}"`);
    scale = values.scale as ScaleName;
  }
  const sized = scale ? SCALES[scale] : undefined;
  const generate: GenerateOptions = {
    seed: integer('seed', values.seed) ?? 42,
    districts: sized?.districts,
    units: integer('units', values.units) ?? sized?.units,
    people: integer('people', values.people) ?? sized?.people,
    month: values.month,
    plantedUnits: integer('planted-units', values['planted-units']),
    rates: parseRates(values.rate ?? []),
  };
  try {
    planDistricts(generate);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return { generate, scale, manifest: values.manifest ?? '.data/manifest.json', reset: values.reset };
}

const thousands = (n: number) => n.toLocaleString('en-US');

/** A bar on a terminal; elsewhere nothing until the summary line. */
function progressReporter(totalPeople: number): { update(p: LoadProgress): void; stop(): void } {
  const bar = progressBar({
    label: 'seed',
    unit: 'people',
    total: totalPeople,
    extra: '{districts} districts | {rows} rows | {phase}',
    payload: { districts: 0, rows: '0', phase: 'loading' },
  });
  return {
    update(p) {
      const phase = p.phase === 'loading' ? 'loading' : p.phase === 'indexing' ? 'building indexes and keys' : p.phase;
      bar.update(p.people, { districts: p.districts, rows: thousands(p.rows), phase });
    },
    stop: () => bar.stop(),
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const options = parseOptions(process.argv.slice(2));
  const missing = BUREAU_NAMES.filter((b) => !process.env[ENV[b]]);
  if (missing.length > 0) {
    throw new UsageError(`missing database URL${missing.length > 1 ? 's' : ''}: ${missing.map((b) => ENV[b]).join(', ')}`);
  }
  const plans = planDistricts(options.generate);
  const totalPeople = plans.reduce((s, p) => s + p.people, 0);
  const dbs = {} as Record<BureauName, Database>;
  let outcome;
  try {
    for (const b of BUREAU_NAMES) {
      dbs[b] = openPostgres(process.env[ENV[b]]!, { max: 4 });
      const { applied } = await migrate(dbs[b], migrationsPath(b));
      if (applied.length > 0) console.log(`${b}: applied ${applied.join(', ')}`);
    }
    // Check all four before touching any, so a refusal leaves everything as it was.
    const tablesOf = (b: BureauName) => Object.keys(TABLE_COLUMNS[b]);
    const nonEmpty: string[] = [];
    for (const b of BUREAU_NAMES) {
      const tables: string[] = [];
      for (const table of tablesOf(b)) {
        const [row] = await dbs[b].query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM "${table}") AS any`);
        if (row?.any) tables.push(table);
      }
      if (tables.length > 0) nonEmpty.push(`${b}: ${tables.length} table${tables.length > 1 ? 's' : ''} with rows`);
    }
    if (nonEmpty.length > 0) {
      if (!options.reset) {
        throw new UsageError(`databases already hold data (${nonEmpty.join('; ')}); pass --reset to empty them first`);
      }
      for (const b of BUREAU_NAMES) {
        await dbs[b].exec(`TRUNCATE ${tablesOf(b).map((t) => `"${t}"`).join(', ')} RESTART IDENTITY CASCADE`);
      }
      console.log('reset: emptied the bureaus\' tables');
    }
    const progress = progressReporter(totalPeople);
    try {
      outcome = await seedStreaming(options.generate, dbs, {
        rebuildIndexes: totalPeople >= REBUILD_INDEXES_FROM_PEOPLE,
        onProgress: (p) => progress.update(p),
      });
    } finally {
      progress.stop();
    }
  } finally {
    await Promise.all(Object.values(dbs).map((db) => db.close()));
  }
  const { manifest, result } = outcome;
  const manifestPath = resolve(options.manifest);
  await mkdir(dirname(manifestPath), { recursive: true });
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);

  const { counts, unreportedStaff, month, seed } = manifest;
  console.log(`seed ${seed}, month ${month}${options.scale ? `, scale ${options.scale}` : ''}: ${thousands(counts.units)} units in ${plans.length} district${plans.length > 1 ? 's' : ''}, ${thousands(counts.people)} people`);
  for (const b of BUREAU_NAMES) {
    console.log(`  ${b.padEnd(8)} ${Object.entries(counts.tables[b]).map(([t, n]) => `${t} ${n}`).join(', ')}`);
  }
  console.log(`  ${unreportedStaff.units.length} units with unreported staff in ${month} (萧山)`);
  console.log(`manifest: ${manifestPath}`);
  const s = result.seconds;
  const rssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  console.error(
    `seed: ${thousands(result.rows)} rows (${thousands(counts.units)} units, ${thousands(counts.people)} people, ${result.districts} district${result.districts > 1 ? 's' : ''}) into 4 databases ` +
      `in ${((performance.now() - started) / 1000).toFixed(1)} s: generate ${s.generate.toFixed(1)} s and encode ${s.encode.toFixed(1)} s ` +
      `(overlapping the copy), copy done at ${s.copy.toFixed(1)} s, indexes and keys ${s.indexes.toFixed(1)} s, analyze ${s.analyze.toFixed(1)} s; ` +
      `peak RSS ${rssMb} MB`,
  );
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`seed: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`seed failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
