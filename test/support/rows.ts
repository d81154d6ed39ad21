// Packed rows (lib/cross-check.ts) in subgraph tests: what the gateway carries between bureaus.
import { randomUUID } from 'node:crypto';

interface Packer<Row> {
  pack(rows: readonly Row[], etag: string): string;
  parse(value: unknown): Row[];
}

/** Rows packed under a fresh tag, as another bureau would send them in a representation. */
export function packed<Row>(packer: Packer<Row>, rows: readonly Row[]): string {
  return packer.pack(rows, `test/${randomUUID()}`);
}

/** The rows of a packed value, as a plain array (for toEqual). */
export function unpacked<Row>(packer: Packer<Row>, value: unknown): Row[] {
  return [...packer.parse(value)];
}
