import type { DistrictMonthResolvers } from '../generated/resolvers-types.ts';
import { GraphQLError } from 'graphql';
import { parseRoster, type RosterRow } from '../../../lib/roster.ts';
import { decodeCursor, pageBy, pageSize } from '../../../lib/paging.ts';

function rosters(parent: { hrRoster?: unknown; payrollRoster?: unknown }): RosterRow[] {
  if (parent.hrRoster === undefined || parent.payrollRoster === undefined) {
    // Only reachable by calling this subgraph directly: the gateway always sends both (@requires).
    throw new GraphQLError('unreportedStaff needs the HR and finance rosters: query it through the gateway', {
      extensions: { code: 'BAD_REQUEST' },
    });
  }
  return [...parseRoster(parent.hrRoster), ...parseRoster(parent.payrollRoster)];
}

export const DistrictMonth: DistrictMonthResolvers = {
  __resolveReference(ref) {
    return ref as { district: string; month: string; hrRoster?: unknown; payrollRoster?: unknown };
  },
  async unreportedStaff(parent, { filter, first, after }, { data }) {
    const size = pageSize(first, 100);
    const units = await data.unreported(parent.month, rosters(parent), filter);
    const page = pageBy(units, (u) => u.unit.code, size, decodeCursor(after));
    return {
      ...page,
      totalCount: units.length,
      totalPeople: units.reduce((n, u) => n + u.people.length, 0),
    };
  },
};
