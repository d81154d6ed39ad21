-- 审计/巡察/监督检查: inspections, findings, issue leads, feedback forms, rectifications.
CREATE TYPE "Bureau" AS ENUM ('STAFFING', 'FINANCE', 'HR', 'AUDIT');
CREATE TYPE "InspectionKind" AS ENUM ('SPECIAL_INSPECTION', 'INSPECTION_TOUR', 'ECONOMIC_RESPONSIBILITY_AUDIT', 'PERFORMANCE_EVALUATION', 'ANNUAL_REVIEW', 'SPECIAL_AUDIT');
CREATE TYPE "InspectionStage" AS ENUM ('SELF_CHECK', 'JOINT_CHECK', 'RECTIFICATION', 'USE_OF_RESULTS');
CREATE TYPE "LeadSource" AS ENUM ('SPECIAL_INSPECTION', 'INSPECTION_TOUR', 'ECONOMIC_RESPONSIBILITY_AUDIT', 'PERFORMANCE_EVALUATION', 'SPECIAL_AUDIT', 'RULE_SWEEP', 'REPORT');
CREATE TYPE "LeadStatus" AS ENUM ('OPEN', 'ROUTED', 'CLOSED', 'RESOLVED_BY_DATA');
CREATE TYPE "LeadRoute" AS ENUM ('INSPECTION_TOUR', 'AUDIT', 'DISCIPLINE');
CREATE TYPE "RectificationStatus" AS ENUM ('PENDING', 'IN_PROGRESS', 'COMPLETED');

CREATE TABLE "inspection" (
    "id" SERIAL NOT NULL,
    "kind" "InspectionKind" NOT NULL,
    "title" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "stage" "InspectionStage",
    "started_on" DATE NOT NULL,
    "ended_on" DATE,
    CONSTRAINT "inspection_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "inspection_kind_year_idx" ON "inspection"("kind", "year");

CREATE TABLE "inspection_unit" (
    "inspection_id" INTEGER NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    CONSTRAINT "inspection_unit_pkey" PRIMARY KEY ("inspection_id", "unit_code")
);
CREATE INDEX "inspection_unit_unit_code_idx" ON "inspection_unit"("unit_code");
ALTER TABLE "inspection_unit" ADD CONSTRAINT "inspection_unit_inspection_id_fkey" FOREIGN KEY ("inspection_id") REFERENCES "inspection"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "finding" (
    "id" SERIAL NOT NULL,
    "inspection_id" INTEGER NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "description" TEXT NOT NULL,
    "rule" TEXT,
    "found_on" DATE NOT NULL,
    CONSTRAINT "finding_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "finding_inspection_id_idx" ON "finding"("inspection_id");
CREATE INDEX "finding_unit_code_idx" ON "finding"("unit_code");
ALTER TABLE "finding" ADD CONSTRAINT "finding_inspection_id_fkey" FOREIGN KEY ("inspection_id") REFERENCES "inspection"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "issue_lead" (
    "id" SERIAL NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "id_number" CHAR(18),
    "source" "LeadSource" NOT NULL,
    "rule" TEXT,
    "finding_id" INTEGER,
    "period" TEXT,
    "description" TEXT NOT NULL,
    "status" "LeadStatus" NOT NULL,
    "routed_to" "LeadRoute",
    "evidence_bureaus" "Bureau"[],
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "closed_at" TIMESTAMPTZ(3),
    CONSTRAINT "issue_lead_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "issue_lead_unit_code_status_idx" ON "issue_lead"("unit_code", "status");
CREATE INDEX "issue_lead_id_number_idx" ON "issue_lead"("id_number");
CREATE INDEX "issue_lead_rule_period_idx" ON "issue_lead"("rule", "period");
ALTER TABLE "issue_lead" ADD CONSTRAINT "issue_lead_finding_id_fkey" FOREIGN KEY ("finding_id") REFERENCES "finding"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "feedback_form" (
    "id" SERIAL NOT NULL,
    "inspection_id" INTEGER NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "issued_on" DATE NOT NULL,
    "content" TEXT NOT NULL,
    "deadline" DATE NOT NULL,
    CONSTRAINT "feedback_form_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "feedback_form_inspection_id_idx" ON "feedback_form"("inspection_id");
CREATE INDEX "feedback_form_unit_code_idx" ON "feedback_form"("unit_code");
ALTER TABLE "feedback_form" ADD CONSTRAINT "feedback_form_inspection_id_fkey" FOREIGN KEY ("inspection_id") REFERENCES "inspection"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "rectification" (
    "id" SERIAL NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "feedback_form_id" INTEGER,
    "finding_id" INTEGER,
    "description" TEXT NOT NULL,
    "deadline" DATE NOT NULL,
    "status" "RectificationStatus" NOT NULL,
    "completed_on" DATE,
    "progress_note" TEXT,
    CONSTRAINT "rectification_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "rectification_unit_code_idx" ON "rectification"("unit_code");
CREATE INDEX "rectification_feedback_form_id_idx" ON "rectification"("feedback_form_id");
ALTER TABLE "rectification" ADD CONSTRAINT "rectification_feedback_form_id_fkey" FOREIGN KEY ("feedback_form_id") REFERENCES "feedback_form"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "rectification" ADD CONSTRAINT "rectification_finding_id_fkey" FOREIGN KEY ("finding_id") REFERENCES "finding"("id") ON DELETE SET NULL ON UPDATE CASCADE;
