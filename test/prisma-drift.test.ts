// Prisma's migrate engine cannot run offline here, so nothing else checks that each bureau's SQL
// migrations build exactly the tables its schema.prisma (and so its generated client) describes.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, SUBGRAPH_NAMES, type SubgraphName } from '../lib/subgraph.ts';
import { freshDatabase } from './support/databases.ts';

interface Column {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
}

const SCALAR_TYPES: Record<string, (native: string | undefined) => string> = {
  String: (n) => (n?.startsWith('@db.Char') ? 'character' : 'text'),
  Int: () => 'integer',
  Boolean: () => 'boolean',
  BigInt: () => 'bigint',
  Decimal: () => 'numeric',
  DateTime: (n) => (n === '@db.Date' ? 'date' : 'timestamp with time zone'),
};

/** Columns as schema.prisma declares them: model blocks, @map/@@map, optional `?`, native @db types. */
function prismaColumns(name: SubgraphName): Column[] {
  const text = readFileSync(join(REPO_ROOT, 'subgraphs', name, 'prisma', 'schema.prisma'), 'utf8');
  const enums = new Set([...text.matchAll(/^enum (\w+) \{/gm)].map((m) => m[1]!));
  const models = new Set([...text.matchAll(/^model (\w+) \{/gm)].map((m) => m[1]!));
  const columns: Column[] = [];
  for (const block of text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const body = block[2]!;
    const table = /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? block[1]!;
    for (const line of body.split('\n')) {
      const m = /^\s+(\w+)\s+(\w+)(\[\])?(\?)?(.*)$/.exec(line);
      if (!m || line.trim().startsWith('@@') || line.trim().startsWith('//')) continue;
      const [, field, type, list, optional, rest] = m as unknown as [string, string, string, string | undefined, string | undefined, string];
      if (models.has(type)) continue; // relation field, no column
      const native = /(@db\.\w+)/.exec(rest)?.[1];
      const base = enums.has(type) ? 'USER-DEFINED' : SCALAR_TYPES[type]?.(native);
      if (!base) throw new Error(`${name}: unknown type ${type} of ${table}.${field}`);
      columns.push({
        table,
        column: /@map\("([^"]+)"\)/.exec(rest)?.[1] ?? field,
        type: list ? 'ARRAY' : base,
        nullable: Boolean(optional) || Boolean(list),
      });
    }
  }
  return columns.sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
}

describe.each(SUBGRAPH_NAMES)('%s: SQL migrations match schema.prisma', (name) => {
  it('has the same tables, columns, types and nullability', async () => {
    const { db, drop } = await freshDatabase(name);
    try {
      const rows = await db.query<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>(
        `SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns
         WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
      );
      const actual = rows
        .map((r) => ({ table: r.table_name, column: r.column_name, type: r.data_type, nullable: r.is_nullable === 'YES' }))
        .sort((a, b) => `${a.table}.${a.column}`.localeCompare(`${b.table}.${b.column}`));
      const expected = prismaColumns(name);
      expect(expected.length).toBeGreaterThan(10);
      expect(actual).toEqual(expected);
    } finally {
      await drop();
    }
  });
});
