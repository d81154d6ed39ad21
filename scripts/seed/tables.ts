// The seeded tables of each bureau, in foreign-key order, with their SQL column names
// (from subgraphs/*/prisma/migrations). A row builder checks every row against its columns.

export type BureauName = 'staffing' | 'finance' | 'hr' | 'audit';
export const BUREAU_NAMES: readonly BureauName[] = ['staffing', 'finance', 'hr', 'audit'];

export const TABLE_COLUMNS = {
  staffing: {
    unit: ['code', 'name', 'nature', 'category', 'funding_form', 'supervising_unit_code', 'district_code', 'town_code', 'establishment_size', 'establishment_actual'],
    quota_decision: ['id', 'unit_code', 'year', 'quota', 'previous_quota', 'reason', 'exception_approved', 'exception_document', 'decided_on'],
    registry_record: ['id', 'unit_code', 'id_number', 'name', 'education', 'post', 'post_category', 'employment_form', 'start_date', 'end_date', 'change_reason', 'recorded_at'],
    establishment_application: ['id', 'unit_code', 'subject', 'submitted_on', 'status', 'suspension_reason'],
    quota_recovery: ['id', 'unit_code', 'function', 'count', 'year', 'contract_number'],
  },
  finance: {
    funding_standard: ['id', 'category', 'year', 'amount_per_head'],
    personnel_budget: ['id', 'unit_code', 'year', 'headcount_basis', 'standard_per_head', 'amount', 'registry_snapshot_date'],
    payroll_line: ['id', 'unit_code', 'id_number', 'name', 'month', 'gross_pay', 'funding_source'],
    service_contract: ['number', 'unit_code', 'function', 'supplier_name', 'supplier_code', 'start_date', 'end_date', 'amount'],
    service_contract_worker: ['id', 'contract_number', 'id_number', 'name'],
  },
  hr: {
    recruitment: ['id', 'unit_code', 'announcement_number', 'title', 'announced_on', 'posts'],
    recruitment_step: ['id', 'recruitment_id', 'step', 'completed_on'],
    recruitment_hire: ['id', 'recruitment_id', 'id_number', 'name', 'hired_on'],
    employment_contract: ['id', 'id_number', 'name', 'unit_code', 'kind', 'dispatch_agency', 'start_date', 'end_date', 'signed_on', 'terminated_on'],
    rehire_agreement: ['id', 'id_number', 'name', 'unit_code', 'retired_on', 'start_date', 'end_date'],
    insurance_enrolment: ['id', 'id_number', 'name', 'unit_code', 'start_month', 'end_month'],
    pay_standard: ['id', 'year', 'unit_category', 'post_category', 'monthly_max'],
    exit_record: ['id', 'id_number', 'unit_code', 'exit_on', 'reason'],
  },
  audit: {
    inspection: ['id', 'kind', 'title', 'year', 'stage', 'started_on', 'ended_on'],
    inspection_unit: ['inspection_id', 'unit_code'],
    finding: ['id', 'inspection_id', 'unit_code', 'description', 'rule', 'found_on'],
    feedback_form: ['id', 'inspection_id', 'unit_code', 'issued_on', 'content', 'deadline'],
    rectification: ['id', 'unit_code', 'feedback_form_id', 'finding_id', 'description', 'deadline', 'status', 'completed_on', 'progress_note'],
    issue_lead: ['id', 'unit_code', 'id_number', 'source', 'rule', 'finding_id', 'period', 'description', 'status', 'routed_to', 'evidence_bureaus', 'created_at', 'closed_at'],
  },
} as const satisfies Record<BureauName, Record<string, readonly string[]>>;

export type TableName<B extends BureauName> = keyof (typeof TABLE_COLUMNS)[B] & string;
type Columns<B extends BureauName, T extends TableName<B>> = (typeof TABLE_COLUMNS)[B][T] extends readonly (infer C)[] ? C & string : never;
export type Row<B extends BureauName, T extends TableName<B>> = Record<Columns<B, T>, unknown>;

export class TableBuilder<B extends BureauName, T extends TableName<B>> {
  readonly rows: unknown[][] = [];
  constructor(readonly columns: readonly string[]) {}

  /** Next serial id: ids are given explicitly so that references are known before loading. */
  get nextId(): number {
    return this.rows.length + 1;
  }

  add(row: Row<B, T>): void {
    const values = row as Record<string, unknown>;
    if (Object.keys(values).length !== this.columns.length) throw new Error(`row has columns ${Object.keys(values).join(',')}`);
    this.rows.push(this.columns.map((c) => {
      if (!(c in values)) throw new Error(`row misses column ${c}`);
      return values[c];
    }));
  }
}
