import { openPglite, openPostgres, createPostgresDatabase, dropPostgresDatabase } from '../../lib/db.ts';
for (const kind of ['pglite', 'pg']) {
  const server = 'postgresql://postgres@127.0.0.1:5432/postgres';
  const db = kind === 'pglite' ? await openPglite() : openPostgres(await createPostgresDatabase(server, 'bw_scratch_seed'));
  await db.exec(`CREATE TYPE "Bureau" AS ENUM ('STAFFING','FINANCE','HR','AUDIT'); CREATE TABLE t (id serial primary key, b "Bureau"[], d date, ts timestamptz(3), n decimal(12,2), c char(18), f boolean)`);
  try {
    await db.insertRows('t', ['id', 'b', 'd', 'ts', 'n', 'c', 'f'], [[1, '{HR,FINANCE}', '2026-10-01', '2026-10-03T09:15:00.000+08:00', '1234.50', 'abc', false], [2, null, '2026-10-01', '2026-10-03T09:15:00.000+08:00', 12, 'x', true], [3, '{}', '2026-10-01', '2026-10-03T09:15:00.000+08:00', 12, 'x', true]]);
    await db.query(`SELECT setval(pg_get_serial_sequence('"t"', 'id'), (SELECT max(id) FROM "t"))`);
    console.log(kind, JSON.stringify(await db.query('SELECT * FROM t')), await db.query(`SELECT nextval(pg_get_serial_sequence('"t"', 'id'))`));
  } catch (e) { console.log(kind, 'ERR', (e as Error).message); }
  await db.close();
  if (kind === 'pg') await dropPostgresDatabase(server, 'bw_scratch_seed');
}
