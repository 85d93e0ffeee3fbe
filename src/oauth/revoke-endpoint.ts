// POST /oauth2/revoke (RFC 7009): an access token stops being accepted, on every instance, from the next request on.
import type { FastifyPluginAsync } from 'fastify';
import { revoke, revokedJti } from '../store/revocations.ts';
import { invalidRequest, NO_STORE } from './errors.ts';
import { revokeRefreshToken } from './refresh-tokens.ts';
import { CLOCK_SKEW } from './signing-keys.ts';
import { formParams } from './token-server.ts';

/**
 * Holding the token is the authority to revoke it (an app signing its user out), so a public
 * client (no secret, e.g. MyGNUHealth) needs no credentials here; a `client_id` it sends is
 * accepted and not needed. Revoking an access token ends that token alone (the app may refresh);
 * revoking a refresh token ends its whole grant: every refresh token of the family and every
 * access token issued from it (RFC 7009 §2.1). Whatever the token is (ours and valid, expired, forged, unknown),
 * the answer is the same empty 200 (RFC 7009 §2.2): the caller learns nothing about it. The
 * revocation is kept until the token would have expired anyway, plus the verifiers' clock skew.
 */
const revokeEndpoint: FastifyPluginAsync = async (app) => {
  app.post('/oauth2/revoke', { config: { body: 'form', crossSite: 'allowed' } }, async (request, reply) => {
    const form = formParams(request);
    if (form.token === undefined) throw invalidRequest('token is missing');
    // token_type_hint only says which kind to try first (RFC 7009 §2.1); both kinds are tried.
    const refreshFirst = form.token_type_hint === 'refresh_token';
    if (!(refreshFirst && (await revokeRefreshToken(app, form.token)))) {
      const token = await app.accessTokens.verify(form.token);
      if (token) await revoke(app.db, [revokedJti(token.jti)], new Date((token.exp + CLOCK_SKEW) * 1000));
      else if (!refreshFirst) await revokeRefreshToken(app, form.token);
    }
    return reply.headers(NO_STORE).code(200).send();
  });
};

export default revokeEndpoint;
