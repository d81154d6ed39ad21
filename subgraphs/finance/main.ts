// Runs the 区财政局 subgraph as its own process (the production shape): `npm run start:finance`.
import { runSubgraphProcess } from '../../lib/subgraph-main.ts';
import { createSubgraph } from './index.ts';

await runSubgraphProcess('finance', createSubgraph);
