// Who is calling and may they: Basic authentication and roles.cfg authorization per route.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, unauthorized } from '../errors.ts';
import type { Queryable } from '../db/db.ts';
import type { PersonData, PersonRow } from '../store/people.ts';
import { can, isGlobal, type Roles } from './acl.ts';
import { parseBasic } from './credentials.ts';
import { CredentialCache } from './credential-cache.ts';
import { createPersonLoader, type PersonLoader } from './person-loader.ts';
import { PasswordChecks } from './password-checks.ts';
import { isBcryptHash } from './passwords.ts';

export interface Caller {
  id: string;
  roles: string[];
  /** The caller's own person document (with its hash; never send it as is). */
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
  }
  interface FastifyRequest {
    caller: Caller | null;
    /** The person the URL names, when the route asked for it: null when there is none. */
    subject: PersonRow | null | undefined;
  }
}

/** Checks under way by credentials: a burst of requests with the same new credentials costs one bcrypt. */
const checksUnderWay = new Map<string, Promise<boolean>>();

function verifyOnce(checks: PasswordChecks, id: string, password: string, hash: string): Promise<boolean> {
  const key = `${id}\0${password}\0${hash}`;
  let check = checksUnderWay.get(key);
  if (!check) {
    check = checks.compare(password, hash).finally(() => checksUnderWay.delete(key));
    checksUnderWay.set(key, check);
  }
  return check;
}

/** What authenticating needs: the batched person lookups, the verified-credential cache, the bcrypt threads. */
export interface Authenticator {
  people: PersonLoader;
  cache: CredentialCache;
  checks: PasswordChecks;
}

/**
 * Verifies Basic credentials against people.data.password. Every way of failing (no such
 * person, no or malformed hash, inactive, no roles, wrong password) answers the same null
 * after the same bcrypt work, so neither status nor timing tells which accounts exist.
 */
export async function authenticate(
  { people, cache, checks }: Authenticator,
  header: string | undefined,
  subjectId?: string,
): Promise<{ caller: Caller; subject?: PersonRow | null } | null> {
  const creds = parseBasic(header);
  if (!creds) return null;
  const wanted = subjectId === undefined || subjectId === creds.id ? [creds.id] : [creds.id, subjectId];
  const rows = await Promise.all(wanted.map((id) => people.load(id)));
  const person = rows[0];
  const data = person?.data;
  const hash = data?.password;
  if (!data || !isBcryptHash(hash)) {
    await checks.compare(creds.password, null);
    return null;
  }
  if (!cache.has(creds.id, creds.password, hash)) {
    if (!(await verifyOnce(checks, creds.id, creds.password, hash))) return null;
    cache.remember(creds.id, creds.password, hash);
  }
  // Checked after the password so a refusal costs the same as a wrong password.
  if (data.active === false) return null;
  const roles = Array.isArray(data.roles) ? data.roles.filter((r): r is string => typeof r === 'string') : [];
  if (roles.length === 0) return null;
  const caller = { id: creds.id, roles, data, global: false };
  if (subjectId === undefined) return { caller };
  return { caller, subject: rows[wanted.indexOf(subjectId)] ?? null };
}

export interface AuthOptions {
  db: Queryable;
  roles: Roles;
  cache?: CredentialCache;
}

async function authPlugin(app: FastifyInstance, options: AuthOptions) {
  const cache = options.cache ?? new CredentialCache();
  const auth: Authenticator = { people: createPersonLoader(options.db), cache, checks: new PasswordChecks() };
  app.addHook('onClose', () => auth.checks.close());
  app.decorateRequest('caller', null);
  app.decorateRequest('subject', undefined);
  app.decorate('credentialCache', cache);

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const endpoint = request.routeOptions.config.endpoint;
    if (!endpoint) return;
    const personId = (request.params as Record<string, string> | undefined)?.person_id;
    const subjectId = request.routeOptions.config.loadsSubject ? personId : undefined;
    const found = await authenticate(auth, request.headers.authorization, subjectId);
    if (!found) throw unauthorized();
    const { caller } = found;
    caller.global = isGlobal(options.roles, caller.roles);
    request.caller = caller;
    request.subject = found.subject;
    if (!can(options.roles, caller, { method: request.method, endpoint, personId })) {
      throw forbidden(`Not permitted: ${request.method} ${endpoint}${personId && personId !== caller.id ? ' of another person' : ''}`);
    }
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    credentialCache: CredentialCache;
  }
}

export default fp(authPlugin, { name: 'thalamus-auth' });
