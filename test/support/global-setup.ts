// Says once which database the suite runs against, so a reader of the CI log knows.
import { testBackend } from './databases.ts';

export default async function globalSetup(): Promise<void> {
  const backend = await testBackend();
  process.env.TEST_DB_BACKEND = backend.kind;
  console.log(
    `\n[tests] database: ${backend.kind === 'postgres' ? `PostgreSQL server at ${backend.serverUrl.replace(/\/\/[^@]*@/, '//')}` : 'embedded PGlite (no PostgreSQL server reachable)'}\n`,
  );
}
