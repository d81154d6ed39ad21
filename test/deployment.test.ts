// docker-compose.yml checked against the code, since no Docker engine runs here: every service, the
// variables each entry point needs (lib/service-env.ts, the list the entry points themselves check), the
// ports and URLs between services, the proxy's upstreams and health checks, the shared secrets, the
// networks that keep each bureau's database to its own subgraph, and the Dockerfiles: that they exist,
// copy what the entry point imports and reads to where the code looks for it, install with npm ci and
// run as a user other than root. The README's table of environment variables must name every variable
// the code reads.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_PORTS, REPO_ROOT, SUBGRAPH_NAMES, migrationsPath, sdlPath, type SubgraphName } from '../lib/subgraph.ts';
import { OPERATIONS_DIR } from '../lib/operations.ts';
import { SUPERGRAPH_PATH } from '../lib/supergraph.ts';
import { ACCESS_LOG_MIGRATIONS, AccessLog } from '../lib/access-log.ts';
import { envRequirements, type ServiceName } from '../lib/service-env.ts';
import { createPostgresDatabase, dropPostgresDatabase, openPostgres } from '../lib/db.ts';
import { testBackend } from './support/databases.ts';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const repoPath = (absolute: string) => relative(REPO_ROOT, absolute).split('\\').join('/');

// ---- the compose file, interpolated as `docker compose` would with .env.example filled in -----------------

/** .env.example with every empty value set to a 64-hex-character stand-in (as the secrets must be). */
function exampleEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of read('.env.example').split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2] || createHash('sha256').update(m[1]!).digest('hex');
  }
  return env;
}

/** Compose's interpolation: $$, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\{([A-Z_][A-Z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g, (whole, name: string | undefined, colon: string, kind: string, rest: string) => {
    if (whole === '$$') return '$';
    const value = env[name!];
    const unset = value === undefined || (colon === ':' && value === '');
    if (kind === '?' && unset) throw new Error(`compose needs ${name}: ${rest}`);
    if (kind === '-' && unset) return rest;
    return value ?? '';
  });
}

function interpolateAll(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env)]));
  return value;
}

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  networks?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  stop_grace_period?: string;
}

interface Compose {
  services: Record<string, ComposeService>;
  networks: Record<string, { internal?: boolean }>;
}

const compose = interpolateAll(parse(read('docker-compose.yml'), { merge: true }), exampleEnv()) as Compose;
const services = compose.services;
const env = (service: string): Record<string, string> => services[service]!.environment ?? {};
const dependsOn = (service: string): Record<string, string> => {
  const d = services[service]!.depends_on ?? [];
  return Array.isArray(d) ? Object.fromEntries(d.map((name) => [name, 'service_started'])) : Object.fromEntries(Object.entries(d).map(([k, v]) => [k, v.condition]));
};
const seconds = (duration: string): number => {
  const m = /^(\d+)(ms|s|m)$/.exec(duration);
  if (!m) throw new Error(`unreadable duration ${duration}`);
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60 }[m[2] as 'ms' | 's' | 'm'];
};

/** The service each compose service runs, from its command's entry file. */
function runs(service: string): ServiceName | 'migrate' | null {
  const entry = services[service]!.command?.at(-1);
  if (entry === 'gateway/main.ts') return 'gateway';
  if (entry === 'scripts/migrate.ts') return 'migrate';
  const m = /^subgraphs\/([a-z]+)\/main\.ts$/.exec(entry ?? '');
  return m ? (m[1] as SubgraphName) : null;
}

const gateways = Object.keys(services).filter((s) => runs(s) === 'gateway');
const subgraphService = (name: SubgraphName) => Object.keys(services).find((s) => runs(s) === name)!;
const postgresServices = Object.keys(services).filter((s) => services[s]!.image?.startsWith('postgres:'));
/** What a service listens on, as its entry point reads it. */
const listenPort = (service: string): number => {
  const kind = runs(service);
  if (kind === 'gateway') return Number(env(service).GATEWAY_PORT ?? env(service).PORT ?? DEFAULT_PORTS.gateway);
  if (kind && kind !== 'migrate') return Number(env(service)[`${kind.toUpperCase()}_PORT`] ?? env(service).PORT ?? DEFAULT_PORTS[kind]);
  throw new Error(`${service} runs no server of ours`);
};
const shareNetwork = (a: string, b: string) => (services[a]!.networks ?? []).some((n) => (services[b]!.networks ?? []).includes(n));

// ---- the proxy's configuration ------------------------------------------------------------------------------

const proxyService = Object.keys(services).find((s) => services[s]!.image?.startsWith('haproxy:'))!;
const haproxyMount = services[proxyService]?.volumes?.find((v) => v.includes('/usr/local/etc/haproxy/haproxy.cfg'));
const haproxy = haproxyMount ? read(haproxyMount.split(':')[0]!.replace(/^\.\//, '')) : '';
/** The lines of one HAProxy section (`backend gateways`, `frontend graphql`). */
const section = (header: string): string[] => {
  const lines = haproxy.split('\n');
  const start = lines.findIndex((l) => l.trim() === header);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && /^\S/.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
};
const frontendPort = Number(/^bind\s+\S*:(\d+)/.exec(section('frontend graphql').find((l) => l.startsWith('bind')) ?? '')?.[1]);

// ---- Dockerfiles -----------------------------------------------------------------------------------------------

interface Instruction {
  op: string;
  args: string;
}

function dockerfile(path: string): { stages: Instruction[][] } {
  const stages: Instruction[][] = [];
  const joined = read(path).replace(/\\\n/g, ' ');
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(line)!;
    if (op!.toUpperCase() === 'FROM') stages.push([]);
    stages.at(-1)!.push({ op: op!.toUpperCase(), args: args! });
  }
  return { stages };
}

/** .dockerignore's patterns as tests on a context path (itself or a directory above it). */
const ignored = (() => {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*\//g, '(?:.*/)?').replace(/\*/g, '[^/]*')}(?:/.*)?$`));
  return (path: string) => patterns.some((p) => p.test(path));
})();

/** Where the final stage puts things: [source in the repository's layout, path in the image]. */
function imageLayout(instructions: Instruction[]): { from: 'context' | 'stage'; source: string; target: string }[] {
  let workdir = '/';
  const copies = [];
  for (const { op, args } of instructions) {
    if (op === 'WORKDIR') workdir = posix.resolve(workdir, args);
    if (op !== 'COPY') continue;
    const words = args.split(/\s+/);
    const fromStage = words.some((w) => w.startsWith('--from='));
    const [dest, ...sources] = words.filter((w) => !w.startsWith('--')).reverse();
    for (const source of sources.reverse()) {
      const target = dest!.endsWith('/') || sources.length > 1 ? posix.join(posix.resolve(workdir, dest!), posix.basename(source)) : posix.resolve(workdir, dest!);
      // A build stage works in /app, in the repository's layout.
      copies.push({ from: fromStage ? ('stage' as const) : ('context' as const), source: fromStage ? source.replace(/^\/app\//, '') : source.replace(/\/$/, ''), target });
    }
  }
  return copies;
}

/** The repository files a TypeScript entry point imports (value imports, followed), itself included. */
function importClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (!existsSync(join(REPO_ROOT, file))) continue;
    const text = read(file);
    const specifiers = [
      ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s+(?!type\b)[^'"`;]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/g),
      ...text.matchAll(/(?:^|\n)\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/g),
      ...text.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g),
    ].map((m) => m[1]!);
    for (const specifier of specifiers) pending.push(posix.join(posix.dirname(file), specifier));
  }
  return seen;
}

/** Every file under a repository path (a file itself). */
function filesUnder(path: string): string[] {
  const absolute = join(REPO_ROOT, path);
  if (!statSync(absolute).isDirectory()) return [path];
  return readdirSync(absolute).flatMap((name) => filesUnder(posix.join(path, name)));
}

// ---- the variables the code reads ----------------------------------------------------------------------------------

const CODE_DIRS = ['gateway', 'lib', 'scripts', ...SUBGRAPH_NAMES.map((n) => `subgraphs/${n}`)];

function codeFiles(path: string): string[] {
  return readdirSync(join(REPO_ROOT, path), { withFileTypes: true }).flatMap((e) => {
    const p = posix.join(path, e.name);
    if (e.isDirectory()) return ['generated', 'node_modules'].includes(e.name) ? [] : codeFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Environment variable names read in gateway/, lib/, scripts/ and subgraphs/ (per bureau where the name is built from it). */
function variablesInCode(): Map<string, string> {
  const found = new Map<string, string>();
  const note = (name: string, file: string) => found.has(name) || found.set(name, file);
  for (const file of CODE_DIRS.flatMap(codeFiles)) {
    const text = read(file);
    for (const m of text.matchAll(/\benv\.([A-Z][A-Z0-9_]+)\b/g)) note(m[1]!, file);
    for (const m of text.matchAll(/\benv\[\s*['"`]([A-Z][A-Z0-9_]+)['"`]\s*\]/g)) note(m[1]!, file);
    // Helpers that read a named variable: nonNegativeInt(env, 'X', …), int('X', …), roles('X', …).
    for (const m of text.matchAll(/\b(?:nonNegativeInt\(env,\s*|int\(|roles\()'([A-Z][A-Z0-9_]+)'/g)) note(m[1]!, file);
    // Names built from a bureau's name: `${name.toUpperCase()}_URL`.
    for (const m of text.matchAll(/\$\{\w+\.toUpperCase\(\)\}(_[A-Z][A-Z0-9_]*)/g)) for (const b of SUBGRAPH_NAMES) note(`${b.toUpperCase()}${m[1]}`, file);
  }
  for (const service of ['gateway', ...SUBGRAPH_NAMES] as const) for (const r of envRequirements(service)) for (const name of r.anyOf) note(name, 'lib/service-env.ts');
  return found;
}

/** The names in the README's table of environment variables (`<BUREAU>_X` stands for each bureau's). */
function documentedVariables(): Set<string> {
  const readme = read('README.md');
  const start = readme.indexOf('### Environment variables');
  const table = readme.slice(start, readme.indexOf('\n#', start + 1));
  const names = new Set<string>();
  for (const row of table.split('\n').filter((l) => l.startsWith('| `'))) {
    for (const m of row.split('|')[1]!.matchAll(/`([A-Z<][A-Z0-9_<>]*)`/g)) {
      if (m[1]!.startsWith('<BUREAU>')) for (const b of SUBGRAPH_NAMES) names.add(m[1]!.replace('<BUREAU>', b.toUpperCase()));
      else names.add(m[1]!);
    }
  }
  return names;
}

// ---- the tests ----------------------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  it('has every service: a PostgreSQL per bureau and the access log, the four subgraphs, two gateways, the proxy and Redis', () => {
    const expected = [
      ...SUBGRAPH_NAMES.flatMap((b) => [`${b}-db`, b]),
      'accesslog-db',
      'accesslog-migrate',
      'gateway-1',
      'gateway-2',
      'proxy',
      'redis',
    ];
    expect(Object.keys(services).sort()).toEqual(expected.sort());
    expect(gateways.sort()).toEqual(['gateway-1', 'gateway-2']);
    for (const b of SUBGRAPH_NAMES) {
      expect(runs(b)).toBe(b);
      expect(services[`${b}-db`]!.image).toMatch(/^postgres:\d+/);
    }
    expect(services['accesslog-db']!.image).toMatch(/^postgres:\d+/);
    expect(services.redis!.image).toMatch(/^redis:\d/);
    expect(proxyService).toBe('proxy');
    expect(runs('accesslog-migrate')).toBe('migrate');
  });

  it('gives each gateway and subgraph every variable its entry point needs (lib/service-env.ts)', () => {
    const checked: string[] = [];
    for (const [service] of Object.entries(services)) {
      const kind = runs(service);
      if (!kind || kind === 'migrate') continue;
      for (const requirement of envRequirements(kind)) {
        const given = requirement.anyOf.filter((name) => env(service)[name]);
        expect([service, requirement.anyOf, given.length > 0]).toEqual([service, requirement.anyOf, true]);
      }
      checked.push(service);
    }
    expect(checked.sort()).toEqual([...gateways, ...SUBGRAPH_NAMES].sort());
    expect(env('accesslog-migrate').ACCESS_LOG_DATABASE_URL).toBe(env('gateway-1').ACCESS_LOG_DATABASE_URL);
  });

  it('sets no variable our code does not read (a misspelt name would be ignored silently)', () => {
    const known = variablesInCode();
    for (const service of Object.keys(services).filter((s) => runs(s))) {
      for (const name of Object.keys(env(service))) expect([service, name, known.has(name)]).toEqual([service, name, true]);
    }
  });

  it('points each gateway at the subgraph services on the ports they listen on', () => {
    for (const gateway of gateways) {
      expect(listenPort(gateway)).toBe(DEFAULT_PORTS.gateway);
      for (const b of SUBGRAPH_NAMES) {
        const url = new URL(env(gateway)[`${b.toUpperCase()}_URL`]!);
        const target = subgraphService(b);
        expect([b, url.hostname, Number(url.port), url.pathname]).toEqual([b, target, listenPort(target), '/graphql']);
        expect(shareNetwork(gateway, target)).toBe(true);
      }
    }
    for (const b of SUBGRAPH_NAMES) expect(listenPort(subgraphService(b))).toBe(DEFAULT_PORTS[b]);
  });

  it('puts the two gateways, and only them, behind the proxy, which takes a replica out when its /ready fails', () => {
    expect(haproxy).not.toBe('');
    const backend = section('backend gateways');
    const servers = backend.filter((l) => l.startsWith('server ')).map((l) => l.split(/\s+/)[2]);
    expect(servers.sort()).toEqual(gateways.map((g) => `${g}:${listenPort(g)}`).sort());
    expect(backend).toContain('option httpchk');
    expect(backend).toContain('http-check send meth GET uri /ready');
    expect(backend).toContain('http-check expect status 200');
    const defaults = backend.find((l) => l.startsWith('default-server')) ?? '';
    expect(defaults).toMatch(/\bcheck\b/);
    for (const gateway of gateways) expect(shareNetwork(proxyService, gateway)).toBe(true);
    // The proxy publishes its frontend port; nothing else is published.
    expect(services[proxyService]!.ports).toEqual([`${frontendPort}:${frontendPort}`]);
    for (const service of Object.keys(services).filter((s) => s !== proxyService)) expect([service, services[service]!.ports]).toEqual([service, undefined]);
    // A draining replica stays unready long enough for the proxy to notice, and docker waits for it.
    const inter = seconds(/\binter\s+(\S+)/.exec(defaults)![1]!);
    const fall = Number(/\bfall\s+(\d+)/.exec(defaults)![1]);
    for (const gateway of gateways) {
      const delay = Number(env(gateway).SHUTDOWN_DELAY_MS) / 1000;
      expect(delay).toBeGreaterThanOrEqual(inter * fall);
      expect(seconds(services[gateway]!.stop_grace_period!)).toBeGreaterThan(delay + Number(env(gateway).SHUTDOWN_GRACE_MS) / 1000);
    }
    // The proxy is healthy while a replica answers /ready through it.
    expect(services[proxyService]!.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${frontendPort}/ready`);
  });

  it('lets the subgraphs that ask the whole graph reach it through the proxy', () => {
    for (const b of SUBGRAPH_NAMES) {
      const needs = envRequirements(b).some((r) => r.anyOf.includes('GATEWAY_URL'));
      const value = env(subgraphService(b)).GATEWAY_URL;
      expect([b, value !== undefined]).toEqual([b, needs]);
      if (!value) continue;
      const url = new URL(value);
      expect([url.hostname, Number(url.port), url.pathname]).toEqual([proxyService, frontendPort, '/graphql']);
      expect(shareNetwork(subgraphService(b), proxyService)).toBe(true);
    }
  });

  it('gives the gateways and all four subgraphs one signing key, and both gateways the same Redis', () => {
    const keys = new Set([...gateways, ...SUBGRAPH_NAMES.map(subgraphService)].map((s) => env(s).SUBGRAPH_SIGNING_KEY));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f]{64}$/);
    const redisUrls = new Set(gateways.map((g) => env(g).REDIS_URL));
    expect(redisUrls.size).toBe(1);
    const redis = new URL([...redisUrls][0]!);
    expect([redis.protocol, redis.hostname, Number(redis.port || 6379)]).toEqual(['redis:', 'redis', 6379]);
    const command = services.redis!.command!;
    expect(decodeURIComponent(redis.password)).toBe(command[command.indexOf('--requirepass') + 1]);
    for (const gateway of gateways) {
      expect(shareNetwork(gateway, 'redis')).toBe(true);
      expect(dependsOn(gateway).redis).toBe('service_healthy');
    }
  });

  it("connects every service to the right database with that database's own credentials", () => {
    for (const service of Object.keys(services)) {
      for (const [name, value] of Object.entries(env(service)).filter(([n]) => n.endsWith('DATABASE_URL'))) {
        const url = new URL(value);
        const db = url.hostname;
        expect([service, name, postgresServices.includes(db)]).toEqual([service, name, true]);
        const dbEnv = env(db);
        expect([service, name, url.username, url.password, url.pathname.slice(1), Number(url.port)]).toEqual([
          service,
          name,
          dbEnv.POSTGRES_USER,
          dbEnv.POSTGRES_PASSWORD,
          dbEnv.POSTGRES_DB,
          5432,
        ]);
        expect([service, db, shareNetwork(service, db)]).toEqual([service, db, true]);
        const expected = name === 'ACCESS_LOG_DATABASE_URL' ? 'accesslog-db' : `${name.replace('_DATABASE_URL', '').toLowerCase()}-db`;
        expect([service, name, db]).toEqual([service, name, expected]);
      }
    }
  });

  it("keeps each bureau's database on a network of its own with its subgraph only", () => {
    for (const b of SUBGRAPH_NAMES) {
      expect(services[`${b}-db`]!.networks).toEqual([b]);
      expect(compose.networks[b]).toEqual({ internal: true });
      const members = Object.keys(services).filter((s) => services[s]!.networks?.includes(b));
      expect(members.sort()).toEqual([`${b}-db`, subgraphService(b)].sort());
    }
  });

  it('starts services in order: databases healthy, the access log migrated, Redis healthy', () => {
    expect(dependsOn('accesslog-migrate')['accesslog-db']).toBe('service_healthy');
    for (const b of SUBGRAPH_NAMES) {
      expect(dependsOn(subgraphService(b))).toEqual({ [`${b}-db`]: 'service_healthy', 'accesslog-migrate': 'service_completed_successfully' });
    }
    for (const gateway of gateways) expect(dependsOn(gateway)['accesslog-migrate']).toBe('service_completed_successfully');
    for (const service of postgresServices) expect(services[service]!.healthcheck!.test.join(' ')).toContain('pg_isready');
  });

  it('names in .env.example every variable it needs, and no secret is written in it', () => {
    const needed = new Set([...read('docker-compose.yml').matchAll(/\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!));
    expect([...needed].sort()).toEqual(Object.keys(exampleEnv()).sort());
    // Interpolating with one missing fails, as `docker compose` does.
    const partial = exampleEnv();
    delete partial.SUBGRAPH_SIGNING_KEY;
    expect(() => interpolateAll(parse(read('docker-compose.yml'), { merge: true }), partial)).toThrow(/SUBGRAPH_SIGNING_KEY/);
    for (const line of read('.env.example').split('\n')) if (/(KEY|PASSWORD|SECRET)=/.test(line)) expect(line).toMatch(/=$/);
    expect(read('.gitignore').split('\n')).toContain('.env');
  });
});

describe('the Dockerfiles', () => {
  const built = Object.keys(services).filter((s) => services[s]!.build);
  const byDockerfile = new Map<string, string[]>();
  for (const service of built) {
    const { context, dockerfile: path } = services[service]!.build!;
    expect([service, context]).toEqual([service, '.']);
    byDockerfile.set(path, [...(byDockerfile.get(path) ?? []), service]);
  }

  it('exist, one per service: the gateway and each bureau', () => {
    expect([...byDockerfile.keys()].sort()).toEqual(['gateway/Dockerfile', ...SUBGRAPH_NAMES.map((b) => `subgraphs/${b}/Dockerfile`)].sort());
    for (const path of byDockerfile.keys()) expect(existsSync(join(REPO_ROOT, path))).toBe(true);
    for (const b of SUBGRAPH_NAMES) expect(services[subgraphService(b)]!.build!.dockerfile).toBe(`subgraphs/${b}/Dockerfile`);
    for (const gateway of gateways) expect(services[gateway]!.build!.dockerfile).toBe('gateway/Dockerfile');
  });

  it.each(['gateway', ...SUBGRAPH_NAMES] as const)('%s: npm ci, its Prisma client, a user other than root, node --import tsx, /ready as health check', (kind) => {
    const path = kind === 'gateway' ? 'gateway/Dockerfile' : `subgraphs/${kind}/Dockerfile`;
    const { stages } = dockerfile(path);
    const all = stages.flat();
    const final = stages.at(-1)!;
    expect(final[0]!.args).toMatch(/^node:20[-\w.]*$/);
    expect(all.some((i) => i.op === 'RUN' && /\bnpm ci\b/.test(i.args))).toBe(true);
    if (kind !== 'gateway') {
      expect(all.some((i) => i.op === 'RUN' && i.args.includes(`prisma generate --config subgraphs/${kind}/prisma.config.ts`))).toBe(true);
    }
    const user = final.filter((i) => i.op === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    const cmd = JSON.parse(final.find((i) => i.op === 'CMD')!.args) as string[];
    const entry = kind === 'gateway' ? 'gateway/main.ts' : `subgraphs/${kind}/main.ts`;
    expect(cmd).toEqual(['node', '--import', 'tsx', entry]);
    for (const service of byDockerfile.get(path)!.filter((s) => runs(s) !== 'migrate')) expect(services[service]!.command).toEqual(cmd);
    // The image's own health check asks /ready on the port the service listens on.
    const health = final.find((i) => i.op === 'HEALTHCHECK')!.args;
    const portVariable = kind === 'gateway' ? 'GATEWAY_PORT' : `${kind.toUpperCase()}_PORT`;
    expect(health).toContain(`http://127.0.0.1:\${process.env.${portVariable} || ${DEFAULT_PORTS[kind]}}/ready`);
    expect(final.find((i) => i.op === 'EXPOSE')!.args).toBe(String(DEFAULT_PORTS[kind]));
    for (const service of byDockerfile.get(path)!.filter((s) => runs(s) !== 'migrate')) {
      expect(services[service]!.healthcheck).toBeUndefined();
      expect(listenPort(service)).toBe(DEFAULT_PORTS[kind]);
    }
  });

  it.each(['gateway', ...SUBGRAPH_NAMES] as const)('%s: the image holds what its commands import and read, where the code looks for it', (kind) => {
    const path = kind === 'gateway' ? 'gateway/Dockerfile' : `subgraphs/${kind}/Dockerfile`;
    const { stages } = dockerfile(path);
    const layout = imageLayout(stages.at(-1)!);
    const workdir = stages.at(-1)!.filter((i) => i.op === 'WORKDIR').at(-1)!.args;
    // Sources copied from the build context exist and are not left out by .dockerignore.
    for (const copy of layout.filter((c) => c.from === 'context')) {
      expect([copy.source, existsSync(join(REPO_ROOT, copy.source))]).toEqual([copy.source, true]);
      expect([copy.source, ignored(copy.source)]).toEqual([copy.source, false]);
    }
    const entries = byDockerfile.get(path)!.map((s) => services[s]!.command!.at(-1)!);
    const data =
      kind === 'gateway'
        ? [SUPERGRAPH_PATH, OPERATIONS_DIR, ACCESS_LOG_MIGRATIONS]
        : [sdlPath(kind), OPERATIONS_DIR, migrationsPath(kind)];
    const needed = [...new Set([...entries.flatMap((e) => [...importClosure(e)]), ...data.map(repoPath).flatMap(filesUnder), 'package.json', 'tsconfig.json'])];
    const missing = needed.filter((file) => {
      // A later COPY overrides an earlier one (the generated Prisma client over the bureau's folder).
      const copy = [...layout].reverse().find((c) => file === c.source || file.startsWith(`${c.source}/`));
      if (!copy) return true;
      if (copy.target !== posix.join(workdir, copy.source)) return true;
      return copy.from === 'context' && ignored(file);
    });
    expect(missing).toEqual([]);
    // What the compose file points the gateway at is in the image.
    if (kind === 'gateway') expect(env('gateway-1').SUPERGRAPH_PATH).toBe(posix.join(workdir, repoPath(SUPERGRAPH_PATH)));
    // No other bureau's code in a bureau's image.
    if (kind !== 'gateway') {
      const others = SUBGRAPH_NAMES.filter((b) => b !== kind);
      expect(layout.filter((c) => others.some((b) => c.source.includes(b)) || c.source === 'subgraphs' || c.source === 'gateway')).toEqual([]);
      expect(dockerfile(path).stages.flat().filter((i) => i.op === 'COPY' && others.some((b) => i.args.includes(`subgraphs/${b}`)))).toEqual([]);
    }
  });
});

describe('the environment', () => {
  it("README's table names every variable the code reads", () => {
    const documented = documentedVariables();
    const undocumented = [...variablesInCode()].filter(([name]) => !documented.has(name)).map(([name, file]) => `${name} (${file})`);
    expect(undocumented).toEqual([]);
  });

  /** Runs an entry point with none of the variables any service needs. */
  function runWithout(entry: string): Promise<{ code: number | null; stderr: string }> {
    const bare: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '', LOG_LEVEL: 'silent' };
    for (const service of ['gateway', ...SUBGRAPH_NAMES] as const) for (const r of envRequirements(service)) for (const name of r.anyOf) delete bare[name];
    return new Promise((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', entry], { cwd: REPO_ROOT, env: bare, timeout: 60_000 }, (err, _stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stderr });
      });
    });
  }

  it.each([
    ['gateway', 'gateway/main.ts'],
    ['staffing', 'subgraphs/staffing/main.ts'],
  ] as const)('the %s refuses to start without what lib/service-env.ts says it needs, naming each', async (service, entry) => {
    const run = await runWithout(entry);
    expect(run.code).toBe(2);
    for (const requirement of envRequirements(service)) {
      if (requirement.toStart) expect(run.stderr).toContain(requirement.anyOf[0]);
      else expect(run.stderr).not.toContain(`set ${requirement.anyOf[0]}`);
    }
  });
});

const backend = await testBackend();
/** Another process migrates the database: it needs a PostgreSQL server (as CI has), not embedded PGlite. */
const describePostgres = backend.kind === 'postgres' ? describe : describe.skip;

describePostgres('accesslog-migrate (scripts/migrate.ts)', () => {
  const name = `bw_test_deploy_log_${randomBytes(4).toString('hex')}`;
  const serverUrl = backend.kind === 'postgres' ? backend.serverUrl : '';
  let url: string;

  beforeAll(async () => {
    url = await createPostgresDatabase(serverUrl, name);
  });
  afterAll(() => dropPostgresDatabase(serverUrl, name));

  it('prepares an empty access log database for the subgraphs, which only append to it', async () => {
    const migrated = await new Promise<number | null>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/migrate.ts'],
        { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ACCESS_LOG_DATABASE_URL: url }, timeout: 60_000 },
        (err) => resolve(err ? (typeof err.code === 'number' ? err.code : null) : 0),
      );
    });
    expect(migrated).toBe(0);
    const db = openPostgres(url, { max: 1 });
    try {
      // As lib/subgraph-main.ts opens it: no migration of its own.
      const log = await AccessLog.open(db, { migrate: false });
      await log.close();
    } finally {
      await db.close();
    }
  });
});
