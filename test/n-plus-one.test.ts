// No N+1: the flagship query costs each subgraph the same number of SQL statements whether the
// answer holds 10 units or 200.
import { afterAll, describe, expect, it } from '@jest/globals';
import { generate } from '../scripts/seed/generate.ts';
import { readOperation } from '../lib/operations.ts';
import { startTestFederation, type TestFederation } from './support/federation.ts';

const FLAGSHIP = readOperation('UnreportedStaff');
const running: TestFederation[] = [];

afterAll(async () => {
  for (const f of running) await f.stop();
});

async function statementsFor(plantedUnits: number, units: number) {
  const data = generate({ seed: 3, units, people: units * 14, plantedUnits });
  const fed = await startTestFederation(data);
  running.push(fed);
  const requestsBefore = fed.subgraphRequests();
  const { result, statements } = await fed.countStatements(() => fed.query(FLAGSHIP, { month: data.manifest.month, first: 1000 }));
  expect(result.errors).toBeUndefined();
  const requestsAfter = fed.subgraphRequests();
  const perRequest = Object.fromEntries(
    Object.entries(statements).map(([name, n]) => [name, n / Math.max(1, requestsAfter[name as keyof typeof requestsAfter] - requestsBefore[name as keyof typeof requestsBefore])]),
  );
  return { units: result.data!.districtMonth.unreportedStaff.nodes.length as number, statements, perRequest };
}

describe('flagship query SQL statements per subgraph', () => {
  it('are the same for 10 units as for 200', async () => {
    const small = await statementsFor(10, 60);
    const large = await statementsFor(200, 230);
    expect(small.units).toBe(10);
    expect(large.units).toBe(200);
    expect(large.statements).toEqual(small.statements);
    // At most three per subgraph request, the data-version read included (caches cold: a fresh federation).
    for (const n of Object.values(small.perRequest)) expect(n).toBeLessThanOrEqual(3);
  });
});
