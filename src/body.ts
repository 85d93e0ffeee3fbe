// Request bodies: JSON whatever the Content-Type says (docs/wire-contract.md, "Transport"), forms where a route asks.
import { parse as parseQueryString } from 'node:querystring';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { badRequest, reasonOf } from './errors.ts';

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
  app.addContentTypeParser('*', { parseAs: 'string' }, (request: FastifyRequest, text: string | Buffer, done) => {
    const raw = typeof text === 'string' ? text : text.toString('utf8');
    if (request.routeOptions.config?.body === 'form') {
      done(null, { ...parseQueryString(raw) });
      return;
    }
    if (raw.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(raw));
    } catch (err) {
      done(badRequest(`Malformed JSON body: ${reasonOf(err)}`), undefined);
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
