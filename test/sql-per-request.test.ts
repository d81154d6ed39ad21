// No N+1 anywhere: for every entity type a bureau resolves (Unit, Person, ServiceContract, RegistryRecord,
// and DistrictMonth and DistrictYear, whose rows the bureaus hand each other), each subgraph runs the same
// number of SQL statements for an _entities request of a few entities as for one of many, selecting all
// of its own fields two levels deep (read from its schema, so a field added later is covered too). The
// keys richest in records come first, so that the small batch already reaches every relation. The
// subgraphs' caches are off so that every statement is counted.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { identityOf } from '../lib/auth/identity.ts';
import { getNamedType, isEnumType, isNonNullType, isObjectType, isScalarType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { generate, type GeneratedData } from '../scripts/seed/generate.ts';
import { SUBGRAPH_NAMES, type SubgraphName } from '../lib/subgraph.ts';
import { startTestFederation, type TestFederation } from './support/federation.ts';

let data: GeneratedData;
let fed: TestFederation;
let month: string;
let year: number;

beforeAll(async () => {
  data = generate({ seed: 11, units: 100, people: 1500 });
  month = data.manifest.month;
  year = Number(month.slice(0, 4));
  fed = await startTestFederation(data);
  for (const name of SUBGRAPH_NAMES) fed.subgraphs[name].cache.enabled = false;
});
afterAll(async () => {
  await fed?.stop();
});

/** Values for arguments by name; a field with a required argument not named here is left out. */
const argValue = (name: string): string | undefined =>
  ({ month: `"${month}"`, activeIn: `"${month}"`, year: String(year), first: '50' })[name];

/** How often a value occurs in the generated rows of every bureau: the richest keys first reach every relation. */
function byRichness(keys: readonly string[]): string[] {
  const count = new Map(keys.map((k) => [k, 0]));
  for (const bureau of SUBGRAPH_NAMES) {
    for (const table of Object.values(data[bureau])) {
      for (const row of table!.rows) for (const cell of row) if (typeof cell === 'string' && count.has(cell)) count.set(cell, count.get(cell)! + 1);
    }
  }
  return [...keys].sort((a, b) => count.get(b)! - count.get(a)! || (a < b ? -1 : 1));
}

/** Keys of each entity type in the generated data, richest first. */
function entityKeys(): Record<string, { field: string; values: string[] }> {
  const column = (bureau: SubgraphName, table: string, name: string) => {
    const t = data[bureau][table]!;
    const at = t.columns.indexOf(name);
    return [...new Set(t.rows.map((r) => String(r[at])))];
  };
  return {
    Unit: { field: 'code', values: byRichness(column('staffing', 'unit', 'code')) },
    Person: { field: 'idNumber', values: byRichness(column('staffing', 'registry_record', 'id_number')) },
    ServiceContract: { field: 'number', values: byRichness(column('finance', 'service_contract', 'number')) },
    RegistryRecord: { field: 'id', values: column('staffing', 'registry_record', 'id') },
  };
}

/** A subgraph's own fields of a type (not @external, not @requires), its own objects followed two levels down. */
function ownSelection(schema: GraphQLSchema, type: GraphQLObjectType, depth = 2, path: readonly string[] = [type.name]): string {
  const parts: string[] = [];
  for (const field of Object.values(type.getFields())) {
    if (field.astNode?.directives?.some((d) => ['requires', 'external'].includes(d.name.value))) continue;
    const args: string[] = [];
    let skip = false;
    for (const arg of field.args) {
      const value = argValue(arg.name);
      if (value !== undefined) args.push(`${arg.name}: ${value}`);
      else if (isNonNullType(arg.type) && arg.defaultValue === undefined) skip = true;
    }
    if (skip || field.name.startsWith('_')) continue;
    const named = getNamedType(field.type);
    const head = `${field.name}${args.length ? `(${args.join(', ')})` : ''}`;
    if (isScalarType(named) || isEnumType(named)) parts.push(head);
    else if (isObjectType(named) && depth > 0 && !path.includes(named.name)) {
      const inner = ownSelection(schema, named, depth - 1, [...path, named.name]);
      if (inner) parts.push(`${head} { ${inner} }`);
    }
  }
  return parts.join(' ');
}

describe('SQL statements per subgraph request, as the batch grows', () => {
  it('are the same for 20 entities as for 80, for every entity type every bureau resolves (_entities as the gateway sends them)', async () => {
    const keys = entityKeys();
    let checked = 0;
    for (const name of SUBGRAPH_NAMES) {
      const subgraph = fed.subgraphs[name];
      const server = new ApolloServer({ schema: subgraph.schema });
      await server.start();
      try {
        for (const [typeName, { field, values }] of Object.entries(keys)) {
          const type = subgraph.schema.getType(typeName);
          if (!isObjectType(type) || !type.astNode?.directives?.some((d) => d.name.value === 'key')) continue;
          if (type.astNode.directives.some((d) => d.name.value === 'key' && d.arguments?.some((a) => a.name.value === 'resolvable' && a.value.kind === 'BooleanValue' && !a.value.value))) continue;
          const inner = ownSelection(subgraph.schema, type);
          const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${typeName} { ${inner} } } }`;
          const count = async (n: number) => {
            const before = subgraph.sqlStatements();
            const representations = values.slice(0, n).map((v) => ({ __typename: typeName, [field]: v }));
            const res = await server.executeOperation({ query, variables: { r: representations } }, { contextValue: subgraph.createContext(identityOf('test:auditor', 'AUDITOR')) });
            expect(res.body.kind === 'single' && res.body.singleResult.errors).toBeFalsy();
            return subgraph.sqlStatements() - before;
          };
          const few = await count(20);
          const many = await count(80);
          // One N+1 would add at least 60 statements here. A loader that two parents reach at different
          // moments (their own statements answer in either order) may batch once or twice: a statement or two.
          expect({ name, typeName, within2: Math.abs(many - few) <= 2 }).toEqual({ name, typeName, within2: true });
          expect(few).toBeGreaterThan(0);
          checked++;
        }
      } finally {
        await server.stop();
      }
    }
    // Unit and Person in all four bureaus, ServiceContract in finance, RegistryRecord in staffing.
    expect(checked).toBe(10);
  });

  it("are the same for one period as for several, for every bureau's rows of DistrictMonth and DistrictYear", async () => {
    const months = ['2026-07', '2026-08', '2026-09', month];
    for (const name of SUBGRAPH_NAMES) {
      const subgraph = fed.subgraphs[name];
      const server = new ApolloServer({ schema: subgraph.schema });
      await server.start();
      try {
        for (const [typeName, key, periods] of [
          ['DistrictMonth', 'month', months],
          ['DistrictYear', 'year', [year - 3, year - 2, year - 1, year]],
        ] as const) {
          const type = subgraph.schema.getType(typeName) as GraphQLObjectType | undefined;
          // The rows a bureau hands the others: its own fields that need nothing from another bureau.
          const own = type
            ? Object.values(type.getFields()).filter((f) => !f.astNode?.directives?.some((d) => ['requires', 'external'].includes(d.name.value)) && f.args.length === 0)
            : [];
          const rows = own.filter((f) => !['district', 'month', 'year', 'scope'].includes(f.name));
          if (rows.length === 0) continue;
          const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${typeName} { ${rows.map((f) => f.name).join(' ')} } } }`;
          const count = async (n: number, scope: string) => {
            const before = subgraph.sqlStatements();
            const representations = periods.slice(0, n).map((p) => ({ __typename: typeName, district: '330109', [key]: p, scope }));
            const res = await server.executeOperation({ query, variables: { r: representations } }, { contextValue: subgraph.createContext(identityOf('test:auditor', 'AUDITOR')) });
            expect(res.body.kind === 'single' && res.body.singleResult.errors).toBeFalsy();
            return subgraph.sqlStatements() - before;
          };
          const unit = data.manifest.unreportedStaff.units[0]!.code;
          for (const scope of ['', unit]) {
            const one = await count(1, scope);
            expect({ name, typeName, scope, statements: await count(4, scope) }).toEqual({ name, typeName, scope, statements: one });
            expect(one).toBeLessThanOrEqual(rows.length);
          }
        }
      } finally {
        await server.stop();
      }
    }
  });
});
