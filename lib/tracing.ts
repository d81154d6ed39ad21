// OpenTelemetry traces: gateway -> subgraphs -> SQL in one trace. Off (the API's no-op tracer, nothing
// wrapped) unless OTEL_EXPORTER_OTLP_ENDPOINT is set or a test registers an exporter. @apollo/gateway
// emits its own spans (gateway.request, gateway.plan, gateway.fetch, ...) through @opentelemetry/api once a
// provider is registered; this module adds the HTTP server spans, the trace context on outgoing
// requests (traceparent; the subgraph signature covers the body only) and a span per SQL statement.
import { INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Span } from '@opentelemetry/api';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQuery, SqlQueryable, Transaction } from '@prisma/driver-adapter-utils';
import type { RequestHandler } from 'express';

let provider: NodeTracerProvider | null = null;
// From the provider itself: the API's proxy tracer would stay bound to the first provider registered.
let tracer = trace.getTracer('bianwai');

/** Whether spans are recorded: checked before doing any tracing work, so that off costs nothing. */
export function tracingEnabled(): boolean {
  return provider !== null;
}

/**
 * Registers the process's tracer provider: an OTLP/HTTP exporter when OTEL_EXPORTER_OTLP_ENDPOINT is set
 * (OTEL_EXPORTER_OTLP_HEADERS etc. are read by the exporter), or the given span processors (tests).
 * Without either, nothing is registered and tracing stays a no-op. Call before opening databases.
 */
export function startTracing(options: { serviceName: string; spanProcessors?: SpanProcessor[]; env?: NodeJS.ProcessEnv }): boolean {
  if (provider) return true;
  const env = options.env ?? process.env;
  const processors = options.spanProcessors ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT ? [new BatchSpanProcessor(new OTLPTraceExporter())] : []);
  if (processors.length === 0) return false;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? options.serviceName }),
    spanProcessors: processors,
  });
  // AsyncLocalStorage context and the W3C traceparent propagator.
  provider.register();
  tracer = provider.getTracer('bianwai');
  return true;
}

/** Sends what is buffered and unregisters (shutdown, tests). */
export async function stopTracing(): Promise<void> {
  const p = provider;
  provider = null;
  if (!p) return;
  await p.shutdown();
  trace.disable();
  propagation.disable();
  context.disable();
}

/** Adds traceparent (and tracestate) for the active span to outgoing request headers. */
export function injectTraceContext(headers: Record<string, string>): void {
  if (provider) propagation.inject(context.active(), headers);
}

/**
 * A server span per HTTP request, continuing the caller's trace (traceparent), with the rest of the
 * request handled inside it. `service` names the span (gateway, staffing, ...).
 */
export function serverSpans(service: string): RequestHandler {
  return (req, res, next) => {
    if (!provider) return next();
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(`${service} ${req.method} ${req.baseUrl || req.path}`, {
      kind: SpanKind.SERVER,
      attributes: { 'bianwai.service': service, 'http.request.method': req.method, 'url.path': req.baseUrl || req.path },
    }, parent);
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

/** Runs fn inside a span named name (a child of the active one). */
export async function withSpan<T>(name: string, attributes: Record<string, string | number | boolean>, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!provider) return fn(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

// ---- SQL spans: the Prisma driver adapter, wrapped -------------------------------------------------

const STATEMENT_KIND = /^\s*(\w+)/;

function sqlSpan<T>(database: string, sql: string, run: () => Promise<T>): Promise<T> {
  if (!provider) return run();
  const operation = (STATEMENT_KIND.exec(sql)?.[1] ?? 'SQL').toUpperCase();
  // Statements are parameterised: the text holds no values, so no personal data.
  return withSpan(`${operation} ${database}`, { 'db.system.name': 'postgresql', 'db.namespace': database, 'db.operation.name': operation, 'db.query.text': sql.slice(0, 2000) }, run);
}

function tracedQueryable<Q extends SqlQueryable>(target: Q, database: string, extra: (prop: string | symbol, value: unknown) => unknown = () => undefined): Q {
  return new Proxy(target, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t) as unknown;
      if (prop === 'queryRaw' || prop === 'executeRaw') {
        return (query: SqlQuery) => sqlSpan(database, query.sql, () => (value as (q: SqlQuery) => Promise<unknown>).call(t, query));
      }
      const replaced = extra(prop, value);
      if (replaced !== undefined) return replaced;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}

/**
 * The adapter with a span per SQL statement (inside transactions too), named by statement kind and
 * database. When tracing is off at call time, the statement runs as it is.
 */
export function tracedAdapter(factory: SqlDriverAdapterFactory, database: string): SqlDriverAdapterFactory {
  const wrapAdapter = (adapter: SqlDriverAdapter): SqlDriverAdapter =>
    tracedQueryable(adapter, database, (prop, value) => {
      if (prop === 'executeScript') return (script: string) => sqlSpan(database, script, () => (value as (s: string) => Promise<void>).call(adapter, script));
      if (prop === 'startTransaction') {
        return async (...args: unknown[]) => tracedQueryable((await (value as (...a: unknown[]) => Promise<Transaction>).apply(adapter, args)), database);
      }
      return undefined;
    });
  return new Proxy(factory, {
    get(t, prop) {
      const value = Reflect.get(t, prop, t) as unknown;
      if (prop === 'connect') return async () => wrapAdapter(await (value as () => Promise<SqlDriverAdapter>).call(t));
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}
