// EmploymentRoster: who a bureau sees employed or paid in a district and month. It travels between
// subgraphs only (an @inaccessible field consumed through @requires), as compact rows rather than objects:
// a district has tens of thousands of rows, and a scalar passes through the gateway without per-field work.
import { GraphQLScalarType } from 'graphql';

export type EvidenceKind = 'LABOUR_CONTRACT' | 'DISPATCH_AGREEMENT' | 'REHIRE_AGREEMENT' | 'SOCIAL_INSURANCE' | 'PAYROLL';
export const EVIDENCE_KINDS: readonly EvidenceKind[] = [
  'LABOUR_CONTRACT',
  'DISPATCH_AGREEMENT',
  'REHIRE_AGREEMENT',
  'SOCIAL_INSURANCE',
  'PAYROLL',
];

/** [unitCode, idNumber, name, evidenceKind, reference] */
export type RosterRow = [string, string, string, EvidenceKind, string];

function parseRoster(value: unknown): RosterRow[] {
  if (!Array.isArray(value)) throw new TypeError('EmploymentRoster must be a list of rows');
  for (const row of value) {
    if (
      !Array.isArray(row) ||
      row.length !== 5 ||
      !row.every((c) => typeof c === 'string') ||
      !EVIDENCE_KINDS.includes(row[3] as EvidenceKind)
    ) {
      throw new TypeError('EmploymentRoster rows must be [unitCode, idNumber, name, evidenceKind, reference]');
    }
  }
  return value as RosterRow[];
}

export const EmploymentRosterScalar = new GraphQLScalarType({
  name: 'EmploymentRoster',
  description: 'Internal: rows [unitCode, idNumber, name, evidenceKind, reference].',
  serialize: (v) => v,
  parseValue: parseRoster,
});

/** Representations arrive as JSON, so the scalar is parsed by hand where it is @requires'd. */
export { parseRoster };
