// OperationOutcome: how every error under /fhir is answered (FHIR R4, http.html#summary).
import type { FastifyError, FastifyInstance } from 'fastify';
import type { OperationOutcome } from 'fhir/r4.js';
import { answerTo } from '../error-handler.ts';
import type { AppError } from '../errors.ts';

export const FHIR_JSON = 'application/fhir+json; charset=utf-8';

type IssueCode = OperationOutcome['issue'][number]['code'];

/** The issue type (valueset issue-type) of each HTTP status the facade answers. */
function issueCode(status: number): IssueCode {
  switch (status) {
    case 400:
    case 422:
      return 'invalid';
    case 401:
      return 'login';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 405:
    case 406:
    case 415:
      return 'not-supported';
    case 413:
      return 'too-costly';
    case 429:
      return 'throttled';
    case 503:
      return 'transient';
    default:
      return 'exception';
  }
}

export function operationOutcome(status: number, diagnostics: string): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [{ severity: status >= 500 ? 'fatal' : 'error', code: issueCode(status), diagnostics }],
  };
}

/** Every error thrown under /fhir (auth, validation, handlers, the database) as an OperationOutcome, and unknown paths as 404. */
export function registerOutcomes(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    const { status, message, headers } = answerTo(app, err, request);
    reply.headers(headers).code(status).type(FHIR_JSON).send(operationOutcome(status, message));
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .type(FHIR_JSON)
      .send(operationOutcome(404, `No FHIR interaction at ${request.method} ${request.url.split('?')[0]}`));
  });
}
