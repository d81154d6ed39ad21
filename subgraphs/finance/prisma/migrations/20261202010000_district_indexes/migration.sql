-- A district's rows by the division code inside the unit's credit code (characters 3-8): the payroll
-- roster of a whole district reads these instead of every line of the province's month.
CREATE INDEX "payroll_line_month_district_idx" ON "payroll_line" ("month", (substring("unit_code" from 3 for 6)));
CREATE INDEX "service_contract_district_idx" ON "service_contract" ((substring("unit_code" from 3 for 6)));
