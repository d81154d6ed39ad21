-- 编办 (establishment office): units, quotas (管控数), the real-name registry (实名制).
CREATE TYPE "UnitNature" AS ENUM ('ORGAN', 'PUBLIC_INSTITUTION', 'MASS_ORGANIZATION');
CREATE TYPE "UnitCategory" AS ENUM ('DISTRICT_ORGAN', 'FUNDED_INSTITUTION', 'EDUCATION', 'TOWN_SUBDISTRICT');
CREATE TYPE "FundingForm" AS ENUM ('FULL', 'PARTIAL', 'SELF_FUNDED');
CREATE TYPE "EmploymentForm" AS ENUM ('LABOUR_CONTRACT', 'DISPATCH', 'REHIRED_RETIREE', 'TEMPORARY', 'SECONDED', 'PURCHASED_SERVICE', 'NO_PAPERWORK');
CREATE TYPE "ChangeReason" AS ENUM ('IN_SERVICE', 'ADDED', 'DISMISSED', 'TERMINATED', 'RETIRED', 'DECEASED');
CREATE TYPE "ApplicationStatus" AS ENUM ('SUBMITTED', 'APPROVED', 'REJECTED', 'SUSPENDED');
CREATE TYPE "OutsourcedFunction" AS ENUM ('SECURITY', 'CLEANING', 'GREENING', 'BASIC_PUBLIC_SERVICE', 'SOCIAL_AFFAIRS', 'TECHNICAL_SERVICE');

CREATE TABLE "unit" (
    "code" CHAR(18) NOT NULL,
    "name" TEXT NOT NULL,
    "nature" "UnitNature" NOT NULL,
    "category" "UnitCategory" NOT NULL,
    "funding_form" "FundingForm" NOT NULL,
    "supervising_unit_code" CHAR(18),
    "district_code" CHAR(6) NOT NULL,
    "town_code" CHAR(9),
    "establishment_size" INTEGER NOT NULL,
    "establishment_actual" INTEGER NOT NULL,
    CONSTRAINT "unit_pkey" PRIMARY KEY ("code")
);
CREATE INDEX "unit_district_code_category_idx" ON "unit"("district_code", "category");
CREATE INDEX "unit_town_code_idx" ON "unit"("town_code");
ALTER TABLE "unit" ADD CONSTRAINT "unit_supervising_unit_code_fkey" FOREIGN KEY ("supervising_unit_code") REFERENCES "unit"("code") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "quota_decision" (
    "id" SERIAL NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "year" INTEGER NOT NULL,
    "quota" INTEGER NOT NULL,
    "previous_quota" INTEGER,
    "reason" TEXT,
    "exception_approved" BOOLEAN NOT NULL DEFAULT false,
    "exception_document" TEXT,
    "decided_on" DATE NOT NULL,
    CONSTRAINT "quota_decision_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "quota_decision_unit_code_year_key" ON "quota_decision"("unit_code", "year");
ALTER TABLE "quota_decision" ADD CONSTRAINT "quota_decision_unit_code_fkey" FOREIGN KEY ("unit_code") REFERENCES "unit"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "registry_record" (
    "id" SERIAL NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "id_number" CHAR(18) NOT NULL,
    "name" TEXT NOT NULL,
    "education" TEXT,
    "post" TEXT NOT NULL,
    "post_category" TEXT NOT NULL,
    "employment_form" "EmploymentForm" NOT NULL,
    "start_date" DATE NOT NULL,
    "end_date" DATE,
    "change_reason" "ChangeReason" NOT NULL,
    "recorded_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "registry_record_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "registry_record_unit_code_start_date_idx" ON "registry_record"("unit_code", "start_date");
CREATE INDEX "registry_record_id_number_idx" ON "registry_record"("id_number");
ALTER TABLE "registry_record" ADD CONSTRAINT "registry_record_unit_code_fkey" FOREIGN KEY ("unit_code") REFERENCES "unit"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "establishment_application" (
    "id" SERIAL NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "subject" TEXT NOT NULL,
    "submitted_on" DATE NOT NULL,
    "status" "ApplicationStatus" NOT NULL,
    "suspension_reason" TEXT,
    CONSTRAINT "establishment_application_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "establishment_application_unit_code_idx" ON "establishment_application"("unit_code");
ALTER TABLE "establishment_application" ADD CONSTRAINT "establishment_application_unit_code_fkey" FOREIGN KEY ("unit_code") REFERENCES "unit"("code") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "quota_recovery" (
    "id" SERIAL NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "function" "OutsourcedFunction" NOT NULL,
    "count" INTEGER NOT NULL,
    "year" INTEGER NOT NULL,
    "contract_number" TEXT,
    CONSTRAINT "quota_recovery_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "quota_recovery_unit_code_idx" ON "quota_recovery"("unit_code");
ALTER TABLE "quota_recovery" ADD CONSTRAINT "quota_recovery_unit_code_fkey" FOREIGN KEY ("unit_code") REFERENCES "unit"("code") ON DELETE RESTRICT ON UPDATE CASCADE;
