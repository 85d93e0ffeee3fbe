// Who is calling and may they: Basic, Bearer or client-certificate authentication, and roles.cfg authorization per route.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { forbidden, invalidAccessToken, unauthorized } from '../errors.ts';
import type { Queryable } from '../db/db.ts';
import { can, isGlobal, type Roles } from './acl.ts';
import { authenticateBasic, checkPassword, createPasswordAuth } from './basic.ts';
import { BearerVerifier, parseBearer, type BearerSettings } from './bearer.ts';
import type { Caller } from './caller.ts';
import { authenticateCertificate, certificateAccount } from './client-cert.ts';
import { clientAddress } from './client-address.ts';
import { createPersonLoader } from './person-loader.ts';
import { RevocationList } from './revocation-list.ts';
import { lookupClient } from '../store/clients.ts';
import { authenticateBearer, holdingToken } from './token-auth.ts';
import type { AccessToken } from './bearer.ts';

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

/** Access tokens for the token server's own endpoints (revocation, introspection). */
export interface AccessTokens {
  /** The token's signed content when its signature, audience, issuer and expiry hold; null otherwise. */
  verify(token: string): Promise<AccessToken | null>;
  /** The token and its caller when the API would accept it now (also its account, password, roles, revocation); null otherwise. */
  holding(token: string): Promise<{ token: AccessToken; caller: Caller } | null>;
}

declare module 'fastify' {
  interface FastifyInstance {
    accounts: Accounts;
    accessTokens: AccessTokens;
  }
}

export interface AuthOptions {
  db: Queryable;
  roles: Roles;
  /** Failed logins per minute one client address may make before its password checks stop (0: no limit). */
  failuresPerAddress: number;
  /** The TLS handshake asks for client certificates (THALAMUS_TLS_CLIENT_CERT): a verified one authenticates a request without an Authorization header. */
  clientCertificates?: boolean;
  /** How access tokens are checked (issuer, audience, lifetime). */
  tokens: BearerSettings;
}

async function authPlugin(app: FastifyInstance, options: AuthOptions) {
  const people = createPersonLoader(options.db);
  const passwords = createPasswordAuth(people, options.db, options.failuresPerAddress);
  const tokens = {
    people,
    bearer: new BearerVerifier(options.db, options.tokens),
    revocations: new RevocationList(options.db),
    clients: (id: string) => lookupClient(options.db, id),
  };
  app.addHook('onClose', () => passwords.checks.close());
  app.decorate('acl', options.roles);
  app.decorate('accounts', {
    verifyPassword: async (id: string, password: string, address: string) =>
      checkPassword(passwords, id, password, await people.load(id), address),
  });
  app.decorate('accessTokens', {
    verify: (token: string) => tokens.bearer.verify(token),
    holding: (token: string) => holdingToken(tokens, token),
  });
  app.decorateRequest('caller', null);
  app.decorateRequest('subject', undefined);

  app.addHook('onRequest', async (request) => {
    const { endpoint, authenticateOnly } = request.routeOptions.config;
    if (!endpoint && !authenticateOnly) return;
    const personId = personIdOf(request.params);
    const { loadsSubject, subjectOf } = request.routeOptions.config;
    const subject = (callerId: string) => (subjectOf ? subjectOf(request, callerId) : loadsSubject ? personId : undefined);
    const header = request.headers.authorization;
    const token = parseBearer(header);
    // An Authorization header says who acts in this request; the connection's certificate speaks for requests that send none.
    const certified = header === undefined && options.clientCertificates ? certificateAccount(request) : null;
    const found =
      certified !== null
        ? await authenticateCertificate(people, certified, subject)
        : token === null
          ? await authenticateBasic(passwords, header, clientAddress(request.ip), subject)
          : await authenticateBearer(tokens, token, subject);
    if (!found) throw token === null ? unauthorized() : invalidAccessToken();
    const { caller } = found;
    caller.global = isGlobal(options.roles, caller.roles);
    request.caller = caller;
    request.subject = found.subject;
    if (endpoint && !can(options.roles, caller, { method: request.method, endpoint, personId })) {
      const other = personId !== undefined && (caller.kind !== 'person' || personId !== caller.id);
      throw forbidden(`Not permitted: ${request.method} ${endpoint}${other ? ' of another person' : ''}`);
    }
  });
}

export default fp(authPlugin, { name: 'thalamus-auth' });
