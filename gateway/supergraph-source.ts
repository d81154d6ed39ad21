// The supergraph the gateway serves, from a file it watches. A new file replaces, in one step, the
// schema @apollo/gateway plans with and everything this gateway derives from the supergraph (access
// rules, subgraph URLs); a file that is not a valid supergraph is refused, with a log line, and the
// one being served stays. Requests in flight finish on what they started with.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import type { SupergraphSdlHook, SupergraphSdlUpdateFunction } from '@apollo/gateway';
import { AccessRules, withoutSecurityFeatures } from './authorize.ts';
import type { Logger } from '../lib/lifecycle.ts';

export interface SupergraphVersion {
  readonly path: string;
  /** sha256 of the file. */
  readonly hash: string;
  readonly loadedAt: Date;
  /** What @apollo/gateway is given: the file without the security features it cannot enforce. */
  readonly gatewaySdl: string;
  readonly rules: AccessRules;
  /** Each subgraph's URL as the file names it. */
  readonly subgraphUrls: Readonly<Record<string, string>>;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Everything the gateway needs from one supergraph file, or an error saying why it cannot serve it:
 * not GraphQL, not a valid supergraph (a hand edit, subgraphs that did not compose), or a schema under
 * which a trusted operation (schema/operations) no longer validates.
 */
export function prepareSupergraph(path: string, sdl: string, checkApiSchema: (schema: GraphQLSchema) => string[] = () => []): SupergraphVersion {
  const rules = AccessRules.fromSupergraph(sdl);
  const gatewaySdl = withoutSecurityFeatures(sdl);
  const supergraph = Supergraph.build(gatewaySdl, { validateSupergraph: true });
  // Extracting the subgraphs checks them as the query planner will.
  supergraph.subgraphs();
  const problems = checkApiSchema(supergraph.apiSchema().toGraphQLJSSchema());
  if (problems.length) throw new Error(problems.join('; '));
  const subgraphUrls = Object.fromEntries(supergraph.subgraphsMetadata().map((s) => [s.name, s.url]));
  return { path, hash: sha256(sdl), loadedAt: new Date(), gatewaySdl, rules, subgraphUrls };
}

export type ReloadOutcome = { outcome: 'loaded' | 'unchanged'; hash: string } | { outcome: 'refused'; hash: string; reason: string };

export class SupergraphSource {
  /** What is served now; read once per request. */
  current: SupergraphVersion;
  private update: SupergraphSdlUpdateFunction | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private reloading: Promise<ReloadOutcome> | undefined;
  private again = false;

  /** Reads and checks the file now: a gateway does not start on a supergraph it cannot serve. */
  constructor(
    readonly path: string,
    private readonly prepare: (path: string, sdl: string) => SupergraphVersion,
    private readonly options: { watch: boolean; logger: Logger },
  ) {
    this.path = resolve(path);
    let sdl: string;
    try {
      sdl = readFileSync(this.path, 'utf8');
    } catch (err) {
      throw new Error(`supergraph ${this.path} cannot be read: ${(err as Error).message}`);
    }
    try {
      this.current = prepare(this.path, sdl);
    } catch (err) {
      throw new Error(`supergraph ${this.path} cannot be served: ${(err as Error).message}`);
    }
  }

  /** For ApolloGateway's `supergraphSdl`: the first version now, later ones through `update`. */
  readonly hook: SupergraphSdlHook = async ({ update }) => {
    this.update = update;
    if (this.options.watch) this.watch();
    return { supergraphSdl: this.current.gatewaySdl, cleanup: async () => this.close() };
  };

  /** Reads the file again (a file change, SIGHUP); one reload at a time, the last change always read. */
  reload(): Promise<ReloadOutcome> {
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    this.reloading = this.load().finally(() => {
      this.reloading = undefined;
      if (this.again) {
        this.again = false;
        void this.reload();
      }
    });
    return this.reloading;
  }

  close(): void {
    clearTimeout(this.debounce);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private async load(): Promise<ReloadOutcome> {
    const { logger } = this.options;
    const old = this.current;
    let sdl: string;
    try {
      sdl = await readFile(this.path, 'utf8');
    } catch (err) {
      const reason = `cannot be read: ${(err as Error).message}`;
      logger.error(`gateway: supergraph ${this.path} refused: ${reason}; still serving ${old.hash.slice(0, 12)}`);
      return { outcome: 'refused', hash: '', reason };
    }
    const hash = sha256(sdl);
    if (hash === old.hash) return { outcome: 'unchanged', hash };
    let next: SupergraphVersion;
    try {
      next = this.prepare(this.path, sdl);
      // Synchronous: @apollo/gateway and ApolloServer switch schema and plans before any other request runs ...
      this.update?.(next.gatewaySdl);
    } catch (err) {
      const reason = (err as Error).message.split('\n').slice(0, 5).join(' | ');
      logger.error(`gateway: supergraph ${this.path} (sha256 ${hash.slice(0, 12)}) refused: ${reason}; still serving ${old.hash.slice(0, 12)}`);
      return { outcome: 'refused', hash, reason };
    }
    // ... and the access rules and URLs switch with them, in the same turn of the event loop.
    this.current = next;
    logger.info(`gateway: supergraph ${this.path} reloaded: ${old.hash.slice(0, 12)} → ${hash.slice(0, 12)}`);
    return { outcome: 'loaded', hash };
  }

  private watch(): void {
    const file = basename(this.path);
    // The directory, not the file: editors and deployments replace the file (rename, or Kubernetes'
    // ..data symlink swap), which a watch on the old file would miss.
    this.watcher = watch(dirname(this.path), { persistent: false }, (_event, name) => {
      if (name && name !== file && !name.startsWith('..')) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => void this.reload(), 100).unref();
    });
    this.watcher.on('error', (err) => this.options.logger.error(`gateway: cannot watch ${this.path}: ${err.message}`));
  }
}
