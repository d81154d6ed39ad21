// The gateway's Prometheus metrics. The operation label is bounded: the named operations under
// schema/operations (and the lead export's pages) by name, every other document as "adhoc".
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from '../lib/db.ts';
import { LATENCY_BUCKETS, boundedLabel, registerPoolGauge } from '../lib/metrics.ts';
import type { RequestObservation } from '../lib/observability.ts';

export type BreakerState = 'closed' | 'half-open' | 'open';
export const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };


export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'operation'>;
  private readonly errors: Counter<'code'>;
  private readonly duration: Histogram<'operation'>;
  private readonly subgraphDuration: Histogram<'subgraph'>;
  private readonly subgraphErrors: Counter<'subgraph' | 'code'>;
  private readonly code = boundedLabel(100);

  constructor(
    private readonly operations: ReadonlySet<string>,
    poolStats: () => Record<string, PoolStats | null | undefined>,
    /** Each subgraph's circuit breaker as it stands when scraped (half-open is a matter of time). */
    breakerStates: () => Iterable<readonly [string, BreakerState]> = () => [],
  ) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'gateway_requests_total', help: 'Requests to /graphql, by named operation ("adhoc" for any other document).', labelNames: ['operation'], registers });
    this.errors = new Counter({ name: 'gateway_errors_total', help: 'Errors answered, by extensions.code.', labelNames: ['code'], registers });
    this.duration = new Histogram({
      name: 'gateway_request_duration_seconds',
      help: 'Time from receiving a request to the end of the response, by named operation.',
      labelNames: ['operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.subgraphDuration = new Histogram({
      name: 'gateway_subgraph_request_duration_seconds',
      help: 'Time of each request to a subgraph, until its response headers (its count is the requests made).',
      labelNames: ['subgraph'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.subgraphErrors = new Counter({
      name: 'gateway_subgraph_errors_total',
      help: 'Failed requests to a subgraph: HTTP status, or NETWORK when no response came.',
      labelNames: ['subgraph', 'code'],
      registers,
    });
    registerPoolGauge(this.registry, poolStats);
    new Gauge({
      name: 'gateway_subgraph_breaker_state',
      help: 'Circuit breaker per subgraph: 0 closed, 1 half-open, 2 open.',
      labelNames: ['subgraph'],
      registers,
      collect() {
        for (const [subgraph, state] of breakerStates()) this.set({ subgraph }, BREAKER_STATE_VALUE[state]);
      },
    });
  }

  /** The label for an operation name. */
  operation(name: string | null): string {
    return name !== null && this.operations.has(name) ? name : 'adhoc';
  }

  /** Per operation label: the labelled children, looked up once (label hashing is most of the cost). */
  private readonly byOperation = new Map<string, { requests: Counter.Internal; duration: Histogram.Internal<'operation'> }>();

  observe(observation: RequestObservation): void {
    const operation = this.operation(observation.operation);
    let children = this.byOperation.get(operation);
    if (!children) this.byOperation.set(operation, (children = { requests: this.requests.labels(operation), duration: this.duration.labels(operation) }));
    children.requests.inc();
    children.duration.observe((performance.now() - observation.started) / 1000);
    for (const code of observation.errorCodes) this.errors.inc({ code: this.code(code) });
  }

  private readonly subgraphDurations = new Map<string, Histogram.Internal<'subgraph'>>();

  /** Times one subgraph request; call the result with its HTTP status (or an error). */
  subgraphRequest(subgraph: string): (status: number | Error) => void {
    const started = performance.now();
    let duration = this.subgraphDurations.get(subgraph);
    if (!duration) this.subgraphDurations.set(subgraph, (duration = this.subgraphDuration.labels(subgraph)));
    return (status) => {
      duration.observe((performance.now() - started) / 1000);
      if (status instanceof Error) this.subgraphErrors.inc({ subgraph, code: 'NETWORK' });
      else if (status >= 400) this.subgraphErrors.inc({ subgraph, code: String(status) });
    };
  }
}
