// The gateway's memo of federation-internals Operations (gateway/operation-memo.ts): it must sit where
// @apollo/gateway looks the function up, and hand back the same immutable Operation for the same
// cached document.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'graphql';
import { Supergraph, operationFromDocument } from '@apollo/federation-internals';
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
    const api = Supergraph.build(withoutSecurityFeatures(readFileSync(SUPERGRAPH_PATH, 'utf8'))).apiSchema();
    const document = parse(readOperation('UnitProfile'));
    // As executeQueryPlan does: a new document object around the same definition nodes.
    const again = () => operationFromDocument(api, { ...document, definitions: [...document.definitions] }, { validate: false });
    const first = again();
    expect(again()).toBe(first);
    // Another document (even with equal text) and validated calls are not memoised.
    expect(operationFromDocument(api, parse(readOperation('UnitProfile')), { validate: false })).not.toBe(first);
    expect(operationFromDocument(api, document)).not.toBe(first);
    expect(String(first)).toBe(String(operationFromDocument(api, document)));
  });
});
