// The gateway's request limits, at unit level: parsed documents against the API schema, no HTTP.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { GraphQLError, Kind, getIntrospectionQuery, parse, validate, type GraphQLSchema } from 'graphql';
import federationInternals from '@apollo/federation-internals';
import { SUPERGRAPH_PATH } from '../lib/supergraph.ts';
import { OPERATIONS_DIR, operationNames, readOperation } from '../lib/operations.ts';
import { MAX_PAGE } from '../lib/paging.ts';
import {
  DEFAULT_LIMITS,
  RateLimiter,
  TrustedDocuments,
  checkOperation,
  estimateCost,
  limitError,
  limitsFromEnv,
  parseWithTokenLimit,
  withoutSuggestions,
  type LimitConfig,
} from '../gateway/limits.ts';

// CommonJS package: its named exports are not visible to ESM.
const { Supergraph } = federationInternals;

// Only the API schema's shape matters here; which supergraph features the gateway accepts is its own test.
const api: GraphQLSchema = Supergraph.build(readFileSync(SUPERGRAPH_PATH, 'utf8'), { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
const limits: LimitConfig = { ...DEFAULT_LIMITS, trustedDocumentRoles: [...DEFAULT_LIMITS.trustedDocumentRoles] };

function check(query: string, variables?: Record<string, unknown>, config: LimitConfig = limits, operationName?: string) {
  const document = parse(query);
  expect(validate(api, document).map((e) => e.message)).toEqual([]); // the bombs are valid queries: only the limits stop them
  return checkOperation(document, operationName, api, variables, config);
}

function refusal(error: GraphQLError | null) {
  return error && { code: error.extensions.code, message: error.message, status: (error.extensions.http as { status: number }).status };
}

describe('checkOperation', () => {
  it('refuses a depth bomb, naming the depth and the limit', () => {
    const nest = (n: number): string => (n === 0 ? 'code' : `supervisingUnit { ${nest(n - 1)} }`);
    expect(check(`{ unit(code: "x") { ${nest(10)} } }`)).toBeNull(); // depth 12
    expect(refusal(check(`{ unit(code: "x") { ${nest(13)} } }`))).toEqual({
      code: 'DEPTH_LIMIT_EXCEEDED',
      message: 'query depth 15 exceeds the limit of 12',
      status: 400,
    });
  });

  it('follows fragments when measuring depth', () => {
    const query = `
      query { unit(code: "x") { ...A } }
      fragment A on Unit { supervisingUnit { ...B } }
      fragment B on Unit { supervisingUnit { ...C } }
      fragment C on Unit { supervisingUnit { supervisingUnit { supervisingUnit { supervisingUnit { ...D } } } } }
      fragment D on Unit { supervisingUnit { supervisingUnit { supervisingUnit { supervisingUnit { supervisingUnit { code } } } } } }`;
    expect(refusal(check(query))?.message).toBe('query depth 13 exceeds the limit of 12');
  });

  it('refuses an alias bomb', () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: name`).join(' ');
    expect(refusal(check(`{ unit(code: "x") { ${aliases} } }`))).toEqual({
      code: 'ALIAS_LIMIT_EXCEEDED',
      message: 'the operation has 40 aliases, more than the limit of 30',
      status: 400,
    });
    expect(check(`{ unit(code: "x") { ${aliases.split(' ').slice(0, 30).join(' ')} } }`)).toBeNull();
  });

  it('counts aliases in fragments each time the fragment is used', () => {
    const query = `
      query { a: unit(code: "a") { ...F } b: unit(code: "b") { ...F } c: unit(code: "c") { ...F } }
      fragment F on Unit { ${Array.from({ length: 10 }, (_, i) => `n${i}: name`).join(' ')} }`;
    expect(refusal(check(query))?.message).toBe('the operation has 33 aliases, more than the limit of 30');
  });

  it('refuses too many top-level fields, through fragments', () => {
    const roots = (n: number) => Array.from({ length: n }, (_, i) => `u${i}: unit(code: "${i}") { code }`);
    expect(check(`{ ${roots(12).join(' ')} }`)).toBeNull();
    const query = `query { ${roots(8).join(' ')} ...More } fragment More on Query { ${roots(13).slice(8).join(' ')} }`;
    expect(refusal(check(query))).toEqual({
      code: 'ROOT_FIELD_LIMIT_EXCEEDED',
      message: 'the operation has 13 top-level fields, more than the limit of 12',
      status: 400,
    });
  });

  it('refuses a cost bomb of nested lists', () => {
    const query = `query($first: Int) {
      units(first: 1000) { nodes { registry { person { contracts { unit { registry { id } } } } } } }
      leads(first: $first) { nodes { id } }
    }`;
    const error = check(query, { first: 1000 });
    expect(error?.extensions.code).toBe('COST_LIMIT_EXCEEDED');
    expect(error?.message).toMatch(/^query cost \d+ exceeds the limit of 10000000$/);
    expect(error?.extensions.measured).toBeGreaterThan(100_000_000);
  });

  it('estimates cost by the documented model', () => {
    const cost = (query: string, variables?: Record<string, unknown>) => estimateCost(parse(query), undefined, api, variables);
    expect(cost('{ unit(code: "x") { code name } }')).toBe(3);
    expect(cost('{ unit(code: "x") { registry { id name } } }')).toBe(1 + 1 + 50 * 2); // plain list: 50
    expect(cost('{ units(first: 10) { totalCount nodes { code } } }')).toBe(1 + 1 + (1 + 10 * 1)); // nodes: the parent's first
    expect(cost('{ units { nodes { code } } }')).toBe(1 + 1 + 50); // first's schema default (50)
    expect(cost('query($n: Int) { units(first: $n) { nodes { code } } }', { n: 7 })).toBe(1 + 1 + 7);
    expect(cost('query($n: Int = 3) { units(first: $n) { nodes { code } } }')).toBe(1 + 1 + 3); // the variable's default
    expect(cost('{ units(first: 2) { nodes { registry { id } } } }')).toBe(1 + 1 + 2 * (1 + 50 * 1)); // nested lists multiply
    expect(cost('query { units(first: 2) { ...N } } fragment N on UnitConnection { nodes { code } }')).toBe(1 + 1 + 2);
    expect(cost('{ __typename }')).toBe(1);
  });

  it('refuses oversized variables', () => {
    const query = 'query($code: String!) { unit(code: $code) { code } }';
    expect(check(query, { code: 'x'.repeat(1000) })).toBeNull();
    const error = check(query, { code: 'x'.repeat(70_000) });
    expect(refusal(error)).toEqual({
      code: 'VARIABLES_TOO_LARGE',
      message: 'variables are 70011 bytes of JSON, more than the limit of 65536',
      status: 400,
    });
  });

  it('refuses introspection when off and allows it when on', () => {
    const small = '{ __schema { queryType { name } types { name kind } } }';
    const type = '{ __type(name: "Unit") { name fields { name type { name kind ofType { name } } } } }';
    for (const query of [small, type]) {
      expect(refusal(check(query))).toEqual({
        code: 'INTROSPECTION_DISABLED',
        message: `introspection (${query.includes('__schema') ? '__schema' : '__type'}) is disabled on this gateway`,
        status: 400,
      });
      expect(check(query, undefined, { ...limits, introspection: true })).toBeNull();
    }
    // Hidden in a fragment, too.
    expect(check('query { ...I } fragment I on Query { __schema { queryType { name } } }')?.extensions.code).toBe('INTROSPECTION_DISABLED');
    expect(check('{ __typename unit(code: "x") { __typename code } }')).toBeNull();
  });

  it('counts the introspection subtree like any other: the full introspection query is 15 deep', () => {
    // graphql-js's getIntrospectionQuery (what GraphiQL-like tools send) nests TypeRef's ofType deeply.
    const full = check(getIntrospectionQuery(), undefined, { ...limits, introspection: true });
    expect(refusal(full)?.message).toBe('query depth 15 exceeds the limit of 12');
    expect(check(getIntrospectionQuery(), undefined, { ...limits, introspection: true, maxDepth: 15 })).toBeNull();
  });

  it('checks the operation that operationName picks', () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: name`).join(' ');
    const query = `query Small { unit(code: "x") { code } } query Big { unit(code: "x") { ${aliases} } }`;
    expect(check(query, undefined, limits, 'Small')).toBeNull();
    expect(check(query, undefined, limits, 'Big')?.extensions.code).toBe('ALIAS_LIMIT_EXCEEDED');
  });

  it('survives fragment bombs and cycles without expanding them', () => {
    // Each fragment uses the previous one twice: 2^40 fields when expanded.
    const fragments = Array.from({ length: 40 }, (_, i) =>
      i === 0 ? 'fragment F0 on Unit { code }' : `fragment F${i} on Unit { ...F${i - 1} supervisingUnit { ...F${i - 1} } }`,
    );
    const document = parse(`{ unit(code: "x") { ...F39 } } ${fragments.join(' ')}`);
    const started = Date.now();
    expect(checkOperation(document, undefined, api, {}, limits)?.extensions.code).toBe('DEPTH_LIMIT_EXCEEDED');
    expect(Date.now() - started).toBeLessThan(1000);
    // A cycle is a validation error; the check itself must still terminate.
    const cycle = parse('{ unit(code: "x") { ...A } } fragment A on Unit { supervisingUnit { ...B } } fragment B on Unit { ...A }');
    expect(checkOperation(cycle, undefined, api, {}, limits)).toBeNull();
  });
});

describe('the named operations under schema/operations', () => {
  const variables = {
    month: '2025-06',
    year: 2025,
    district: '330109',
    code: '12330109MB0000001X',
    unit: '12330109MB0000001X',
    filter: { category: 'FUNDED_INSTITUTION', town: '330109001' },
    ageLimit: 65,
    after: null,
  };

  const operations = operationNames().flatMap((file) => {
    const document = parse(readOperation(file));
    return document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [{ file, name: d.name.value, document }] : []));
  });

  it('are all found (LeadSweep.graphql holds one operation per rule)', () => {
    expect(operations.length).toBeGreaterThan(operationNames().length);
  });

  it.each([
    ['their default page', {}],
    ['the largest page the subgraphs serve', { first: MAX_PAGE }],
  ])('pass every limit with realistic variables and %s', (_label, paging) => {
    const refused = operations
      .map(({ file, name, document }) => ({ file, name, error: checkOperation(document, name, api, { ...variables, ...paging }, limits)?.message }))
      .filter((o) => o.error);
    expect(refused).toEqual([]);
  });

  it('parse within the token limit, and cost what DEFAULT_LIMITS documents', () => {
    for (const file of operationNames()) expect(() => parseWithTokenLimit(readOperation(file), limits.maxTokens)).not.toThrow();
    const costs = Object.fromEntries(operations.map(({ name, document }) => [name, estimateCost(document, name, api, variables)]));
    expect(costs.SweepUnreportedStaff).toBe(5_204_006);
    expect(costs.UnreportedStaff).toBe(805_910);
    expect(estimateCost(parse(readOperation('UnreportedStaff')), 'UnreportedStaff', api, { first: MAX_PAGE })).toBe(8_059_010);
    const others = Object.entries(costs).filter(([name]) => !/UnreportedStaff/.test(name));
    expect(Math.max(...others.map(([, cost]) => cost))).toBe(41_615);
  });
});

describe('parseWithTokenLimit', () => {
  it('refuses a token bomb with TOKEN_LIMIT_EXCEEDED and the token count', () => {
    const bomb = `{ unit(code: "x") { ${'__typename '.repeat(5000)} } }`;
    let thrown: unknown;
    try {
      parseWithTokenLimit(bomb, 4000);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GraphQLError);
    expect(refusal(thrown as GraphQLError)).toEqual({
      code: 'TOKEN_LIMIT_EXCEEDED',
      message: 'the document has 5010 tokens, more than the limit of 4000',
      status: 400,
    });
  });

  it('passes other syntax errors through unchanged and parses good documents', () => {
    expect(() => parseWithTokenLimit('{ unit(code: "x") { code }', 4000)).toThrow(/^Syntax Error: Expected Name, found <EOF>\.$/);
    expect(() => parseWithTokenLimit('{ unit(', 4000)).toThrow(expect.objectContaining({ extensions: {} }) as never);
    expect(parseWithTokenLimit('{ unit(code: "x") { code } }', 4000).kind).toBe(Kind.DOCUMENT);
  });
});

describe('TrustedDocuments', () => {
  const trusted = TrustedDocuments.fromOperationsDir();

  it('names each operation file as one document', () => {
    expect(trusted.names()).toEqual(operationNames());
    expect(TrustedDocuments.fromOperationsDir(OPERATIONS_DIR).names()).toContain('LeadSweep');
  });

  it('accepts each file as written, and with other whitespace and comments', () => {
    for (const name of operationNames()) {
      const text = readOperation(name);
      expect([name, trusted.isTrusted(text)]).toEqual([name, true]);
      const reformatted = `# sent by the dashboard\n${text.replace(/#[^\n]*/g, '').replace(/\s+/g, '  ').replace(/\{/g, '{\n\t,')}`;
      expect([name, trusted.isTrusted(reformatted)]).toEqual([name, true]);
    }
  });

  it('refuses a modified document, one operation taken out of a file, and garbage', () => {
    const profile = readOperation('UnitProfile');
    expect(trusted.isTrusted(profile.replace('    code\n    name\n', '    code\n    name\n    payroll(month: $month) { grossPay }\n'))).toBe(false);
    expect(trusted.isTrusted(profile.replace('recruitments {', 'recruitments(first: 1) {'))).toBe(false);
    const sweep = readOperation('LeadSweep');
    expect(trusted.isTrusted(sweep.slice(0, sweep.indexOf('query SweepGhostRecords')))).toBe(false);
    expect(trusted.isTrusted('{ __typename }')).toBe(false);
    expect(trusted.isTrusted('{ unit(')).toBe(false);
    expect(trusted.isTrusted(`${'{ a '.repeat(5000)}`)).toBe(false);
  });
});

describe('RateLimiter', () => {
  it('refuses the (n+1)th request in a minute with a positive retryAfterSeconds, per subject', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(3, () => now);
    for (let i = 0; i < 3; i++) expect(limiter.take('alice')).toEqual({ ok: true });
    now += 20_000;
    expect(limiter.take('alice')).toEqual({ ok: false, retryAfterSeconds: 40 });
    expect(limiter.take('bob')).toEqual({ ok: true }); // subjects are kept apart
    now += 40_000; // alice's minute is over
    expect(limiter.take('alice')).toEqual({ ok: true });
    expect(limiter.take('bob')).toEqual({ ok: true });
  });

  it('works on the real clock', () => {
    const limiter = new RateLimiter(600);
    for (let i = 0; i < 600; i++) expect(limiter.take('dashboard').ok).toBe(true);
    const refused = limiter.take('dashboard');
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(limiter.take('auditor').ok).toBe(true);
  });
});

describe('withoutSuggestions', () => {
  it('strips graphql-js "Did you mean" hints and keeps the rest of the error', () => {
    const errors = validate(api, parse('{ unit(code: "x") { nam } units(filter: { categroy: EDUCATION }) { totalCount } }'));
    const messages = errors.map((e) => e.message);
    expect(messages.some((m) => m.includes('Did you mean'))).toBe(true);
    const stripped = errors.map((e) => withoutSuggestions(e.toJSON()));
    expect(stripped.map((e) => e.message)).toEqual([
      'Cannot query field "nam" on type "Unit".',
      'Field "categroy" is not defined by type "UnitFilter".',
    ]);
    expect(stripped[0]?.locations).toEqual(errors[0]?.toJSON().locations);
    expect(withoutSuggestions({ message: 'Value "X" does not exist in "Sex" enum. Did you mean the enum value "MALE" or "FEMALE"?' }).message).toBe(
      'Value "X" does not exist in "Sex" enum.',
    );
  });
});

describe('limitsFromEnv and limitError', () => {
  it('reads the environment, with the defaults for what is unset', () => {
    expect(limitsFromEnv({})).toEqual({ ...DEFAULT_LIMITS, introspection: false });
    expect(limitsFromEnv({ NODE_ENV: 'development' }).introspection).toBe(true);
    expect(limitsFromEnv({ GATEWAY_INTROSPECTION: 'true' }).introspection).toBe(true);
    expect(limitsFromEnv({ NODE_ENV: 'production', GATEWAY_INTROSPECTION: 'yes' }).introspection).toBe(false);
    const env = limitsFromEnv({ GATEWAY_MAX_DEPTH: '8', GATEWAY_MAX_COST: '5000', GATEWAY_TRUSTED_DOCUMENT_ROLES: 'DASHBOARD, ANALYST', GATEWAY_RATE_PER_MINUTE: '60' });
    expect(env).toMatchObject({ maxDepth: 8, maxCost: 5000, trustedDocumentRoles: ['DASHBOARD', 'ANALYST'], ratePerMinute: 60, maxAliases: 30 });
    expect(limitsFromEnv({ GATEWAY_TRUSTED_DOCUMENT_ROLES: '' }).trustedDocumentRoles).toEqual([]);
    expect(() => limitsFromEnv({ GATEWAY_MAX_DEPTH: 'twelve' })).toThrow('GATEWAY_MAX_DEPTH must be a positive integer, not "twelve"');
    expect(() => limitsFromEnv({ GATEWAY_TRUSTED_DOCUMENT_ROLES: 'DASHBOARD,ROOT' })).toThrow('unknown roles: ROOT');
  });

  it('sets the code and the HTTP status', () => {
    const status = (e: GraphQLError) => (e.extensions.http as { status: number }).status;
    expect(status(limitError('BODY_TOO_LARGE', 'too large'))).toBe(413);
    expect(status(limitError('RATE_LIMITED', 'slow down', { retryAfterSeconds: 5 }))).toBe(429);
    const trusted = limitError('TRUSTED_DOCUMENT_REQUIRED', 'only trusted documents', { code: 'OTHER' });
    expect(trusted.extensions).toEqual({ code: 'TRUSTED_DOCUMENT_REQUIRED', http: { status: 400 } });
  });
});
