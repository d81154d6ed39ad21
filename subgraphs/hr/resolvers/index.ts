import type { Resolvers } from '../generated/resolvers-types.ts';
import { DateScalar, MonthScalar } from '../../../lib/scalars.ts';
import { EmploymentRoster } from '../../../lib/roster.ts';
import { PayStandardTable, RegistryRoster, UnitDirectory, UnitHeadcounts } from '../../../lib/cross-check.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { Unit } from './Unit.ts';
import { Person } from './Person.ts';
import { Recruitment } from './Recruitment.ts';
import { RecruitmentHire } from './RecruitmentHire.ts';
import { EmploymentContract } from './EmploymentContract.ts';
import { RehireAgreement } from './RehireAgreement.ts';
import { InsuranceEnrolment } from './InsuranceEnrolment.ts';
import { PayStandard } from './PayStandard.ts';
import { ExitRecord } from './ExitRecord.ts';
import { DistrictMonth } from './DistrictMonth.ts';

export const resolvers: Resolvers = {
  Date: DateScalar,
  Month: MonthScalar,
  EmploymentRoster: EmploymentRoster.scalar,
  UnitDirectory: UnitDirectory.scalar,
  UnitHeadcounts: UnitHeadcounts.scalar,
  RegistryRoster: RegistryRoster.scalar,
  PayStandardTable: PayStandardTable.scalar,
  Query,
  Mutation,
  Unit,
  Person,
  Recruitment,
  RecruitmentHire,
  EmploymentContract,
  RehireAgreement,
  InsuranceEnrolment,
  PayStandard,
  ExitRecord,
  DistrictMonth,
};
