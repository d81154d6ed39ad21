import type { Resolvers } from '../generated/resolvers-types.ts';
import { DateScalar, MonthScalar } from '../../../lib/scalars.ts';
import { EmploymentRoster } from '../../../lib/roster.ts';
import { PayStandardTable, RegistryRoster, RegistrySpans, ServiceContractRoster, UnitDirectory } from '../../../lib/cross-check.ts';
import { DistrictYear } from './DistrictYear.ts';
import { DisguisedOutsourcingWorker } from './DisguisedOutsourcingWorker.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { Unit } from './Unit.ts';
import { Person } from './Person.ts';
import { FundingStandard } from './FundingStandard.ts';
import { PersonnelBudget } from './PersonnelBudget.ts';
import { PayrollLine } from './PayrollLine.ts';
import { ServiceContract } from './ServiceContract.ts';
import { ServiceWorker } from './ServiceWorker.ts';
import { DistrictMonth } from './DistrictMonth.ts';

export const resolvers: Resolvers = {
  Date: DateScalar,
  Month: MonthScalar,
  EmploymentRoster: EmploymentRoster.scalar,
  UnitDirectory: UnitDirectory.scalar,
  RegistryRoster: RegistryRoster.scalar,
  RegistrySpans: RegistrySpans.scalar,
  ServiceContractRoster: ServiceContractRoster.scalar,
  PayStandardTable: PayStandardTable.scalar,
  DistrictYear,
  DisguisedOutsourcingWorker,
  Query,
  Mutation,
  Unit,
  Person,
  FundingStandard,
  PersonnelBudget,
  PayrollLine,
  ServiceContract,
  ServiceWorker,
  DistrictMonth,
};
