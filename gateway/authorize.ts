// Enforces the access rules the subgraphs declare with Federation's @authenticated, @requiresScopes and
// @policy, which the composed supergraph carries but @apollo/gateway does not apply. Before a query is
// planned, every field the caller may not see is cut out of the document, with an error naming the rule;
// the rest of the answer still comes back.
import {
  GraphQLError,
  Kind,
  TypeInfo,
  getNamedType,
  parse,
  print,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
  type DirectiveNode,
  type DocumentNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { Identity } from '../lib/auth/identity.ts';

interface Requirement {
  authenticated: boolean;
  /** Any one inner list satisfied in full. */
  scopes: string[][] | null;
  policies: string[][] | null;
}

/** Rules that need code: each takes the caller and answers whether the field is allowed. */
export const POLICIES: Record<string, (identity: Identity) => boolean> = {
  // District-wide lists the owning subgraph cannot scope by town: not for town officers.
  district_wide: (identity) => identity.town === undefined,
};

export interface Denial {
  /** Response keys from the operation root to the removed field (within fragments, from the fragment). */
  path: string[];
  coordinate: string;
  rule: string;
  message: string;
}

function requirementOf(directives: readonly DirectiveNode[] | undefined): Requirement | null {
  let req: Requirement | null = null;
  for (const d of directives ?? []) {
    const name = d.name.value;
    if (name !== 'authenticated' && name !== 'requiresScopes' && name !== 'policy') continue;
    req ??= { authenticated: false, scopes: null, policies: null };
    if (name === 'authenticated') req.authenticated = true;
    const arg = d.arguments?.[0];
    if (arg && name === 'requiresScopes') req.scopes = [...(req.scopes ?? []), ...(valueFromASTUntyped(arg.value) as string[][])];
    if (arg && name === 'policy') req.policies = [...(req.policies ?? []), ...(valueFromASTUntyped(arg.value) as string[][])];
  }
  return req;
}

/** The requirements of each type and field of a supergraph. */
export class AccessRules {
  private constructor(
    private readonly types: Map<string, Requirement>,
    private readonly fields: Map<string, Requirement>,
  ) {}

  static fromSupergraph(sdl: string): AccessRules {
    const types = new Map<string, Requirement>();
    const fields = new Map<string, Requirement>();
    for (const def of parse(sdl).definitions) {
      if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION && def.kind !== Kind.SCALAR_TYPE_DEFINITION && def.kind !== Kind.ENUM_TYPE_DEFINITION) continue;
      const typeReq = requirementOf(def.directives);
      if (typeReq) types.set(def.name.value, typeReq);
      if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
      for (const field of def.fields ?? []) {
        const req = requirementOf(field.directives);
        if (req) fields.set(`${def.name.value}.${field.name.value}`, req);
      }
    }
    return new AccessRules(types, fields);
  }

  /** The first rule the caller breaks by selecting the field, or null. */
  denial(parentType: string, field: string, returnType: string, identity: Identity | undefined): { rule: string; message: string } | null {
    const coordinate = `${parentType}.${field}`;
    for (const [req, where] of [
      [this.types.get(parentType), `type ${parentType}`],
      [this.fields.get(coordinate), coordinate],
      [this.types.get(returnType), `type ${returnType}`],
    ] as const) {
      if (!req) continue;
      if (req.authenticated && !identity) return { rule: 'authenticated', message: `${coordinate} needs an authenticated caller (${where})` };
      if (req.scopes && !req.scopes.some((all) => all.every((s) => identity?.scopes.includes(s as never)))) {
        const needed = req.scopes.map((all) => all.join(' and ')).join(' or ');
        return { rule: `requiresScopes:${needed}`, message: `${coordinate} needs scope ${needed} (${where}); role ${identity?.role ?? 'none'} does not have it` };
      }
      if (req.policies && !req.policies.some((all) => all.every((p) => identity !== undefined && (POLICIES[p]?.(identity) ?? false)))) {
        const needed = req.policies.map((all) => all.join(' and ')).join(' or ');
        return { rule: `policy:${needed}`, message: `${coordinate} is refused by policy ${needed} (${where}) for role ${identity?.role ?? 'none'}` };
      }
    }
    return null;
  }
}

const TYPENAME_ONLY: SelectionSetNode = {
  kind: Kind.SELECTION_SET,
  selections: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }],
};

/** The document without the fields the caller may not see, and what was removed. */
export function authorizeDocument(document: DocumentNode, schema: GraphQLSchema, rules: AccessRules, identity: Identity | undefined) {
  const denials: Denial[] = [];
  const typeInfo = new TypeInfo(schema);
  const path: string[] = [];
  const pruned = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      OperationDefinition: { enter: () => void (path.length = 0) },
      FragmentDefinition: { enter: () => void (path.length = 0) },
      Field: {
        enter(node) {
          const parent = typeInfo.getParentType();
          const def = typeInfo.getFieldDef();
          const key = node.alias?.value ?? node.name.value;
          if (parent && def && !node.name.value.startsWith('__')) {
            const denied = rules.denial(parent.name, node.name.value, getNamedType(def.type).name, identity);
            if (denied) {
              denials.push({ path: [...path, key], coordinate: `${parent.name}.${node.name.value}`, ...denied });
              return null;
            }
          }
          path.push(key);
          return undefined;
        },
        leave() {
          path.pop();
        },
      },
    }),
  );
  if (denials.length === 0) return { document, denials };
  // A selection left empty keeps the query valid with __typename.
  const valid = visit(pruned, {
    SelectionSet: { leave: (node) => (node.selections.length === 0 ? TYPENAME_ONLY : undefined) },
  });
  return { document: valid, denials };
}

export function denialError(d: Denial): GraphQLError {
  return new GraphQLError(d.message, { path: d.path, extensions: { code: 'FORBIDDEN', rule: d.rule, field: d.coordinate } });
}

const SECURITY_SPECS = ['https://specs.apollo.dev/authenticated/', 'https://specs.apollo.dev/requiresScopes/', 'https://specs.apollo.dev/policy/'];
const SECURITY_DIRECTIVES = new Set(['authenticated', 'requiresScopes', 'policy']);
const SECURITY_SCALARS = new Set(['requiresScopes__Scope', 'policy__Policy']);

/**
 * The supergraph as @apollo/gateway is given it: without the security features, which it refuses to
 * serve because it cannot enforce them. This gateway enforces them (AccessRules) before planning.
 */
export function withoutSecurityFeatures(sdl: string): string {
  const stripped = visit(parse(sdl), {
    Directive(node) {
      if (SECURITY_DIRECTIVES.has(node.name.value)) return null;
      if (node.name.value === 'link') {
        const url = node.arguments?.find((a) => a.name.value === 'url');
        if (url && url.value.kind === Kind.STRING && SECURITY_SPECS.some((s) => (url.value as { value: string }).value.startsWith(s))) return null;
      }
      return undefined;
    },
    DirectiveDefinition(node) {
      return SECURITY_DIRECTIVES.has(node.name.value) ? null : undefined;
    },
    ScalarTypeDefinition(node) {
      return SECURITY_SCALARS.has(node.name.value) ? null : undefined;
    },
  });
  return print(stripped);
}
