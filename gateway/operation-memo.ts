// @apollo/gateway 2.14.4's executeQueryPlan rebuilds federation-internals' Operation from the document
// on every request (operationFromDocument(apiSchema, …, { validate: false })), although the query plan
// itself is cached: about 1 ms of CPU per UnitProfile request. The document it passes is rebuilt too,
// but from the same operation and fragment nodes of the cached DocumentNode, so the Operation can be
// kept per (schema, operation node). Operations are immutable; only that unvalidated call is memoised.
// Pinned to the version in package.json: test/operation-memo.test.ts fails if the patch point moves.
import { createRequire } from 'node:module';
import type { DocumentNode, FragmentDefinitionNode, OperationDefinitionNode } from 'graphql';

const require = createRequire(import.meta.url);
type OperationFromDocument = (schema: object, document: DocumentNode, options?: { operationName?: string; validate?: boolean }) => unknown;
const operations = require('@apollo/federation-internals/dist/operations.js') as { operationFromDocument: OperationFromDocument };

/** Whether the memo is installed (the composition test checks that the patch point is still there). */
export let operationMemoInstalled = false;

export function installOperationMemo(): void {
  if (operationMemoInstalled) return;
  const original = operations.operationFromDocument;
  if (typeof original !== 'function') return;
  const memo = new WeakMap<object, WeakMap<OperationDefinitionNode, { fragments: readonly FragmentDefinitionNode[]; operation: unknown }>>();
  operations.operationFromDocument = (schema, document, options) => {
    const [first, ...rest] = document.definitions;
    if (options?.validate !== false || first?.kind !== 'OperationDefinition' || rest.some((d) => d.kind !== 'FragmentDefinition')) {
      return original(schema, document, options);
    }
    let bySchema = memo.get(schema);
    if (!bySchema) memo.set(schema, (bySchema = new WeakMap()));
    const hit = bySchema.get(first);
    const fragments = rest as FragmentDefinitionNode[];
    if (hit && hit.fragments.length === fragments.length && hit.fragments.every((f, i) => f === fragments[i])) return hit.operation;
    const operation = original(schema, document, options);
    bySchema.set(first, { fragments, operation });
    return operation;
  };
  operationMemoInstalled = true;
}
