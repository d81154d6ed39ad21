-- Lead sweep (数据比对): a note when a lead is closed, and the lookup of a sweep's earlier leads.
ALTER TABLE "issue_lead" ADD COLUMN "closing_note" TEXT;
CREATE INDEX "issue_lead_source_rule_period_idx" ON "issue_lead"("source", "rule", "period");
