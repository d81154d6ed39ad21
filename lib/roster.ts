// EmploymentRoster: who a bureau sees employed or paid in a district and month. It travels between
// subgraphs only (an @inaccessible field consumed through @requires), as packed rows (lib/cross-check.ts):
// a district has tens of thousands of rows, and one string passes through the gateway without per-field work.
import { packedRows } from './cross-check.ts';

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

export const EmploymentRoster = packedRows<RosterRow>(
  'EmploymentRoster',
  [['unitCode', 'text'], ['idNumber', 'text'], ['name', 'text'], ['evidenceKind', 'text'], ['reference', 'text']],
  (row) => EVIDENCE_KINDS.includes(row[3]),
);
