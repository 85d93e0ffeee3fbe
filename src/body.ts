// Request bodies: JSON whatever the Content-Type says (docs/wire-contract.md, "Transport"), forms where a route asks.
import { parse as parseQueryString } from 'node:querystring';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest } from './errors.ts';
import { parseJsonBody, strictUtf8 } from './json-body.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'form' routes take application/x-www-form-urlencoded; every other route takes JSON. */
    body?: 'json' | 'form';
  }
}

/**
 * The Python clients send JSON with no Content-Type or as form-urlencoded, so one catch-all
 * parser reads the raw text (Fastify enforces the body limit while reading, answering 413)
 * and parses it as the route expects.
 */
export function registerBodyParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request: FastifyRequest, bytes: string | Buffer, done) => {
    try {
      const raw = typeof bytes === 'string' ? bytes : strictUtf8(bytes);
      if (request.routeOptions.config?.body === 'form') done(null, { ...parseQueryString(raw) });
      else done(null, raw.trim() === '' ? undefined : parseJsonBody(raw));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
}

const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The body as a JSON object, or a 400 naming what arrived instead. */
export function jsonObject(body: unknown): Record<string, unknown> {
  if (body === undefined) throw badRequest('A JSON object body is required');
  if (!isJsonObject(body)) {
    throw badRequest(`The body must be a JSON object, not ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body}`);
  }
  return body;
}
