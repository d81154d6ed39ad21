// `npm run seed -- --seed 42 [--units N] [--people N] [--month YYYY-MM] [--planted-units N] [--manifest path] [--reset]`
// Migrates the four bureaus' databases, loads deterministic demo data and writes the manifest
// (the expected answers) as JSON.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openPostgres, type Database } from '../lib/db.ts';
import { migrate } from '../lib/migrate.ts';
import { migrationsPath } from '../lib/subgraph.ts';
import { BUREAU_NAMES, generate, type BureauName, type GenerateOptions } from './seed/generate.ts';
import { load } from './seed/load.ts';

const USAGE = `usage: npm run seed -- [--seed N] [--units N] [--people N] [--month YYYY-MM] [--planted-units N] [--manifest path] [--reset]
  --seed N           PRNG seed (default 42); the same options always give the same data
  --units N          units (default 220)
  --people N         off-establishment staff (default 3200)
  --month YYYY-MM    reference month of the planted anomalies (default 2026-10)
  --planted-units N  units with unreported staff (default 24)
  --manifest path    where to write the manifest JSON (default .data/manifest.json)
  --reset            empty the bureaus' tables first instead of refusing non-empty databases
Databases: STAFFING_DATABASE_URL, FINANCE_DATABASE_URL, HR_DATABASE_URL, AUDIT_DATABASE_URL.`;

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

function parseOptions(argv: string[]): { generate: GenerateOptions; manifest: string; reset: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        seed: { type: 'string' },
        units: { type: 'string' },
        people: { type: 'string' },
        month: { type: 'string' },
        'planted-units': { type: 'string' },
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
  return {
    generate: {
      seed: integer('seed', values.seed) ?? 42,
      units: integer('units', values.units),
      people: integer('people', values.people),
      month: values.month,
      plantedUnits: integer('planted-units', values['planted-units']),
    },
    manifest: values.manifest ?? '.data/manifest.json',
    reset: values.reset,
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const options = parseOptions(process.argv.slice(2));
  const missing = BUREAU_NAMES.filter((b) => !process.env[ENV[b]]);
  if (missing.length > 0) {
    throw new UsageError(`missing database URL${missing.length > 1 ? 's' : ''}: ${missing.map((b) => ENV[b]).join(', ')}`);
  }
  let data;
  try {
    data = generate(options.generate);
  } catch (err) {
    // generate() only throws for options it cannot honour.
    throw new UsageError((err as Error).message);
  }
  const dbs = {} as Record<BureauName, Database>;
  try {
    for (const b of BUREAU_NAMES) {
      dbs[b] = openPostgres(process.env[ENV[b]]!, { max: 4 });
      const { applied } = await migrate(dbs[b], migrationsPath(b));
      if (applied.length > 0) console.log(`${b}: applied ${applied.join(', ')}`);
    }
    // Check all four before touching any, so a refusal leaves everything as it was.
    const nonEmpty: string[] = [];
    for (const b of BUREAU_NAMES) {
      const tables: string[] = [];
      for (const table of Object.keys(data[b])) {
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
        const tables = Object.keys(data[b]).map((t) => `"${t}"`).join(', ');
        await dbs[b].exec(`TRUNCATE ${tables} RESTART IDENTITY CASCADE`);
      }
      console.log('reset: emptied the bureaus\' tables');
    }
    await load(data, dbs);
  } finally {
    await Promise.all(Object.values(dbs).map((db) => db.close()));
  }
  const manifestPath = resolve(options.manifest);
  await mkdir(dirname(manifestPath), { recursive: true });
  await writeFile(manifestPath, `${JSON.stringify(data.manifest, null, 2)}\n`);

  const { counts, unreportedStaff, month, seed } = data.manifest;
  console.log(`seed ${seed}, month ${month}: ${counts.units} units, ${counts.people} people`);
  for (const b of BUREAU_NAMES) {
    console.log(`  ${b.padEnd(8)} ${Object.entries(counts.tables[b]).map(([t, n]) => `${t} ${n}`).join(', ')}`);
  }
  console.log(`  ${unreportedStaff.units.length} units with unreported staff in ${month}`);
  console.log(`manifest: ${manifestPath}`);
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`seed: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  console.error(`seed failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
