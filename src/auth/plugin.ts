// Who is calling and may they: Basic authentication and roles.cfg authorization per route.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/db.ts';
import { forbidden, unauthorized } from '../errors.ts';
import { getPerson, type PersonData } from '../store/people.ts';
import { can, isGlobal, type Roles } from './acl.ts';
import { parseBasic } from './credentials.ts';
import { CredentialCache } from './credential-cache.ts';
import { dummyVerify, isBcryptHash, verifyPassword } from './passwords.ts';

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
  }
  interface FastifyRequest {
    caller: Caller | null;
  }
}

/**
 * Verifies Basic credentials against people.data.password. Every way of failing (no such
 * person, no or malformed hash, inactive, no roles, wrong password) answers the same null
 * after the same bcrypt work, so neither status nor timing tells which accounts exist.
 */
export async function authenticate(db: Db, cache: CredentialCache, header: string | undefined): Promise<Caller | null> {
  const creds = parseBasic(header);
  if (!creds) return null;
  const person = await getPerson(db, creds.id);
  const data = person?.data;
  const hash = data?.password;
  if (!data || !isBcryptHash(hash)) {
    await dummyVerify(creds.password);
    return null;
  }
  if (!cache.has(creds.id, creds.password, hash)) {
    if (!(await verifyPassword(creds.password, hash))) return null;
    cache.remember(creds.id, creds.password, hash);
  }
  // Checked after the password so a refusal costs the same as a wrong password.
  if (data.active === false) return null;
  const roles = Array.isArray(data.roles) ? data.roles.filter((r): r is string => typeof r === 'string') : [];
  if (roles.length === 0) return null;
  return { id: creds.id, roles, data, global: false };
}

export interface AuthOptions {
  db: Db;
  roles: Roles;
  cache?: CredentialCache;
}

async function authPlugin(app: FastifyInstance, options: AuthOptions) {
  const cache = options.cache ?? new CredentialCache();
  app.decorateRequest('caller', null);
  app.decorate('credentialCache', cache);

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const endpoint = request.routeOptions.config.endpoint;
    if (!endpoint) return;
    const caller = await authenticate(options.db, cache, request.headers.authorization);
    if (!caller) throw unauthorized();
    caller.global = isGlobal(options.roles, caller.roles);
    request.caller = caller;
    const personId = (request.params as Record<string, string> | undefined)?.person_id;
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
