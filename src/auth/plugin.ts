// Who is calling and may they: Basic authentication and roles.cfg authorization per route.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, unauthorized } from '../errors.ts';
import type { Queryable } from '../db/db.ts';
import type { AccountLookup, PersonRow } from '../store/people.ts';
import { can, isGlobal, type Roles } from './acl.ts';
import type { Caller } from './caller.ts';
import { clientAddress } from './client-address.ts';
import { parseBasic } from './credentials.ts';
import { CredentialCache } from './credential-cache.ts';
import { LoginGuard } from './login-guard.ts';
import { createPersonLoader, type PersonLoader } from './person-loader.ts';
import { PasswordChecks } from './password-checks.ts';
import { isUsableHash } from './passwords.ts';

/** What authenticating needs: the batched person lookups, the verified-credential cache, the bcrypt threads, the brute-force guard. */
interface Authenticator {
  people: PersonLoader;
  cache: CredentialCache;
  checks: PasswordChecks;
  guard: LoginGuard;
  /** Comparisons under way, by the cache's key: a burst of requests with the same new credentials costs one bcrypt. */
  underWay: Map<string, Promise<boolean>>;
}

function verifyOnce({ checks, underWay }: Authenticator, key: string, password: string, hash: string, address: string): Promise<boolean> {
  let check = underWay.get(key);
  if (!check) {
    check = checks.compare(password, hash, address).finally(() => underWay.delete(key));
    underWay.set(key, check);
  }
  return check;
}

/**
 * Checks a password against the account as loaded. Every way of failing (no such person, no
 * or malformed hash, inactive, no roles, wrong password) answers the same null after the same
 * bcrypt work, so neither status nor timing tells which accounts exist, and counts as a failed
 * login of that account id from that address (auth/login-guard.ts). A locked account id, or
 * an address past its limit, is answered 429 before any bcrypt work.
 */
async function checkPassword(
  auth: Authenticator,
  id: string,
  password: string,
  account: AccountLookup,
  address: string,
): Promise<Caller | null> {
  auth.guard.checkAccount(account);
  const data = account.person?.data;
  const hash = data?.password;
  // A hash with a cost out of bounds never reaches bcrypt: it gets the dummy work of an unknown account.
  const key = data && isUsableHash(hash) ? auth.cache.keyOf(id, password, hash) : null;
  if (key === null || !auth.cache.has(key)) {
    await auth.guard.checkAddress(address);
    const matches =
      key === null ? await auth.checks.compare(password, null, address) : await verifyOnce(auth, key, password, hash as string, address);
    if (!matches || key === null) {
      await auth.guard.failed(id, address);
      return null;
    }
    auth.cache.remember(key);
    await auth.guard.succeeded(account);
  }
  // Checked after the password so a refusal costs the same as a wrong password.
  const roles = Array.isArray(data?.roles) ? data.roles.filter((r): r is string => typeof r === 'string') : [];
  if (!data || data.active === false || roles.length === 0) {
    await auth.guard.failed(id, address);
    return null;
  }
  return { id, roles, data, global: false };
}

/** Verifies Basic credentials, loading the caller and the person the URL names in the same batched query. */
async function authenticate(
  auth: Authenticator,
  header: string | undefined,
  address: string,
  subjectOf: (callerId: string) => string | undefined,
): Promise<{ caller: Caller; subject?: PersonRow | null } | null> {
  const creds = parseBasic(header);
  if (!creds) return null;
  const subjectId = subjectOf(creds.id);
  const wanted = subjectId === undefined || subjectId === creds.id ? [creds.id] : [creds.id, subjectId];
  const rows = await Promise.all(wanted.map((id) => auth.people.load(id)));
  const caller = await checkPassword(auth, creds.id, creds.password, rows[0], address);
  if (!caller) return null;
  if (subjectId === undefined) return { caller };
  return { caller, subject: rows[wanted.indexOf(subjectId)].person };
}

/** The `:person_id` of the URL, read before validation (onRequest), when the route has one. */
function personIdOf(params: unknown): string | undefined {
  return typeof params === 'object' && params !== null && 'person_id' in params && typeof params.person_id === 'string'
    ? params.person_id
    : undefined;
}

/** Password sign-in for other parts of the server (the token endpoint's password grant), with the same checks, cache and brute-force guard as Basic. */
export interface Accounts {
  /** The account as a caller when the password is right and it may sign in; null otherwise, after the same work either way; 429 while locked. */
  verifyPassword(id: string, password: string, address: string): Promise<Caller | null>;
}

declare module 'fastify' {
  interface FastifyInstance {
    accounts: Accounts;
  }
}

export interface AuthOptions {
  db: Queryable;
  roles: Roles;
  /** Failed logins per minute one client address may make before its password checks stop (0: no limit). */
  failuresPerAddress: number;
}

async function authPlugin(app: FastifyInstance, options: AuthOptions) {
  const auth: Authenticator = {
    people: createPersonLoader(options.db),
    cache: new CredentialCache(),
    checks: new PasswordChecks(),
    guard: new LoginGuard({ db: options.db, failuresPerAddress: options.failuresPerAddress }),
    underWay: new Map(),
  };
  app.addHook('onClose', () => auth.checks.close());
  app.decorate('acl', options.roles);
  app.decorate('accounts', {
    verifyPassword: async (id: string, password: string, address: string) =>
      checkPassword(auth, id, password, await auth.people.load(id), address),
  });
  app.decorateRequest('caller', null);
  app.decorateRequest('subject', undefined);

  app.addHook('onRequest', async (request) => {
    const { endpoint, authenticateOnly } = request.routeOptions.config;
    if (!endpoint && !authenticateOnly) return;
    const personId = personIdOf(request.params);
    const { loadsSubject, subjectOf } = request.routeOptions.config;
    const subject = (callerId: string) => (subjectOf ? subjectOf(request, callerId) : loadsSubject ? personId : undefined);
    const found = await authenticate(auth, request.headers.authorization, clientAddress(request.ip), subject);
    if (!found) throw unauthorized();
    const { caller } = found;
    caller.global = isGlobal(options.roles, caller.roles);
    request.caller = caller;
    request.subject = found.subject;
    if (endpoint && !can(options.roles, caller, { method: request.method, endpoint, personId })) {
      throw forbidden(`Not permitted: ${request.method} ${endpoint}${personId && personId !== caller.id ? ' of another person' : ''}`);
    }
  });
}

export default fp(authPlugin, { name: 'thalamus-auth' });
