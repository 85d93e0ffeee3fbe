// What an audit entry says about a request: who, what action on which resource of whose record, and how it ended.
import type { FastifyRequest } from 'fastify';
import { certificateAccount } from '../auth/client-cert.ts';
import { parseBasic } from '../auth/credentials.ts';
import type { AuditEntry } from '../store/audit.ts';

export type AuditResource = 'person' | 'page' | 'document' | 'audit';

/** What a request touches, said by a route that decides access itself (the FHIR facade's, `authenticateOnly`). */
export interface AuditTarget {
  resource: AuditResource;
  resourceId: string | null;
  subject: string | null;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Overrides what the route's roles.cfg endpoint says about its audit entries. */
    audit?: { resource?: AuditResource; action?: string } | false;
  }
  interface FastifyRequest {
    /** Set by the handler of an `authenticateOnly` route once it knows what the request touches; null: no person data. */
    auditTarget: AuditTarget | null;
  }
}

/**
 * The resource each roles.cfg endpoint of person data reaches. Every route of these endpoints
 * is audited without naming it (a new route under `person` or `people`, such as FHIR's, too).
 */
const RESOURCE_OF_ENDPOINT: Readonly<Record<string, AuditResource>> = {
  people: 'person',
  person: 'person',
  password: 'person',
  book: 'page',
  page: 'page',
  personaldocs: 'document',
  poldocs: 'document',
  audit: 'audit',
  personaudit: 'audit',
};

const ACTION_OF_METHOD: Readonly<Record<string, string>> = {
  GET: 'read',
  HEAD: 'read',
  POST: 'create',
  PATCH: 'update',
  PUT: 'update',
  DELETE: 'delete',
};

function param(request: FastifyRequest, name: string): string | null {
  const params = request.params as Record<string, unknown> | undefined;
  const value = params?.[name];
  return typeof value === 'string' ? value : null;
}

export function outcomeOf(status: number): string {
  if (status < 400) return 'success';
  if (status === 403) return 'refused';
  if (status >= 500) return 'error';
  return 'failed';
}

/** The address the failed-login limits count (the socket's peer, or whom THALAMUS_TRUST_PROXY's proxies name). */
const addressOf = (request: FastifyRequest) => request.ip ?? null;

/**
 * The entry for this request answered with `status`, or null when it touches no person data
 * and is no failed login. A 401 or 429 of a protected route is a failed login: its actor is
 * the account id that was tried (never the password), and it is recorded whatever the route.
 */
export function auditEntry(request: FastifyRequest, status: number): AuditEntry | null {
  const config = request.routeOptions.config;
  const endpoint = config?.endpoint;
  if ((!endpoint && !config?.authenticateOnly) || config.audit === false) return null;
  const target = request.auditTarget;
  const resource = target?.resource ?? config.audit?.resource ?? (endpoint ? RESOURCE_OF_ENDPOINT[endpoint] : undefined);
  const failedLogin = (status === 401 || status === 429) && request.caller === null;
  const header = request.headers.authorization;
  // Without an Authorization header, the account a verified client certificate named (auth/client-cert.ts).
  const triedId = failedLogin ? (parseBasic(header)?.id ?? (header === undefined ? certificateAccount(request) : null)) : null;
  if (!resource && !(failedLogin && triedId !== null)) return null;
  const subject = target ? target.subject : param(request, 'person_id');
  const itemId = param(request, 'doc_id') ?? param(request, 'page_id');
  const resourceId = target ? target.resourceId : (itemId ?? (resource === 'person' ? subject : null));
  let action = config.audit?.action ?? ACTION_OF_METHOD[request.method] ?? request.method.toLowerCase();
  if (action === 'read' && resourceId === null) action = 'list';
  return {
    time: new Date(),
    actor: failedLogin ? triedId : (request.caller?.id ?? null),
    action: failedLogin ? 'login' : action,
    resource: resource ?? 'account',
    resourceId,
    subject,
    outcome: outcomeOf(status),
    status,
    address: addressOf(request),
    requestId: request.id,
  };
}
