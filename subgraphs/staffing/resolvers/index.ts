import type { Resolvers } from '../generated/resolvers-types.ts';
import { DateScalar, DateTimeScalar, MonthScalar } from '../../../lib/scalars.ts';
import { EmploymentRoster } from '../../../lib/roster.ts';
import { RegistryRoster, RegistrySpans, ServiceContractRoster, UnitDirectory, UnitHeadcounts } from '../../../lib/cross-check.ts';
import { DistrictYear } from './DistrictYear.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { Unit } from './Unit.ts';
import { Person } from './Person.ts';
import { QuotaDecision } from './QuotaDecision.ts';
import { RegistryRecord } from './RegistryRecord.ts';
import { EstablishmentApplication } from './EstablishmentApplication.ts';
import { QuotaRecovery } from './QuotaRecovery.ts';
import { DistrictMonth } from './DistrictMonth.ts';
import { UnreportedPerson } from './UnreportedPerson.ts';
import { UnreportedUnit } from './UnreportedUnit.ts';

export const resolvers: Resolvers = {
  Date: DateScalar,
  Month: MonthScalar,
  DateTime: DateTimeScalar,
  EmploymentRoster: EmploymentRoster.scalar,
  UnitDirectory: UnitDirectory.scalar,
  UnitHeadcounts: UnitHeadcounts.scalar,
  RegistryRoster: RegistryRoster.scalar,
  RegistrySpans: RegistrySpans.scalar,
  ServiceContractRoster: ServiceContractRoster.scalar,
  Query,
  Mutation,
  DistrictYear,
  Unit,
  Person,
  QuotaDecision,
  RegistryRecord,
  EstablishmentApplication,
  QuotaRecovery,
  DistrictMonth,
  UnreportedPerson,
  UnreportedUnit,
};
