-- A district's rows by the division code inside the unit's credit code (characters 3-8): the HR
-- roster of a whole district reads these instead of every row of the province.
CREATE INDEX "employment_contract_district_idx" ON "employment_contract" ((substring("unit_code" from 3 for 6)));
CREATE INDEX "rehire_agreement_district_idx" ON "rehire_agreement" ((substring("unit_code" from 3 for 6)));
CREATE INDEX "insurance_enrolment_district_idx" ON "insurance_enrolment" ((substring("unit_code" from 3 for 6)));
