// GraphQL errors with a stable extensions.code, the one place they are made.
import { GraphQLError } from 'graphql';

export function badUserInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(field ? { field } : {}) } });
}

/** Optimistic concurrency: the record moved on since the caller read it; nothing was written. */
export function conflict(what: string, expected: number, current: number, field: string): GraphQLError {
  return new GraphQLError(
    `${what} ${current === 0 ? 'does not exist (version 0)' : `has changed since it was read: it is at version ${current}`}, not version ${expected}. Read it again and retry; nothing was written.`,
    { extensions: { code: 'CONFLICT', field, currentVersion: current, expectedVersion: expected } },
  );
}

/**
 * The input field a GraphQL-layer rejection names. graphql-js reports a variable it cannot coerce (an
 * unknown enum value, an impossible Date) only in its message: `Variable "$input" got invalid value …
 * at "input.startDate"; …`, so the path is read from there.
 */
export function inputFieldOf(message: string): string | undefined {
  const variable = /^Variable "\$([A-Za-z_]\w*)" (?:got invalid value|of required type|of non-null type)/.exec(message);
  if (!variable) return undefined;
  const at = /^Variable "\$[A-Za-z_]\w*" got invalid value [\s\S]*? at "([A-Za-z_][\w.[\]]*)"; /.exec(message);
  return at?.[1] ?? variable[1];
}

/** A formatted BAD_USER_INPUT error with extensions.field filled in where only its message named the field. */
export function withInputField<E extends { message: string; extensions?: Record<string, unknown> }>(error: E): E {
  if (error.extensions?.code !== 'BAD_USER_INPUT' || error.extensions.field !== undefined) return error;
  const field = inputFieldOf(error.message);
  return field ? { ...error, extensions: { ...error.extensions, field } } : error;
}
