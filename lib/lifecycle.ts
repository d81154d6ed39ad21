// How every server of the federation (gateway and subgraphs) stops: it first reports itself not ready
// (503 from /ready) so that load balancers stop sending, then stops accepting connections and lets the
// requests in flight finish before its owner closes the database pools.
import { setTimeout as sleep } from 'node:timers/promises';

/** Where lifecycle events (breaker changes, supergraph reloads, shutdown) are reported. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(m),
  error: (m) => console.error(m),
};

export interface ShutdownConfig {
  /** How long /ready answers 503 before the server stops accepting (load balancers notice meanwhile). */
  delayMs: number;
  /** How long requests in flight may take to finish before their connections are cut. */
  graceMs: number;
}

export function shutdownFromEnv(env: NodeJS.ProcessEnv = process.env): ShutdownConfig {
  return {
    delayMs: nonNegativeInt(env, 'SHUTDOWN_DELAY_MS', 0),
    graceMs: nonNegativeInt(env, 'SHUTDOWN_GRACE_MS', 10_000),
  };
}

/** A whole number of milliseconds (or a count) from the environment; a malformed value stops the process at start. */
export function nonNegativeInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number ≥ 0, not "${raw}"`);
  return value;
}

/** A server's shutdown: draining (not ready), then closing once; later calls wait for the same. */
export class Drain {
  private stopping: Promise<void> | undefined;

  constructor(private readonly delayMs: number) {}

  get draining(): boolean {
    return this.stopping !== undefined;
  }

  stop(close: () => Promise<void>): Promise<void> {
    this.stopping ??= (async () => {
      if (this.delayMs > 0) await sleep(this.delayMs);
      await close();
    })();
    return this.stopping;
  }
}

/**
 * SIGTERM or SIGINT runs `shutdown` once and exits 0 (1 when it failed). A second SIGINT (Ctrl-C twice),
 * or a shutdown that outlasts `deadlineMs`, exits 1 at once. A repeated SIGTERM changes nothing: process
 * managers (and tsx relaying signals to its child) may send it twice.
 */
export function exitOnSignals(name: string, shutdown: () => Promise<void>, deadlineMs: number, logger: Logger = consoleLogger): void {
  let started = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (started) {
      if (signal === 'SIGTERM') return;
      logger.warn(`${name}: ${signal} again: exiting without waiting`);
      process.exit(1);
    }
    started = true;
    logger.info(`${name}: ${signal}: not ready any more, finishing requests in flight`);
    setTimeout(() => {
      logger.error(`${name}: shutdown took longer than ${deadlineMs} ms: exiting`);
      process.exit(1);
    }, deadlineMs).unref();
    // Exit once stdout has taken the last line (a pipe is written asynchronously).
    const exit = (code: number) => process.stdout.write('', () => process.exit(code));
    shutdown().then(
      () => {
        logger.info(`${name}: stopped`);
        exit(0);
      },
      (err: Error) => {
        logger.error(`${name}: shutdown failed: ${err.message}`);
        exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
