-- 区人社局 (HR and social security bureau): recruitment, contracts, dispatch, rehires, insurance, pay, exits.
CREATE TYPE "UnitCategory" AS ENUM ('DISTRICT_ORGAN', 'FUNDED_INSTITUTION', 'EDUCATION', 'TOWN_SUBDISTRICT');
CREATE TYPE "ContractKind" AS ENUM ('LABOUR_CONTRACT', 'DISPATCH');
CREATE TYPE "RecruitmentStep" AS ENUM ('ANNOUNCEMENT', 'REGISTRATION', 'QUALIFICATION_REVIEW', 'WRITTEN_EXAM', 'INTERVIEW', 'PHYSICAL_EXAM', 'BACKGROUND_CHECK', 'PUBLICITY', 'HIRED');
CREATE TYPE "ExitReason" AS ENUM ('PUBLIC_INSTITUTION_POST', 'SOCIAL_WORKER', 'VILLAGE_WORKER', 'CONTRACT_EXPIRED', 'RESIGNED', 'DISMISSED', 'RETIRED', 'OTHER');

CREATE TABLE "recruitment" (
    "id" SERIAL NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "announcement_number" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "announced_on" DATE NOT NULL,
    "posts" INTEGER NOT NULL,
    CONSTRAINT "recruitment_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "recruitment_announcement_number_key" ON "recruitment"("announcement_number");
CREATE INDEX "recruitment_unit_code_idx" ON "recruitment"("unit_code");

CREATE TABLE "recruitment_step" (
    "id" SERIAL NOT NULL,
    "recruitment_id" INTEGER NOT NULL,
    "step" "RecruitmentStep" NOT NULL,
    "completed_on" DATE NOT NULL,
    CONSTRAINT "recruitment_step_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "recruitment_step_recruitment_id_step_key" ON "recruitment_step"("recruitment_id", "step");
ALTER TABLE "recruitment_step" ADD CONSTRAINT "recruitment_step_recruitment_id_fkey" FOREIGN KEY ("recruitment_id") REFERENCES "recruitment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "recruitment_hire" (
    "id" SERIAL NOT NULL,
    "recruitment_id" INTEGER NOT NULL,
    "id_number" CHAR(18) NOT NULL,
    "name" TEXT NOT NULL,
    "hired_on" DATE NOT NULL,
    CONSTRAINT "recruitment_hire_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "recruitment_hire_recruitment_id_idx" ON "recruitment_hire"("recruitment_id");
CREATE INDEX "recruitment_hire_id_number_idx" ON "recruitment_hire"("id_number");
ALTER TABLE "recruitment_hire" ADD CONSTRAINT "recruitment_hire_recruitment_id_fkey" FOREIGN KEY ("recruitment_id") REFERENCES "recruitment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "employment_contract" (
    "id" TEXT NOT NULL,
    "id_number" CHAR(18) NOT NULL,
    "name" TEXT NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "kind" "ContractKind" NOT NULL,
    "dispatch_agency" TEXT,
    "start_date" DATE NOT NULL,
    "end_date" DATE,
    "signed_on" DATE NOT NULL,
    "terminated_on" DATE,
    CONSTRAINT "employment_contract_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "employment_contract_unit_code_start_date_idx" ON "employment_contract"("unit_code", "start_date");
CREATE INDEX "employment_contract_id_number_idx" ON "employment_contract"("id_number");

CREATE TABLE "rehire_agreement" (
    "id" TEXT NOT NULL,
    "id_number" CHAR(18) NOT NULL,
    "name" TEXT NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "retired_on" DATE NOT NULL,
    "start_date" DATE NOT NULL,
    "end_date" DATE,
    CONSTRAINT "rehire_agreement_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "rehire_agreement_unit_code_idx" ON "rehire_agreement"("unit_code");
CREATE INDEX "rehire_agreement_id_number_idx" ON "rehire_agreement"("id_number");

CREATE TABLE "insurance_enrolment" (
    "id" SERIAL NOT NULL,
    "id_number" CHAR(18) NOT NULL,
    "name" TEXT NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "start_month" CHAR(7) NOT NULL,
    "end_month" CHAR(7),
    CONSTRAINT "insurance_enrolment_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "insurance_enrolment_unit_code_idx" ON "insurance_enrolment"("unit_code");
CREATE INDEX "insurance_enrolment_id_number_idx" ON "insurance_enrolment"("id_number");

CREATE TABLE "pay_standard" (
    "id" SERIAL NOT NULL,
    "year" INTEGER NOT NULL,
    "unit_category" "UnitCategory" NOT NULL,
    "post_category" TEXT NOT NULL,
    "monthly_max" DECIMAL(10,2) NOT NULL,
    CONSTRAINT "pay_standard_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "pay_standard_year_unit_category_post_category_key" ON "pay_standard"("year", "unit_category", "post_category");

CREATE TABLE "exit_record" (
    "id" SERIAL NOT NULL,
    "id_number" CHAR(18) NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "exit_on" DATE NOT NULL,
    "reason" "ExitReason" NOT NULL,
    CONSTRAINT "exit_record_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "exit_record_unit_code_idx" ON "exit_record"("unit_code");
CREATE INDEX "exit_record_id_number_idx" ON "exit_record"("id_number");
