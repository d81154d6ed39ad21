// Runs the 审计/巡察/监督检查 subgraph as its own process (the production shape): `npm run start:audit`.
import { runSubgraphProcess } from '../../lib/subgraph-main.ts';
import { createSubgraph } from './index.ts';

await runSubgraphProcess('audit', createSubgraph);
