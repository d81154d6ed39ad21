import type { Resolvers } from '../generated/resolvers-types.ts';
import { DateScalar, DateTimeScalar, MonthScalar } from '../../../lib/scalars.ts';
import { UnitDirectory } from '../../../lib/cross-check.ts';
import { DistrictMonth } from './DistrictMonth.ts';
import { Mutation } from './Mutation.ts';
import { Query } from './Query.ts';
import { Unit } from './Unit.ts';
import { Person } from './Person.ts';
import { Inspection } from './Inspection.ts';
import { Finding } from './Finding.ts';
import { IssueLead } from './IssueLead.ts';
import { FeedbackForm } from './FeedbackForm.ts';
import { Rectification } from './Rectification.ts';

export const resolvers: Resolvers = {
  Date: DateScalar,
  DateTime: DateTimeScalar,
  Month: MonthScalar,
  UnitDirectory: UnitDirectory.scalar,
  Query,
  Mutation,
  DistrictMonth,
  Unit,
  Person,
  Inspection,
  Finding,
  IssueLead,
  FeedbackForm,
  Rectification,
};
