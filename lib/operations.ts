// The named operations under schema/operations/, read by name (tests, benchmarks, the query IDE).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse } from 'graphql';
import { REPO_ROOT } from './subgraph.ts';

export const OPERATIONS_DIR = join(REPO_ROOT, 'schema', 'operations');

export function operationNames(): string[] {
  return readdirSync(OPERATIONS_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .map((f) => f.slice(0, -'.graphql'.length))
    .sort();
}

export function readOperation(name: string): string {
  return readFileSync(join(OPERATIONS_DIR, `${name}.graphql`), 'utf8');
}

/** The names of the operations defined in the files (a file may define several, like LeadSweep). */
export function namedOperations(): Set<string> {
  const names = new Set<string>();
  for (const file of operationNames()) {
    for (const def of parse(readOperation(file)).definitions) {
      if (def.kind === Kind.OPERATION_DEFINITION && def.name) names.add(def.name.value);
    }
  }
  return names;
}

/** A named operation file's description: its leading comment lines, joined (the convention of schema/operations). */
export function operationDescription(document: string): string {
  const lines: string[] = [];
  for (const line of document.split('\n')) {
    const comment = /^\s*#\s?(.*)$/.exec(line);
    if (!comment) break;
    lines.push(comment[1]!.trim());
  }
  return lines.join(' ').trim();
}
