-- Writes through the graph: a version on every record a mutation updates (optimistic concurrency:
-- a write names the version it read and is refused with CONFLICT when the record has moved on).
ALTER TABLE "registry_record" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "quota_decision" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;

-- Idempotency keys of applied mutations (lib/writes.ts): a retried request with the same key is answered
-- with the stored result instead of being applied again; the hash tells a retry from a reused key.
CREATE TABLE "idempotency_key" (
    "subject" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "mutation" TEXT NOT NULL,
    "request_hash" CHAR(64) NOT NULL,
    "result" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "idempotency_key_pkey" PRIMARY KEY ("subject", "key")
);
CREATE INDEX "idempotency_key_created_at_idx" ON "idempotency_key"("created_at");
