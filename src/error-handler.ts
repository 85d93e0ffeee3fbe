// The one error handler: every thrown error becomes {"error": message} with the right status.
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { isUnavailable } from './db/db.ts';
import { AppError } from './errors.ts';

/**
 * PostgreSQL refusing a value the client sent (SQLSTATE class 22 "data exception", e.g. \u0000
 * in jsonb, or 54000 for an id too long to index): the request's fault, so 4xx, never 500.
 */
function isUnstorable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code === '54000');
}

/**
 * A race with a concurrent request that the store did not turn into a 404 or 422 itself:
 * a foreign key whose target was deleted meanwhile (23503), a unique id taken meanwhile (23505).
 */
function isConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '23503' || code === '23505';
}

/** What an error is answered with: status, a message safe to show, extra headers. */
export interface ErrorAnswer {
  status: number;
  message: string;
  headers: Record<string, string>;
}

/** Decides the answer to any thrown error (logging the unexpected ones); each API renders it in its own format. */
export function answerTo(app: FastifyInstance, err: FastifyError | AppError | Error, request: FastifyRequest): ErrorAnswer {
  if (err instanceof AppError) return { status: err.statusCode, message: err.message, headers: err.headers };
  if (isUnavailable(err)) {
    request.log.error({ err }, 'database unavailable');
    return { status: 503, message: 'The database is unavailable; try again shortly', headers: { 'Retry-After': '5' } };
  }
  if (isConflict(err)) {
    return { status: 409, message: 'Another request changed the records this one refers to at the same time; try again', headers: {} };
  }
  if (isUnstorable(err)) {
    return {
      status: 422,
      message: 'The request holds a value the database cannot store (e.g. a \\u0000 character or an oversized id)',
      headers: {},
    };
  }
  const fe = err as FastifyError;
  if (fe.validation) return { status: 400, message: `Invalid request: ${fe.message}`, headers: {} };
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, message: `The request body is larger than the limit of ${app.initialConfig.bodyLimit} bytes`, headers: {} };
  }
  const status = fe.statusCode;
  if (status && status >= 400 && status < 500) return { status, message: fe.message, headers: {} };
  request.log.error({ err }, 'unexpected error');
  return { status: 500, message: 'Internal server error', headers: {} };
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    const { status, message, headers } = answerTo(app, err, request);
    reply
      .headers(headers)
      .code(status)
      .send({ error: message, ...(err instanceof AppError ? err.fields : {}) });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `No route ${request.method} ${request.url.split('?')[0]}` });
  });
}
