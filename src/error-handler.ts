// The one error handler: every thrown error becomes {"error": message} with the right status.
import type { FastifyError, FastifyInstance } from 'fastify';
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

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    if (err instanceof AppError) {
      reply.headers(err.headers).code(err.statusCode).send({ error: err.message });
      return;
    }
    if (isUnavailable(err)) {
      request.log.error({ err }, 'database unavailable');
      reply.code(503).header('Retry-After', '5').send({ error: 'The database is unavailable; try again shortly' });
      return;
    }
    if (isUnstorable(err)) {
      reply.code(422).send({ error: 'The request holds a value the database cannot store (e.g. a \\u0000 character or an oversized id)' });
      return;
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      reply.code(400).send({ error: `Invalid request: ${fe.message}` });
      return;
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      reply.code(413).send({ error: `The request body is larger than the limit of ${app.initialConfig.bodyLimit} bytes` });
      return;
    }
    const status = fe.statusCode;
    if (status && status >= 400 && status < 500) {
      reply.code(status).send({ error: fe.message });
      return;
    }
    request.log.error({ err }, 'unexpected error');
    reply.code(500).send({ error: 'Internal server error' });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ error: `No route ${request.method} ${request.url.split('?')[0]}` });
  });
}
