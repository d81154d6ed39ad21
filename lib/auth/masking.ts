// Masking happens in the subgraph that owns the data, before it leaves: fields marked in the SDL with
// @maskIdNumber or @maskName show 330109********123X and 张* unless the caller may see personal data;
// @personalOnly and @payOnly fields are refused outright without that scope. The gateway also removes
// such fields by @requiresScopes; this is the owner's own guard, whatever the gateway does.
import { GraphQLError, defaultFieldResolver, isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { maskIdNumber } from '../ids.ts';
import { hasScope } from './identity.ts';
import type { RequestAccess } from '../subgraph.ts';

/** Directive definitions every subgraph SDL declares (local to the subgraph, not composed). */
export const MASKING_DIRECTIVES = ['maskIdNumber', 'maskName', 'personalOnly', 'payOnly'] as const;

export function maskName(name: string): string {
  const chars = [...name];
  return chars.length === 0 ? name : chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

function forbidden(message: string, scope: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN', scope } });
}

type Guard = (value: unknown, access: RequestAccess, field: string) => unknown;

const GUARDS: Record<(typeof MASKING_DIRECTIVES)[number], Guard> = {
  maskIdNumber(value, access) {
    if (typeof value !== 'string') return value;
    if (hasScope(access.identity, 'personal:read')) {
      access.unmaskedIdNumbers.add(value);
      return value;
    }
    return maskIdNumber(value);
  },
  maskName(value, access) {
    return typeof value === 'string' && !hasScope(access.identity, 'personal:read') ? maskName(value) : value;
  },
  personalOnly(value, access, field) {
    if (value == null || hasScope(access.identity, 'personal:read')) return value;
    throw forbidden(`${field} is personal data: it needs scope personal:read`, 'personal:read');
  },
  payOnly(value, access, field) {
    if (value == null || hasScope(access.identity, 'pay:read')) return value;
    throw forbidden(`${field} is pay: shown only to finance, HR and auditors (scope pay:read)`, 'pay:read');
  },
};

/** Wraps the resolver of every field marked with a masking directive; returns the same schema. */
export function applyMasking(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const guards = (field.astNode?.directives ?? [])
        .map((d) => d.name.value)
        .filter((n): n is (typeof MASKING_DIRECTIVES)[number] => (MASKING_DIRECTIVES as readonly string[]).includes(n))
        .map((n) => GUARDS[n]);
      if (guards.length === 0) continue;
      const resolve: GraphQLFieldResolver<unknown, RequestAccess> = field.resolve ?? defaultFieldResolver;
      const name = `${type.name}.${field.name}`;
      field.resolve = async (source, args, context, info) => {
        let value = await resolve(source, args, context, info);
        for (const guard of guards) value = guard(value, context, name);
        return value;
      };
    }
  }
  return schema;
}
