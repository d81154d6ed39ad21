-- 区财政局 (finance bureau): funding standards, personnel budgets, payroll, purchase-of-service contracts.
CREATE TYPE "UnitCategory" AS ENUM ('DISTRICT_ORGAN', 'FUNDED_INSTITUTION', 'EDUCATION', 'TOWN_SUBDISTRICT');
CREATE TYPE "OutsourcedFunction" AS ENUM ('SECURITY', 'CLEANING', 'GREENING', 'BASIC_PUBLIC_SERVICE', 'SOCIAL_AFFAIRS', 'TECHNICAL_SERVICE');
CREATE TYPE "FundingSource" AS ENUM ('BUDGET', 'UNIT_OWN_FUNDS', 'SPECIAL_FUND');

CREATE TABLE "funding_standard" (
    "id" SERIAL NOT NULL,
    "category" "UnitCategory" NOT NULL,
    "year" INTEGER NOT NULL,
    "amount_per_head" DECIMAL(12,2) NOT NULL,
    CONSTRAINT "funding_standard_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "funding_standard_category_year_key" ON "funding_standard"("category", "year");

CREATE TABLE "personnel_budget" (
    "id" SERIAL NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "year" INTEGER NOT NULL,
    "headcount_basis" INTEGER NOT NULL,
    "standard_per_head" DECIMAL(12,2) NOT NULL,
    "amount" DECIMAL(14,2) NOT NULL,
    "registry_snapshot_date" DATE NOT NULL,
    CONSTRAINT "personnel_budget_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "personnel_budget_unit_code_year_key" ON "personnel_budget"("unit_code", "year");

CREATE TABLE "payroll_line" (
    "id" SERIAL NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "id_number" CHAR(18) NOT NULL,
    "name" TEXT NOT NULL,
    "month" CHAR(7) NOT NULL,
    "gross_pay" DECIMAL(10,2) NOT NULL,
    "funding_source" "FundingSource" NOT NULL,
    CONSTRAINT "payroll_line_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "payroll_line_month_unit_code_idx" ON "payroll_line"("month", "unit_code");
CREATE INDEX "payroll_line_unit_code_month_idx" ON "payroll_line"("unit_code", "month");
CREATE INDEX "payroll_line_id_number_idx" ON "payroll_line"("id_number");

CREATE TABLE "service_contract" (
    "number" TEXT NOT NULL,
    "unit_code" CHAR(18) NOT NULL,
    "function" "OutsourcedFunction" NOT NULL,
    "supplier_name" TEXT NOT NULL,
    "supplier_code" CHAR(18) NOT NULL,
    "start_date" DATE NOT NULL,
    "end_date" DATE NOT NULL,
    "amount" DECIMAL(14,2) NOT NULL,
    CONSTRAINT "service_contract_pkey" PRIMARY KEY ("number")
);
CREATE INDEX "service_contract_unit_code_idx" ON "service_contract"("unit_code");

CREATE TABLE "service_contract_worker" (
    "id" SERIAL NOT NULL,
    "contract_number" TEXT NOT NULL,
    "id_number" CHAR(18) NOT NULL,
    "name" TEXT NOT NULL,
    CONSTRAINT "service_contract_worker_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "service_contract_worker_contract_number_idx" ON "service_contract_worker"("contract_number");
CREATE INDEX "service_contract_worker_id_number_idx" ON "service_contract_worker"("id_number");
ALTER TABLE "service_contract_worker" ADD CONSTRAINT "service_contract_worker_contract_number_fkey" FOREIGN KEY ("contract_number") REFERENCES "service_contract"("number") ON DELETE RESTRICT ON UPDATE CASCADE;
