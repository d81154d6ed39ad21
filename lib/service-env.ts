// What each process of the production shape needs in its environment, in one place: the entry points
// refuse to start without the variables marked `toStart`, and test/deployment.test.ts checks that
// docker-compose.yml gives every service all of them (the others too: without those a service starts
// but cannot do all of its work there).
import { SUBGRAPH_NAMES, type SubgraphName } from './subgraph.ts';

export type ServiceName = 'gateway' | SubgraphName;

export interface EnvRequirement {
  /** One of these must be set (alternatives, the usual one first). */
  anyOf: string[];
  /** Without it the process refuses to start (exit 2). */
  toStart: boolean;
  why: string;
}

const SIGNING_KEY: EnvRequirement = {
  anyOf: ['SUBGRAPH_SIGNING_KEY'],
  toStart: true,
  why: 'the key, 64 hex characters, with which the gateway signs subgraph requests and subgraphs sign their calls to it; the same in every service',
};

export function envRequirements(service: ServiceName): EnvRequirement[] {
  if (service === 'gateway') {
    return [
      SIGNING_KEY,
      { anyOf: ['AUTH_JWKS_URL', 'AUTH_JWKS_FILE', 'AUTH_HS256_SECRET'], toStart: true, why: 'the keys bearer tokens are checked with (and AUTH_ISSUER, AUTH_AUDIENCE)' },
      { anyOf: ['ACCESS_LOG_DATABASE_URL'], toStart: true, why: 'every access is recorded' },
      ...SUBGRAPH_NAMES.map((name) => ({
        anyOf: [`${name.toUpperCase()}_URL`],
        toStart: false,
        why: `where the ${name} subgraph answers (the supergraph file names localhost)`,
      })),
      { anyOf: ['REDIS_URL'], toStart: false, why: 'rate limits, circuit breakers, persisted queries and accepted signatures shared by the gateway replicas' },
    ];
  }
  const upper = service.toUpperCase();
  return [
    { anyOf: [`${upper}_DATABASE_URL`, 'DATABASE_URL'], toStart: true, why: `the ${service} bureau's own PostgreSQL database` },
    SIGNING_KEY,
    { anyOf: ['ACCESS_LOG_DATABASE_URL'], toStart: false, why: 'calls refused by the subgraph are recorded in the access log (and audit serves it to auditors)' },
    { anyOf: [`${upper}_PORT`, 'PORT'], toStart: false, why: 'the port the subgraph listens on (default 4001-4004)' },
    // The subgraphs that ask the whole graph: the suspension check (staffing) and the lead sweep (audit).
    ...(service === 'staffing' || service === 'audit' ? [{ anyOf: ['GATEWAY_URL'], toStart: false, why: 'where this subgraph asks the whole graph' }] : []),
  ];
}

/** The requirements to start that `env` leaves unmet. */
export function missingToStart(service: ServiceName, env: NodeJS.ProcessEnv = process.env): EnvRequirement[] {
  return envRequirements(service).filter((r) => r.toStart && !r.anyOf.some((name) => env[name]));
}

/** "set A (or B): why" for each unmet requirement, for the refusal to start. */
export function describeMissing(missing: EnvRequirement[]): string {
  return missing.map((r) => `set ${r.anyOf[0]}${r.anyOf.length > 1 ? ` (or ${r.anyOf.slice(1).join(', ')})` : ''}: ${r.why}`).join('; ');
}
