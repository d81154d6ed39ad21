// Typed resolvers for each subgraph from its SDL in schema/ (graphql-codegen, federation mode).
// Run `npm run codegen` after changing an SDL; a test fails when the checked-in output is stale.
import type { CodegenConfig } from '@graphql-codegen/cli';
import { codegenTargets } from './scripts/codegen-targets.ts';

const config: CodegenConfig = { overwrite: true, generates: codegenTargets() };
export default config;
