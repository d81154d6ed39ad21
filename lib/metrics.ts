// Prometheus metrics (prom-client), served at /metrics by the gateway and every subgraph. Each service
// has its own registry (in monolith mode five services share a process); the process's own metrics (CPU,
// memory, event loop, GC) are collected once per process and shown by each. Labels are bounded: no
// label takes a value a client chooses freely.
import client, { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestHandler } from 'express';
import type { PoolStats } from './db.ts';
import type { RequestObservation } from './observability.ts';

/** Seconds; from a 5 ms subgraph lookup to a 30 s export page. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

let processRegistry: Registry | null = null;

/** Serves the service's metrics and the process's in the Prometheus text format. */
export function metricsHandler(registry: Registry): RequestHandler {
  return async (_req, res) => {
    if (!processRegistry) {
      processRegistry = new Registry();
      client.collectDefaultMetrics({ register: processRegistry });
    }
    const merged = Registry.merge([processRegistry, registry]);
    res.setHeader('content-type', merged.contentType);
    res.send(await merged.metrics());
  };
}

/** At most `max` distinct values; the rest are counted as "other" (error codes come from many places). */
export function boundedLabel(max: number): (value: string) => string {
  const seen = new Set<string>();
  return (value) => {
    if (seen.has(value)) return value;
    if (seen.size >= max || !/^[\w:.-]{1,64}$/.test(value)) return 'other';
    seen.add(value);
    return value;
  };
}

/** db_pool_connections{database,state}: connections of a pg pool, total / idle / waiting clients / max. */
export function registerPoolGauge(registry: Registry, pools: () => Record<string, PoolStats | null | undefined>): void {
  new Gauge({
    name: 'db_pool_connections',
    help: 'Database pool: open connections (total), idle ones, clients waiting for one, and the maximum.',
    labelNames: ['database', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [database, stats] of Object.entries(pools())) {
        if (!stats) continue;
        for (const state of ['total', 'idle', 'waiting', 'max'] as const) this.set({ database, state }, stats[state]);
      }
    },
  });
}

/** A counter that follows a running total kept elsewhere (e.g. SQL statements counted by Prisma events). */
export function registerFollowingCounter(registry: Registry, name: string, help: string, labels: Record<string, string>, total: () => number): void {
  let reported = 0;
  new Counter({
    name,
    help,
    labelNames: Object.keys(labels),
    registers: [registry],
    collect() {
      const now = total();
      if (now > reported) this.inc(labels, now - reported);
      reported = now;
    },
  });
}

/** A subgraph's metrics: requests, errors by code, latency, SQL statements, its database pool. */
export class SubgraphMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter.Internal;
  private readonly duration: Histogram.Internal<string>;
  private readonly errors: Counter<'subgraph' | 'code'>;
  private readonly code = boundedLabel(100);

  constructor(
    private readonly subgraph: string,
    options: { sqlStatements: () => number; poolStats?: () => PoolStats | null },
  ) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'subgraph_requests_total', help: 'GraphQL requests received.', labelNames: ['subgraph'], registers }).labels(subgraph);
    this.errors = new Counter({ name: 'subgraph_errors_total', help: 'Errors answered, by extensions.code.', labelNames: ['subgraph', 'code'], registers });
    this.duration = new Histogram({
      name: 'subgraph_request_duration_seconds',
      help: 'Time from receiving a GraphQL request to the end of the response.',
      labelNames: ['subgraph'],
      buckets: LATENCY_BUCKETS,
      registers,
    }).labels(subgraph);
    registerFollowingCounter(this.registry, 'subgraph_sql_statements_total', 'SQL statements run.', { subgraph }, options.sqlStatements);
    if (options.poolStats) registerPoolGauge(this.registry, () => ({ [subgraph]: options.poolStats!() }));
  }

  observe(observation: RequestObservation): void {
    this.requests.inc();
    this.duration.observe((performance.now() - observation.started) / 1000);
    for (const code of observation.errorCodes) this.errors.inc({ subgraph: this.subgraph, code: this.code(code) });
  }
}
