// Schema first: the checked-in supergraph and resolver types must be what the SDL files produce.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, validate } from 'graphql';
import { execFileSync } from 'node:child_process';
import { CompositionError, SUPERGRAPH_PATH, composeSupergraph } from '../lib/supergraph.ts';
import { REPO_ROOT, sdlPath } from '../lib/subgraph.ts';
import { operationNames, readOperation } from '../lib/operations.ts';
import federationInternals from '@apollo/federation-internals';

// CommonJS package: its named exports are not visible to ESM.
const { Supergraph } = federationInternals;

function apiSchema() {
  // The security features (@requiresScopes …) are enforced by our gateway, not by federation-internals.
  return Supergraph.build(readFileSync(SUPERGRAPH_PATH, 'utf8'), { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
}

describe('supergraph', () => {
  it('composes from the four SDL files and matches the checked-in schema/supergraph.graphql', () => {
    const composed = composeSupergraph();
    expect(readFileSync(SUPERGRAPH_PATH, 'utf8')).toBe(composed);
  });

  it('reports composition errors instead of writing a broken supergraph', () => {
    const broken = (name: string) => {
      const sdl = readFileSync(sdlPath(name as never), 'utf8');
      // finance claims Unit.name too, with another type: composition must refuse.
      return name === 'finance' ? sdl.replace('type Unit @key(fields: "code") {\n  code: String!', 'type Unit @key(fields: "code") {\n  code: String!\n  name: Int!') : sdl;
    };
    expect(() => composeSupergraph(broken)).toThrow(CompositionError);
  });

  it('hides the internal rosters from clients', () => {
    const api = apiSchema();
    expect(api.getType('EmploymentRoster')).toBeUndefined();
    const fields = (api.getType('DistrictMonth') as { getFields(): Record<string, unknown> }).getFields();
    expect(Object.keys(fields)).not.toContain('hrRoster');
    expect(Object.keys(fields)).toContain('unreportedStaff');
  });

  it('validates every named operation in schema/operations against the API schema', () => {
    const api = apiSchema();
    expect(operationNames().length).toBeGreaterThan(0);
    for (const name of operationNames()) {
      expect([name, validate(api, parse(readOperation(name))).map((e) => e.message)]).toEqual([name, []]);
    }
  });
});

describe('typed resolvers', () => {
  it('are what graphql-codegen generates from the SDL files (run `npm run codegen`)', () => {
    // In a child process: codegen's plugins load as CommonJS, which jest's ESM mode cannot host.
    const check = () =>
      execFileSync(join(REPO_ROOT, 'node_modules/.bin/graphql-codegen'), ['--config', 'codegen.ts', '--check', '--silent'], {
        cwd: REPO_ROOT,
        stdio: 'pipe',
      });
    expect(check).not.toThrow();
  });
});

