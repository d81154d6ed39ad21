// The gateway's memo of federation-internals Operations (gateway/operation-memo.ts): it must sit where
// @apollo/gateway looks the function up, and hand back the same immutable Operation for the same
// cached document.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { installOperationMemo, operationMemoInstalled } from '../gateway/operation-memo.ts';
import { withoutSecurityFeatures } from '../gateway/authorize.ts';
import { SUPERGRAPH_PATH } from '../lib/supergraph.ts';
import { readOperation } from '../lib/operations.ts';

const require = createRequire(import.meta.url);

describe('operation memo', () => {
  it('patches the function executeQueryPlan calls, and returns one Operation per cached document', () => {
    // executeQueryPlan reads the function from the package's exports at call time: the patch point.
    const source = readFileSync(require.resolve('@apollo/gateway/dist/executeQueryPlan.js'), 'utf8');
    expect(source).toMatch(/federation_internals_1\.operationFromDocument\)\(apiSchema, \{/);
    installOperationMemo();
    expect(operationMemoInstalled).toBe(true);
    // As executeQueryPlan reaches it: through the CommonJS exports, at call time.
    const fromDocument = (...args: unknown[]) => (require('@apollo/federation-internals') as { operationFromDocument: (...a: unknown[]) => unknown }).operationFromDocument(...args);
    const api = Supergraph.build(withoutSecurityFeatures(readFileSync(SUPERGRAPH_PATH, 'utf8'))).apiSchema();
    const document = parse(readOperation('UnitProfile'));
    // As executeQueryPlan does: a new document object around the same definition nodes.
    const again = () => fromDocument(api, { ...document, definitions: [...document.definitions] }, { validate: false });
    const first = again();
    // (Identity compared as booleans: printing two Operations would overflow the stack.)
    expect(again() === first).toBe(true);
    // Another document (even with equal text) and validated calls are not memoised.
    expect(fromDocument(api, parse(readOperation('UnitProfile')), { validate: false }) === first).toBe(false);
    expect(fromDocument(api, document) === first).toBe(false);
    expect(String(first)).toBe(String(fromDocument(api, document)));
  });
});
