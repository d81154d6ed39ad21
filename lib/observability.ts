// JSON logs (pino) and the request id, shared by the gateway and the subgraphs. Each HTTP request gets a
// request id (the caller's x-request-id when it is a sane token, else a new UUID), which the gateway
// passes on to every subgraph request and which appears in every log line written while the request is
// handled (AsyncLocalStorage + pino mixin). One line per request, written asynchronously. Every line
// passes through a filter that masks resident ID numbers, whatever logged them; names, tokens and
// variables are never logged (and redacted by key should anyone try). A line costs about 5 µs.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestHandler, Response } from 'express';
import { maskIdNumbersIn } from './access-log.ts';
import { injectTraceContext } from './tracing.ts';

export const REQUEST_ID_HEADER = 'x-request-id';
const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** What is known about one HTTP request when it ends: for its log line and metrics. */
export interface RequestObservation {
  readonly requestId: string;
  /** performance.now() at arrival. */
  readonly started: number;
  /** The GraphQL operation's name, once known. */
  operation: string | null;
  /** extensions.code of each error answered. */
  errorCodes: string[];
}

const scope = new AsyncLocalStorage<RequestObservation>();

/** The request being handled, if any (inside observeRequests). */
export function currentObservation(): RequestObservation | undefined {
  return scope.getStore();
}

/** Request id and trace context for a request this process makes while handling one. */
export function correlationHeaders(headers: Record<string, string>): Record<string, string> {
  const id = scope.getStore()?.requestId;
  if (id) headers[REQUEST_ID_HEADER] = id;
  injectTraceContext(headers);
  return headers;
}

// ---- where lines go ------------------------------------------------------------------------------

let destination: DestinationStream | null = null;

/** Every line, ID numbers masked, to stdout asynchronously (or where setLogDestination says). */
const sink: DestinationStream & { flushSync(): void } = {
  write(line: string) {
    (destination ??= pino.destination({ dest: 1, sync: false })).write(maskIdNumbersIn(line));
  },
  flushSync() {
    (destination as { flushSync?: () => void } | null)?.flushSync?.();
  },
};

/** Sends log lines elsewhere (tests capture them); null goes back to stdout. */
export function setLogDestination(stream: DestinationStream | null): void {
  destination = stream;
}

const NEVER_LOGGED = new Set(['authorization', 'headers', 'token', 'variables', 'idNumber', 'name', 'person']);

/** A service's logger. LOG_LEVEL (default info; silent for none) is read when the service starts. */
export function createLogger(service: string): Logger {
  return pino(
    {
      level: process.env.LOG_LEVEL ?? 'info',
      base: { service },
      formatters: {
        level: (label) => ({ level: label }),
        // pino's own redact costs ~18 µs a line with wildcard paths; these keys are simply never logged.
        log(fields) {
          for (const key in fields) if (NEVER_LOGGED.has(key)) fields[key] = '<redacted>';
          return fields;
        },
      },
      mixin: () => {
        const id = scope.getStore()?.requestId;
        return id ? { requestId: id } : {};
      },
    },
    sink,
  );
}

// ---- per request -------------------------------------------------------------------------------

/**
 * Gives the request its id (echoed in the x-request-id response header), handles it inside that scope,
 * and when the response is done writes one log line and calls onDone (metrics).
 */
export function observeRequests(logger: Logger, onDone: (observation: RequestObservation, res: Response) => void): RequestHandler {
  return (req, res, next) => {
    const given = req.get(REQUEST_ID_HEADER);
    const observation: RequestObservation = {
      requestId: given && SANE_REQUEST_ID.test(given) ? given : randomUUID(),
      started: performance.now(),
      operation: null,
      errorCodes: [],
    };
    res.setHeader(REQUEST_ID_HEADER, observation.requestId);
    res.once('close', () => {
      const ms = Math.round((performance.now() - observation.started) * 10) / 10;
      onDone(observation, res);
      scope.run(observation, () =>
        logger.info(
          {
            method: req.method,
            path: req.baseUrl || req.path,
            status: res.statusCode,
            ms,
            ...(observation.operation ? { operation: observation.operation } : {}),
            ...(observation.errorCodes.length ? { errors: observation.errorCodes } : {}),
            ...(res.writableFinished ? {} : { aborted: true }),
          },
          'request',
        ),
      );
    });
    scope.run(observation, next);
  };
}

/** Notes an error answered outside GraphQL execution (authentication, limits, bad bodies). */
export function observeError(code: string): void {
  scope.getStore()?.errorCodes.push(code);
}

/** Fills the request's observation with the operation's name and the codes of the errors answered. */
export const observationPlugin: ApolloServerPlugin<any> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, errors, operationName, request }) {
        const observation = scope.getStore();
        if (!observation) return;
        observation.operation = operationName ?? request.operationName ?? null;
        const answered = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
        for (const e of answered ?? errors ?? []) observation.errorCodes.push(String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
      },
    };
  },
};
