// Runs the 人社局 subgraph as its own process (the production shape): `npm run start:hr`.
import { runSubgraphProcess } from '../../lib/subgraph-main.ts';
import { createSubgraph } from './index.ts';

await runSubgraphProcess('hr', createSubgraph);
