import type { Resolvers } from '../generated/resolvers-types.ts';
import { DateScalar, DateTimeScalar, MonthScalar } from '../../../lib/scalars.ts';
import { EmploymentRosterScalar } from '../../../lib/roster.ts';
import { Query } from './Query.ts';
import { Unit } from './Unit.ts';
import { Person } from './Person.ts';
import { QuotaDecision } from './QuotaDecision.ts';
import { RegistryRecord } from './RegistryRecord.ts';
import { EstablishmentApplication } from './EstablishmentApplication.ts';
import { QuotaRecovery } from './QuotaRecovery.ts';
import { DistrictMonth } from './DistrictMonth.ts';
import { UnreportedPerson } from './UnreportedPerson.ts';

export const resolvers: Resolvers = {
  Date: DateScalar,
  Month: MonthScalar,
  DateTime: DateTimeScalar,
  EmploymentRoster: EmploymentRosterScalar,
  Query,
  Unit,
  Person,
  QuotaDecision,
  RegistryRecord,
  EstablishmentApplication,
  QuotaRecovery,
  DistrictMonth,
  UnreportedPerson,
};
