// Runs the 编办 subgraph as its own process (the production shape): `npm run start:staffing`.
import { runSubgraphProcess } from '../../lib/subgraph-main.ts';
import { createSubgraph } from './index.ts';

await runSubgraphProcess('staffing', createSubgraph);
