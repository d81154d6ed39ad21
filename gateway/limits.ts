// Request limits of the gateway: what one client request may ask before any subgraph is called. Every
// check here runs on the parsed document against the API schema; none of them needs the subgraphs.
//
// Cost model (estimateCost): every field costs 1. A field returning a list multiplies the cost of its
// selection by a list size estimate:
//   - a list field with a `first` argument: its value (a literal, or a variable: the request's value,
//     else the variable's default), else the schema's default for `first`, else 100;
//   - `nodes` under a field with `first` (a connection): the connection field's `first`;
//   - any other list: 50.
// A connection field itself returns one object, so its own cost is 1 + its selection; the list inside it
// (`nodes`) carries the multiplication. Nested lists multiply (each list level of a type counts too).
// Introspection fields count like any other. Fragments are followed; a fragment spread twice in one
// selection set counts once (graphql-js merges them), @skip/@include are ignored (an upper bound).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  GraphQLError,
  Kind,
  Lexer,
  SchemaMetaFieldDef,
  Source,
  TokenKind,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getNamedType,
  getNullableType,
  getOperationAST,
  isInterfaceType,
  isListType,
  isObjectType,
  parse,
  print,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLFormattedError,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { isRole, type Role } from '../lib/auth/identity.ts';
import { OPERATIONS_DIR } from '../lib/operations.ts';

export interface LimitConfig {
  /** Longest path of nested fields (`{ unit { code } }` is 2); fragments followed, introspection included. */
  maxDepth: number;
  /** Aliased fields per operation. */
  maxAliases: number;
  /** Top-level fields of the operation, through fragments. */
  maxRootFields: number;
  /** graphql-js parse option maxTokens. */
  maxTokens: number;
  /** See the cost model at the top of this file. */
  maxCost: number;
  /** UTF-8 length of the variables as JSON. */
  maxVariablesBytes: number;
  /** Request body, for express.json({ limit }). */
  maxBodyBytes: number;
  /** __schema and __type allowed: true only in development. */
  introspection: boolean;
  /** Roles that may send only trusted documents (the named operations under schema/operations). */
  trustedDocumentRoles: Role[];
  /** Requests per subject per minute. */
  ratePerMinute: number;
}

export const DEFAULT_LIMITS: Readonly<LimitConfig> = Object.freeze({
  // The named operations are at most 6 deep, with at most 2 aliases and 3 top-level fields (UnitProfile).
  maxDepth: 12,
  maxAliases: 30,
  maxRootFields: 12,
  // The longest named operation document (LeadSweep.graphql, 13 operations) has 878 tokens.
  maxTokens: 4000,
  // Raised from 200 000: real operations cost more by this model. The lead sweep's page of unreported
  // staff (first: 1000; per unit its people and per person their evidence, plain lists at 50 × 50)
  // costs 5 204 006; UnreportedStaff costs 805 910 with its default page of 100 and 8 059 010 with the
  // largest page the subgraphs serve (lib/paging.ts MAX_PAGE = 1000). Every other named operation costs
  // at most 41 615 by default and 416 015 at 1000. Nested-list bombs still exceed this by far: three
  // plain lists under one page of 1000 estimate 125 000 000.
  maxCost: 10_000_000,
  maxVariablesBytes: 64 * 1024,
  maxBodyBytes: 256 * 1024,
  introspection: false,
  trustedDocumentRoles: ['DASHBOARD'],
  ratePerMinute: 600,
}) as Readonly<LimitConfig>;

export type LimitCode =
  | 'DEPTH_LIMIT_EXCEEDED'
  | 'ALIAS_LIMIT_EXCEEDED'
  | 'ROOT_FIELD_LIMIT_EXCEEDED'
  | 'TOKEN_LIMIT_EXCEEDED'
  | 'COST_LIMIT_EXCEEDED'
  | 'VARIABLES_TOO_LARGE'
  | 'BODY_TOO_LARGE'
  | 'INTROSPECTION_DISABLED'
  | 'TRUSTED_DOCUMENT_REQUIRED'
  | 'RATE_LIMITED';

const HTTP_STATUS: Partial<Record<LimitCode, number>> = { BODY_TOO_LARGE: 413, RATE_LIMITED: 429 };

/**
 * Limits from GATEWAY_MAX_DEPTH, GATEWAY_MAX_ALIASES, GATEWAY_MAX_ROOT_FIELDS, GATEWAY_MAX_TOKENS,
 * GATEWAY_MAX_COST, GATEWAY_MAX_VARIABLES_BYTES, GATEWAY_MAX_BODY_BYTES, GATEWAY_RATE_PER_MINUTE
 * (positive integers), GATEWAY_TRUSTED_DOCUMENT_ROLES (comma-separated roles, empty for none) and
 * GATEWAY_INTROSPECTION=true; unset ones take the defaults. A malformed value throws at startup.
 */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): LimitConfig {
  const int = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`${name} must be a positive integer, not "${raw}"`);
    return Number(raw);
  };
  const roles = (name: string, fallback: readonly Role[]): Role[] => {
    const raw = env[name];
    if (raw === undefined) return [...fallback];
    const list = raw.split(',').map((r) => r.trim()).filter(Boolean);
    const unknown = list.filter((r) => !isRole(r));
    if (unknown.length) throw new Error(`${name} names unknown roles: ${unknown.join(', ')}`);
    return list as Role[];
  };
  const d = DEFAULT_LIMITS;
  return {
    maxDepth: int('GATEWAY_MAX_DEPTH', d.maxDepth),
    maxAliases: int('GATEWAY_MAX_ALIASES', d.maxAliases),
    maxRootFields: int('GATEWAY_MAX_ROOT_FIELDS', d.maxRootFields),
    maxTokens: int('GATEWAY_MAX_TOKENS', d.maxTokens),
    maxCost: int('GATEWAY_MAX_COST', d.maxCost),
    maxVariablesBytes: int('GATEWAY_MAX_VARIABLES_BYTES', d.maxVariablesBytes),
    maxBodyBytes: int('GATEWAY_MAX_BODY_BYTES', d.maxBodyBytes),
    introspection: env.NODE_ENV === 'development' || env.GATEWAY_INTROSPECTION === 'true',
    trustedDocumentRoles: roles('GATEWAY_TRUSTED_DOCUMENT_ROLES', d.trustedDocumentRoles),
    ratePerMinute: int('GATEWAY_RATE_PER_MINUTE', d.ratePerMinute),
  };
}

/** A refusal: extensions.code is the code; HTTP 400, or 413 (BODY_TOO_LARGE), 429 (RATE_LIMITED). */
export function limitError(code: LimitCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, {
    extensions: { ...extra, code, http: { status: HTTP_STATUS[code] ?? 400 } },
  });
}

/**
 * parse() with graphql-js's maxTokens: too many tokens → TOKEN_LIMIT_EXCEEDED with the document's token
 * count; any other syntax error is thrown unchanged.
 */
export function parseWithTokenLimit(source: string, maxTokens: number): DocumentNode {
  try {
    return parse(source, { maxTokens });
  } catch (error) {
    if (!(error instanceof GraphQLError) || !/Document contains more th(?:an|at) \d+ tokens/.test(error.message)) throw error;
    const tokens = countTokens(source);
    const measured = tokens === null ? `more than ${maxTokens}` : String(tokens);
    throw limitError('TOKEN_LIMIT_EXCEEDED', `the document has ${measured} tokens, more than the limit of ${maxTokens}`, {
      limit: maxTokens,
      ...(tokens === null ? {} : { measured: tokens }),
    });
  }
}

/** Tokens as parse() counts them (comments and EOF excluded); null when the text does not lex. */
function countTokens(source: string): number | null {
  try {
    const lexer = new Lexer(new Source(source));
    let count = 0;
    while (lexer.advance().kind !== TokenKind.EOF) count++;
    return count;
  } catch {
    return null;
  }
}

/** graphql-js's ' Did you mean "x"?' hints (field, type, argument and enum value suggestions) removed. */
export function withoutSuggestions(error: GraphQLFormattedError): GraphQLFormattedError {
  return { ...error, message: error.message.replace(/ Did you mean [^?]*\?/g, '') };
}

/** What a walk over an operation measures. */
interface Measure {
  depth: number;
  aliases: number;
  cost: number;
  /** The first __schema or __type field met, if any. */
  introspection: string | null;
}

const NONE: Measure = { depth: 0, aliases: 0, cost: 0, introspection: null };

const LIST_SIZE = 50;
const FIRST_SIZE = 100;

/** Walks one operation, following fragments; a fragment's measure is computed once per `first` context. */
class OperationWalk {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly memo = new Map<string, Measure>();
  private readonly expanding = new Set<string>();

  constructor(
    document: DocumentNode,
    private readonly schema: GraphQLSchema,
    private readonly operation: OperationDefinitionNode,
    private readonly variables: Record<string, unknown>,
  ) {
    for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(def.name.value, def);
  }

  private rootType(): GraphQLNamedType | undefined {
    return this.schema.getRootType(this.operation.operation) ?? undefined;
  }

  measure(): Measure {
    return this.selectionSet(this.operation.selectionSet, this.rootType(), null);
  }

  /** The operation's top-level fields, through fragments (a fragment spread twice counts once). */
  rootFields(set: SelectionSetNode = this.operation.selectionSet, seen = new Set<string>()): number {
    let count = 0;
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) count++;
      else if (sel.kind === Kind.INLINE_FRAGMENT) count += this.rootFields(sel.selectionSet, seen);
      else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        const fragment = this.fragments.get(sel.name.value);
        if (fragment) count += this.rootFields(fragment.selectionSet, seen);
      }
    }
    return count;
  }

  /** parentFirst: the `first` of the field owning this selection set, for its `nodes`. */
  private selectionSet(set: SelectionSetNode, parentType: GraphQLNamedType | undefined, parentFirst: number | null, seen = new Set<string>()): Measure {
    let total = NONE;
    for (const sel of set.selections) {
      let part: Measure;
      if (sel.kind === Kind.FIELD) part = this.field(sel, parentType, parentFirst);
      else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const type = sel.typeCondition ? this.schema.getType(sel.typeCondition.name.value) : parentType;
        part = this.selectionSet(sel.selectionSet, type, parentFirst, seen);
      } else {
        const name = sel.name.value;
        if (seen.has(name)) continue;
        seen.add(name);
        part = this.fragment(name, parentFirst);
      }
      total = {
        depth: Math.max(total.depth, part.depth),
        aliases: total.aliases + part.aliases,
        cost: total.cost + part.cost,
        introspection: total.introspection ?? part.introspection,
      };
    }
    return total;
  }

  private fragment(name: string, parentFirst: number | null): Measure {
    const fragment = this.fragments.get(name);
    // Unknown fragments and cycles are validation errors, reported when the operation is validated.
    if (!fragment || this.expanding.has(name)) return NONE;
    const key = `${name}\u0000${parentFirst ?? ''}`;
    let measure = this.memo.get(key);
    if (!measure) {
      this.expanding.add(name);
      measure = this.selectionSet(fragment.selectionSet, this.schema.getType(fragment.typeCondition.name.value), parentFirst);
      this.expanding.delete(name);
      this.memo.set(key, measure);
    }
    return measure;
  }

  private field(node: FieldNode, parentType: GraphQLNamedType | undefined, parentFirst: number | null): Measure {
    const name = node.name.value;
    const def = fieldDef(this.schema, parentType, name);
    const first = def?.args.some((a) => a.name === 'first') ? this.firstArgument(node, def) : null;
    const sub = node.selectionSet ? this.selectionSet(node.selectionSet, def && getNamedType(def.type), first) : NONE;
    const size = def ? listSize(def.type, first ?? (name === 'nodes' ? parentFirst : null)) : 1;
    return {
      depth: 1 + sub.depth,
      aliases: (node.alias ? 1 : 0) + sub.aliases,
      cost: 1 + (size === 0 || sub.cost === 0 ? 0 : size * sub.cost), // first: 0 asks nothing, even of an unbounded list
      introspection: name === '__schema' || name === '__type' ? name : sub.introspection,
    };
  }

  /** The field's `first`: literal, variable (value, else its default), else the schema's default, else 100. */
  private firstArgument(node: FieldNode, def: GraphQLField<unknown, unknown>): number {
    const arg = node.arguments?.find((a) => a.name.value === 'first');
    let value: unknown;
    if (arg) value = this.valueOf(arg.value);
    if (typeof value !== 'number') value = def.args.find((a) => a.name === 'first')?.defaultValue;
    return typeof value === 'number' && !Number.isNaN(value) ? Math.max(0, Math.floor(value)) : FIRST_SIZE;
  }

  private valueOf(value: ValueNode): unknown {
    if (value.kind === Kind.INT || value.kind === Kind.FLOAT) return Number(value.value);
    if (value.kind !== Kind.VARIABLE) return undefined;
    const name = value.name.value;
    if (this.variables[name] !== undefined && this.variables[name] !== null) return this.variables[name];
    const declared = this.operation.variableDefinitions?.find((v) => v.variable.name.value === name)?.defaultValue;
    return declared ? this.valueOf(declared) : undefined;
  }
}

function fieldDef(schema: GraphQLSchema, parentType: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === '__typename') return TypeNameMetaFieldDef;
  if (parentType && parentType === schema.getQueryType()) {
    if (name === '__schema') return SchemaMetaFieldDef;
    if (name === '__type') return TypeMetaFieldDef;
  }
  return parentType && (isObjectType(parentType) || isInterfaceType(parentType)) ? parentType.getFields()[name] : undefined;
}

/** How many items a field of this type is estimated to return; `first` sizes its outer list. */
function listSize(type: GraphQLOutputType, first: number | null): number {
  let size = 1;
  let outer = true;
  for (let t = getNullableType(type); isListType(t); t = getNullableType(t.ofType)) {
    size *= outer && first !== null ? first : LIST_SIZE;
    outer = false;
  }
  return size;
}

function selectOperation(document: DocumentNode, operationName: string | null | undefined, schema: GraphQLSchema, variables: Record<string, unknown> | undefined): OperationWalk | null {
  const operation = getOperationAST(document, operationName);
  return operation ? new OperationWalk(document, schema, operation, variables ?? {}) : null;
}

/** The operation's cost by the model at the top of this file; 0 when the document names no such operation. */
export function estimateCost(
  document: DocumentNode,
  operationName: string | null | undefined,
  schema: GraphQLSchema,
  variables?: Record<string, unknown>,
): number {
  return selectOperation(document, operationName, schema, variables)?.measure().cost ?? 0;
}

/**
 * Checks a parsed operation against the API schema; returns the first refusal or null. A document in which
 * operationName picks no operation passes: graphql-js refuses it itself.
 */
export function checkOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
  schema: GraphQLSchema,
  variables: Record<string, unknown> | undefined,
  config: LimitConfig,
): GraphQLError | null {
  const variablesBytes = Buffer.byteLength(JSON.stringify(variables ?? {}), 'utf8');
  if (variablesBytes > config.maxVariablesBytes) {
    return limitError('VARIABLES_TOO_LARGE', `variables are ${variablesBytes} bytes of JSON, more than the limit of ${config.maxVariablesBytes}`, {
      limit: config.maxVariablesBytes,
      measured: variablesBytes,
    });
  }
  const walk = selectOperation(document, operationName, schema, variables);
  if (!walk) return null;
  const rootFields = walk.rootFields();
  if (rootFields > config.maxRootFields) {
    return limitError('ROOT_FIELD_LIMIT_EXCEEDED', `the operation has ${rootFields} top-level fields, more than the limit of ${config.maxRootFields}`, {
      limit: config.maxRootFields,
      measured: rootFields,
    });
  }
  const { depth, aliases, cost, introspection } = walk.measure();
  if (introspection && !config.introspection) {
    return limitError('INTROSPECTION_DISABLED', `introspection (${introspection}) is disabled on this gateway`);
  }
  if (aliases > config.maxAliases) {
    return limitError('ALIAS_LIMIT_EXCEEDED', `the operation has ${aliases} aliases, more than the limit of ${config.maxAliases}`, {
      limit: config.maxAliases,
      measured: aliases,
    });
  }
  if (depth > config.maxDepth) {
    return limitError('DEPTH_LIMIT_EXCEEDED', `query depth ${depth} exceeds the limit of ${config.maxDepth}`, { limit: config.maxDepth, measured: depth });
  }
  if (cost > config.maxCost) {
    return limitError('COST_LIMIT_EXCEEDED', `query cost ${cost} exceeds the limit of ${config.maxCost}`, { limit: config.maxCost, measured: cost });
  }
  return null;
}

/**
 * The named operations under schema/operations as trusted documents: each file is one document (a file
 * may hold several operations, as LeadSweep.graphql does). A query is trusted when its text, normalised
 * by print(parse()) (whitespace, commas and comments do not matter), equals one file's normalised text.
 */
export class TrustedDocuments {
  /** Normalised text → document (file) name. */
  private readonly documents = new Map<string, string>();
  /** No trusted document has more tokens: a longer query is not parsed at all. */
  private readonly maxTokens: number;

  constructor(documents: Record<string, string>) {
    let maxTokens = 0;
    for (const [name, text] of Object.entries(documents)) {
      this.documents.set(print(parse(text)), name);
      maxTokens = Math.max(maxTokens, countTokens(text) ?? 0);
    }
    this.maxTokens = maxTokens;
  }

  static fromOperationsDir(dir: string = OPERATIONS_DIR): TrustedDocuments {
    const files = readdirSync(dir).filter((f) => f.endsWith('.graphql'));
    return new TrustedDocuments(Object.fromEntries(files.map((f) => [f.slice(0, -'.graphql'.length), readFileSync(join(dir, f), 'utf8')])));
  }

  isTrusted(query: string): boolean {
    let normalised: string;
    try {
      normalised = print(parse(query, { maxTokens: this.maxTokens, noLocation: true }));
    } catch {
      return false;
    }
    return this.documents.has(normalised);
  }

  /** The trusted operations that do not validate against a schema (a new supergraph), each with the first reason. */
  invalidUnder(schema: GraphQLSchema): string[] {
    const problems: string[] = [];
    for (const [text, name] of this.documents) {
      const errors = validate(schema, parse(text));
      if (errors.length) problems.push(`trusted operation ${name} does not validate: ${errors[0]!.message}`);
    }
    return problems;
  }

  /** The trusted documents' names (the file names without .graphql), sorted. */
  names(): string[] {
    return [...this.documents.values()].sort();
  }
}

export type RateVerdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Counts requests per subject: RateLimiter in this process, or one shared by replicas (gateway/shared-state.ts). */
export interface SubjectRateLimiter {
  take(subject: string): RateVerdict | Promise<RateVerdict>;
}

/**
 * Requests per subject in fixed one-minute windows, each starting at the subject's first request after
 * the last one ended (rate-limiter-flexible's memory limiter counts the same way, but only through
 * promises; this check sits in a synchronous path). Windows that ended are dropped once a minute.
 */
export class RateLimiter implements SubjectRateLimiter {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();
  private nextSweep = 0;

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(subject: string): RateVerdict {
    const now = this.now();
    if (now >= this.nextSweep) {
      for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
      this.nextSweep = now + 60_000;
    }
    let window = this.windows.get(subject);
    if (!window || window.endsAt <= now) {
      window = { count: 0, endsAt: now + 60_000 };
      this.windows.set(subject, window);
    }
    if (window.count >= this.perMinute) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((window.endsAt - now) / 1000)) };
    window.count++;
    return { ok: true };
  }
}
