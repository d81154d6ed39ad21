// `npm run compose`: writes schema/supergraph.graphql. `--check` fails when the checked-in file is stale.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { CompositionError, SUPERGRAPH_PATH, composeSupergraph } from '../lib/supergraph.ts';

try {
  const sdl = composeSupergraph();
  if (process.argv.includes('--check')) {
    const current = existsSync(SUPERGRAPH_PATH) ? readFileSync(SUPERGRAPH_PATH, 'utf8') : '';
    if (current !== sdl) {
      console.error('schema/supergraph.graphql is stale: run `npm run compose` and commit it.');
      process.exit(1);
    }
    console.log('schema/supergraph.graphql is up to date.');
  } else {
    writeFileSync(SUPERGRAPH_PATH, sdl);
    console.log(`wrote ${SUPERGRAPH_PATH}`);
  }
} catch (err) {
  console.error(err instanceof CompositionError ? err.message : err);
  process.exit(1);
}
