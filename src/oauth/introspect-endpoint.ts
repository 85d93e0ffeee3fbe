// POST /oauth2/introspect (RFC 7662): whether an access token holds now, and what it may do, for a service that asks.
import type { FastifyPluginAsync } from 'fastify';
import type { AccessToken } from '../auth/bearer.ts';
import type { Caller } from '../auth/caller.ts';
import { invalidRequest, NO_STORE } from './errors.ts';
import { formParams } from './token-server.ts';

/**
 * The caller authenticates as the API does (Basic or Bearer, 401 otherwise; RFC 7662 §2.1
 * requires some authorization). A registered client (a service, with its client_credentials
 * token) and the root role may introspect any token; any other caller only its own (a health
 * professional reading other people's records has no business with their tokens). A token that does not hold now, by the same checks as the API
 * (signature, audience, expiry, the account active with the same password, revocation), or
 * that the caller may not see, is `{"active": false}` and nothing else (§2.2). The scope and
 * roles answered are those the API would grant now: the token's, less roles the account lost.
 */
const mayIntrospect = (asker: Caller, token: AccessToken) =>
  asker.kind === 'client' || asker.roles.includes('root') || (asker.kind === 'person' && token.kind === 'person' && asker.id === token.sub);

const introspectEndpoint: FastifyPluginAsync = async (app) => {
  app.post('/oauth2/introspect', { config: { body: 'form', crossSite: 'allowed', authenticateOnly: true } }, async (request, reply) => {
    const form = formParams(request);
    if (form.token === undefined) throw invalidRequest('token is missing');
    const asker = request.caller;
    const found = await app.accessTokens.holding(form.token);
    reply.headers(NO_STORE);
    if (!found || !asker || !mayIntrospect(asker, found.token)) {
      return reply.send({ active: false });
    }
    const { token, caller } = found;
    const { iss, aud, iat, exp, jti, sub, client_id: clientId } = token.claims;
    return reply.send({
      active: true,
      scope: caller.roles.join(' '),
      ...(typeof clientId === 'string' ? { client_id: clientId } : {}),
      username: sub,
      token_type: 'Bearer',
      exp,
      iat,
      sub,
      aud,
      iss,
      jti,
      roles: caller.roles,
      sub_kind: token.kind,
    });
  });
};

export default introspectEndpoint;
