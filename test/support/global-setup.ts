// Says once which database the suite runs against, so a reader of the CI log knows.
import { testBackend } from './databases.ts';

export default async function globalSetup(): Promise<void> {
  const backend = await testBackend();
  console.log(
    `\n[tests] database: ${backend.kind === 'postgres' ? `PostgreSQL server at ${backend.serverUrl.replace(/\/\/[^@]*@/, '//')}` : `embedded PGlite (${process.env.TEST_DB_BACKEND === 'pglite' ? 'TEST_DB_BACKEND=pglite' : 'no PostgreSQL server reachable'})`}\n`,
  );
  process.env.TEST_DB_BACKEND = backend.kind;
  // The services' JSON request logs would bury the test output; test/observability.test.ts turns them on.
  process.env.LOG_LEVEL ??= 'silent';
}
