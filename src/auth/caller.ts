// Who is calling: the authenticated caller (and the person the URL names) on the request, and requireCaller for handlers.
import type { FastifyRequest } from 'fastify';
import { unauthorized } from '../errors.ts';
import type { PersonData, PersonRow } from '../store/people.ts';
import { can, type Roles } from './acl.ts';

export interface Caller {
  /** A federation account id, or a registered client's id. */
  id: string;
  /** A person (Basic, or a token of the password grant) or a registered client (a token of client_credentials). */
  kind: 'person' | 'client';
  roles: string[];
  /** The caller's own person document (with its hash; never send it as is); empty for a client. */
  data: PersonData;
  /** One of the caller's roles may act on other people. */
  global: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The roles.cfg endpoint name; a route without one is public. */
    endpoint?: string;
    /** Load the person the URL names together with the caller, in the same query. */
    loadsSubject?: boolean;
    /** Like loadsSubject, for a route whose person is not :person_id (a FHIR search's patient): which person to load, given the caller's id. */
    subjectOf?: (request: FastifyRequest, callerId: string) => string | undefined;
    /** Authenticate the caller but leave the roles.cfg decision to the handler (mayRead): one route, several endpoints. */
    authenticateOnly?: boolean;
  }
  interface FastifyInstance {
    /** The roles.cfg in force, for handlers that decide access themselves. */
    acl: Roles;
  }
  interface FastifyRequest {
    /** Set by the auth hook on every route with an endpoint; null on public routes. */
    caller: Caller | null;
    /** The person the URL names, when the route asked for it: null when there is none. */
    subject: PersonRow | null | undefined;
  }
}

/**
 * The authenticated caller of a route that names an endpoint (the auth hook has run, so there
 * is one). On a public route there is none: that is answered 401, never a crash.
 */
export function requireCaller(request: FastifyRequest): Caller {
  if (!request.caller) throw unauthorized();
  return request.caller;
}

/** Whether the caller's roles let them GET `endpoint` (of `personId`, when it names one), by the rule of acl.ts. */
export function mayRead(roles: Roles, caller: Caller, endpoint: string, personId?: string): boolean {
  return can(roles, caller, { method: 'GET', endpoint, personId });
}
