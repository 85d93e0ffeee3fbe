// Who is calling and may they: Basic authentication and roles.cfg authorization per route.
import { availableParallelism } from 'node:os';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import pLimit from 'p-limit';
import type { Db } from '../db/db.ts';
import { AppError, forbidden, unauthorized } from '../errors.ts';
import { getPeople, type PersonData, type PersonRow } from '../store/people.ts';
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
    /** Load the person the URL names together with the caller, in the same query. */
    loadsSubject?: boolean;
    /** Also read the version of that person's Book of Life in that query (for the book cache). */
    loadsBookVersion?: boolean;
  }
  interface FastifyRequest {
    caller: Caller | null;
    /** The person the URL names, when the route asked for it: null when there is none. */
    subject: PersonRow | null | undefined;
  }
}

/**
 * bcrypt checks running at once in this process. The others wait without using CPU, so a
 * flood of wrong passwords leaves a core to the requests the credential cache answers.
 */
const bcryptSlots = pLimit(Math.max(1, availableParallelism() - 1));
/** Checks allowed to wait; beyond that a check is refused at once instead of queued without bound. */
const MAX_WAITING_CHECKS = 64;

function limitedBcrypt<T>(check: () => Promise<T>): Promise<T> {
  if (bcryptSlots.pendingCount >= MAX_WAITING_CHECKS) {
    return Promise.reject(new AppError(503, 'Too many password checks under way; try again shortly', { 'Retry-After': '1' }));
  }
  return bcryptSlots(check);
}

/** Checks under way by credentials: a burst of requests with the same new credentials costs one bcrypt. */
const checksUnderWay = new Map<string, Promise<boolean>>();

function verifyOnce(id: string, password: string, hash: string): Promise<boolean> {
  const key = `${id}\0${password}\0${hash}`;
  let check = checksUnderWay.get(key);
  if (!check) {
    check = limitedBcrypt(() => verifyPassword(password, hash)).finally(() => checksUnderWay.delete(key));
    checksUnderWay.set(key, check);
  }
  return check;
}

/**
 * Verifies Basic credentials against people.data.password. Every way of failing (no such
 * person, no or malformed hash, inactive, no roles, wrong password) answers the same null
 * after the same bcrypt work, so neither status nor timing tells which accounts exist.
 */
export async function authenticate(
  db: Db,
  cache: CredentialCache,
  header: string | undefined,
  subjectId?: string,
  bookVersions = false,
): Promise<{ caller: Caller; subject?: PersonRow | null } | null> {
  const creds = parseBasic(header);
  if (!creds) return null;
  const wanted = subjectId === undefined || subjectId === creds.id ? [creds.id] : [creds.id, subjectId];
  const rows = await getPeople(db, wanted, { bookVersions });
  const person = rows.find((r) => r.id === creds.id);
  const data = person?.data;
  const hash = data?.password;
  if (!data || !isBcryptHash(hash)) {
    await limitedBcrypt(() => dummyVerify(creds.password));
    return null;
  }
  if (!cache.has(creds.id, creds.password, hash)) {
    if (!(await verifyOnce(creds.id, creds.password, hash))) return null;
    cache.remember(creds.id, creds.password, hash);
  }
  // Checked after the password so a refusal costs the same as a wrong password.
  if (data.active === false) return null;
  const roles = Array.isArray(data.roles) ? data.roles.filter((r): r is string => typeof r === 'string') : [];
  if (roles.length === 0) return null;
  const caller = { id: creds.id, roles, data, global: false };
  if (subjectId === undefined) return { caller };
  return { caller, subject: rows.find((r) => r.id === subjectId) ?? null };
}

export interface AuthOptions {
  db: Db;
  roles: Roles;
  cache?: CredentialCache;
}

async function authPlugin(app: FastifyInstance, options: AuthOptions) {
  const cache = options.cache ?? new CredentialCache();
  app.decorateRequest('caller', null);
  app.decorateRequest('subject', undefined);
  app.decorate('credentialCache', cache);

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const endpoint = request.routeOptions.config.endpoint;
    if (!endpoint) return;
    const personId = (request.params as Record<string, string> | undefined)?.person_id;
    const { loadsSubject, loadsBookVersion } = request.routeOptions.config;
    const subjectId = loadsSubject || loadsBookVersion ? personId : undefined;
    const found = await authenticate(options.db, cache, request.headers.authorization, subjectId, loadsBookVersion);
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
