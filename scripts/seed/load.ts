// Loads generated rows into the four bureaus' databases (PostgreSQL or PGlite), table by table in
// foreign-key order, then moves each serial sequence past the explicit ids so later inserts work.
import type { Database } from '../../lib/db.ts';
import { BUREAU_NAMES, type BureauName, type GeneratedData } from './generate.ts';

export async function load(data: GeneratedData, dbs: Record<BureauName, Database>): Promise<void> {
  for (const bureau of BUREAU_NAMES) {
    const db = dbs[bureau];
    for (const [table, { columns, rows }] of Object.entries(data[bureau])) {
      if (rows.length === 0) continue;
      await db.insertRows(table, columns, rows);
      // Text ids (contract numbers) have no sequence; serial ids are numbers.
      const idIndex = columns.indexOf('id');
      if (idIndex >= 0 && typeof rows[0]![idIndex] === 'number') {
        await db.query(`SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), (SELECT max(id) FROM "${table}"))`);
      }
    }
  }
}
