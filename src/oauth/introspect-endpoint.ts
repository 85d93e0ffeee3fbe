// POST /oauth2/introspect (RFC 7662): whether an access token holds now, and what it may do, for a service that asks.
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { parseBearer, type AccessToken } from '../auth/bearer.ts';
import type { Caller } from '../auth/caller.ts';
import { clientAddress } from '../auth/client-address.ts';
import { parseBasic } from '../auth/credentials.ts';
import { invalidAccessToken, unauthorized } from '../errors.ts';
import { getClient } from '../store/clients.ts';
import { authenticatedClient, formDecoded } from './client-credentials.ts';
import { invalidRequest, NO_STORE } from './errors.ts';
import { formParams } from './token-server.ts';

/**
 * Who asks (RFC 7662 §2.1 requires some authorization): a registered client by its Basic
 * credentials (client_secret_basic, as resource servers and OAuth libraries send them) or its
 * token; a person by Basic or Bearer, with the API's checks and brute-force guard. 401 otherwise.
 */
async function askerOf(app: FastifyInstance, request: FastifyRequest): Promise<Caller> {
  const header = request.headers.authorization;
  const token = parseBearer(header);
  if (token !== null) {
    const found = await app.accessTokens.holding(token);
    if (!found) throw invalidAccessToken();
    return found.caller;
  }
  const basic = parseBasic(header);
  if (!basic) throw unauthorized();
  // A client's Basic credentials are form-encoded first (RFC 6749 §2.3.1); an account's are not.
  const clientId = formDecoded(basic.id);
  if (!clientId.includes('\0') && (await getClient(app.db, clientId))) {
    const client = await authenticatedClient(app, { id: clientId, secret: formDecoded(basic.password) });
    return { id: client.id, kind: 'client', roles: client.roles, data: {}, global: false };
  }
  const person = await app.accounts.verifyPassword(basic.id, basic.password, clientAddress(request.ip));
  if (!person) throw unauthorized();
  return person;
}

/**
 * A registered client (a service) and the root role may introspect any token; any other
 * caller only its own (a health professional reading other people's records has no business
 * with their tokens). A token that does not hold now, by the same checks as the API
 * (signature, audience, expiry, the account active with the same password, revocation), or
 * that the caller may not see, is `{"active": false}` and nothing else (§2.2). The scope and
 * roles answered are those the API would grant now: the token's, less roles the account lost.
 */
const mayIntrospect = (asker: Caller, token: AccessToken) =>
  asker.kind === 'client' || asker.roles.includes('root') || (asker.kind === 'person' && token.kind === 'person' && asker.id === token.sub);

const introspectEndpoint: FastifyPluginAsync = async (app) => {
  app.post('/oauth2/introspect', { config: { body: 'form', crossSite: 'allowed' } }, async (request, reply) => {
    const asker = await askerOf(app, request);
    const form = formParams(request);
    if (form.token === undefined) throw invalidRequest('token is missing');
    const found = await app.accessTokens.holding(form.token);
    reply.headers(NO_STORE);
    if (!found || !mayIntrospect(asker, found.token)) {
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
