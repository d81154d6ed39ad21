// The custom scalars every subgraph declares: Date (YYYY-MM-DD), Month (YYYY-MM), DateTime (ISO 8601).
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { badUserInput } from './errors.ts';
import { isDate, isMonth, toDateString } from './periods.ts';

function stringScalar(name: string, description: string, check: (s: string) => boolean, serialize: (v: unknown) => string) {
  const parse = (value: unknown): string => {
    if (typeof value !== 'string' || !check(value)) throw badUserInput(`${name} must be ${description}; got ${JSON.stringify(value)}`);
    return value;
  };
  return new GraphQLScalarType({
    name,
    description,
    serialize,
    parseValue: parse,
    parseLiteral(ast: ValueNode) {
      if (ast.kind !== Kind.STRING) throw badUserInput(`${name} must be a string, ${description}`);
      return parse(ast.value);
    },
  });
}

export const DateScalar = stringScalar('Date', 'a calendar date YYYY-MM-DD', isDate, (v) =>
  v instanceof Date ? toDateString(v) : String(v),
);

export const MonthScalar = stringScalar('Month', 'a calendar month YYYY-MM', isMonth, (v) => String(v).trim());

export const DateTimeScalar = stringScalar(
  'DateTime',
  'an ISO 8601 date and time',
  (s) => !Number.isNaN(Date.parse(s)),
  (v) => (v instanceof Date ? v.toISOString() : String(v)),
);
