// npm run audit-log:verify — walks the access log's hash chain (lib/access-log.ts).
// Exit 0: intact ("access log OK: N entries"); 1: tampered ("access log TAMPERED at entry #<seq>: <reason>");
// 2: ACCESS_LOG_DATABASE_URL missing; 3: the check could not run (database unreachable, no table).
// Prints sequence numbers and reasons only: the log holds ID numbers, which must not reach a console.
import { openPostgres, redactUrl } from '../lib/db.ts';
import { AccessLog } from '../lib/access-log.ts';

async function main(): Promise<number> {
  const url = process.env.ACCESS_LOG_DATABASE_URL;
  if (!url) {
    console.error('usage: ACCESS_LOG_DATABASE_URL=postgresql://user@host:5432/database npm run audit-log:verify');
    return 2;
  }
  const db = openPostgres(url, { max: 2 });
  try {
    const log = await AccessLog.open(db, { migrate: false });
    try {
      const result = await log.verify();
      if (result.ok) {
        console.log(`access log OK: ${result.entries} entries`);
        return 0;
      }
      console.log(`access log TAMPERED at entry #${result.firstBad.seq}: ${result.firstBad.reason}`);
      return 1;
    } finally {
      await log.close();
    }
  } catch (err) {
    console.error(`access log could not be verified (${redactUrl(url)}): ${(err as Error).message}`);
    return 3;
  } finally {
    await db.close().catch(() => undefined);
  }
}

process.exitCode = await main();
