-- The gateway's tamper-evident access log: one row per operation, chained by hash.
-- hash = sha256(prev_hash || canonicalJson(entry incl. seq and at)); the first row's prev_hash is 64 zeros.
-- Rows are appended by lib/access-log.ts under pg_advisory_xact_lock, so seq has no gaps.
CREATE TABLE "access_log" (
  "seq" BIGINT NOT NULL,
  "at" TIMESTAMPTZ(3) NOT NULL,
  "subject" TEXT,
  "role" TEXT,
  "town" TEXT,
  "operation_name" TEXT,
  "operation_hash" TEXT,
  "variables" JSONB,
  "decision" TEXT NOT NULL,
  "rule" TEXT,
  "subgraphs" TEXT[] NOT NULL DEFAULT '{}',
  "unmasked_id_numbers" TEXT[] NOT NULL DEFAULT '{}',
  "prev_hash" CHAR(64) NOT NULL,
  "hash" CHAR(64) NOT NULL,
  CONSTRAINT "access_log_pkey" PRIMARY KEY ("seq"),
  CONSTRAINT "access_log_seq_check" CHECK ("seq" > 0),
  CONSTRAINT "access_log_decision_check" CHECK ("decision" IN ('ALLOWED', 'PARTIAL', 'DENIED')),
  CONSTRAINT "access_log_prev_hash_check" CHECK ("prev_hash" ~ '^[0-9a-f]{64}$'),
  CONSTRAINT "access_log_hash_check" CHECK ("hash" ~ '^[0-9a-f]{64}$')
);

-- "Who looked at this person's data": unmasked_id_numbers @> ARRAY[$1].
CREATE INDEX "access_log_unmasked_id_numbers_idx" ON "access_log" USING GIN ("unmasked_id_numbers");
-- One subject's operations in a period, newest first (ORDER BY at DESC, seq DESC).
CREATE INDEX "access_log_subject_at_idx" ON "access_log" ("subject", "at", "seq");
-- Everyone's operations in a period, newest first.
CREATE INDEX "access_log_at_idx" ON "access_log" ("at", "seq");

-- Append-only. This stops mistakes and ordinary roles; the owner can drop the trigger, which is why
-- tampering is detected by the hash chain (npm run audit-log:verify), not prevented here.
CREATE FUNCTION "access_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "access_log_no_update_delete"
  BEFORE UPDATE OR DELETE ON "access_log"
  FOR EACH ROW EXECUTE FUNCTION "access_log_append_only"();

CREATE TRIGGER "access_log_no_truncate"
  BEFORE TRUNCATE ON "access_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "access_log_append_only"();
