// Content negotiation under /fhir: JSON only (_format, then Accept); XML and anything else is 406.
import type { FastifyRequest } from 'fastify';
import accepts from 'accepts';
import { AppError } from '../errors.ts';

const JSON_FORMATS = new Set(['json', 'application/json', 'application/fhir+json', 'application/json+fhir']);
const JSON_TYPES = ['application/fhir+json', 'application/json', 'application/json+fhir'];

const notAcceptable = (what: string) =>
  new AppError(406, `${what} is not supported: this server speaks FHIR JSON only (_format=json, Accept: application/fhir+json)`);

/**
 * Throws 406 unless the request accepts FHIR JSON: `_format` wins over Accept (FHIR http.html#mime);
 * no Accept, or one that allows any JSON type or * / *, is JSON.
 */
export function checkFormat(request: FastifyRequest): void {
  const query = request.url.indexOf('?') >= 0 ? new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1)) : null;
  const format = query?.get('_format');
  if (format !== null && format !== undefined) {
    // A '+' in a query string is a space: "application/fhir+json" arrives as "application/fhir json".
    if (!JSON_FORMATS.has(format.trim().replace(' ', '+').toLowerCase())) throw notAcceptable(`_format=${format}`);
    return;
  }
  if (!request.headers.accept) return;
  if (accepts(request.raw).type(JSON_TYPES) === false) throw notAcceptable(`Accept: ${request.headers.accept}`);
}
