// POST /oauth2/revoke (RFC 7009): an access token stops being accepted, on every instance, from the next request on.
import type { FastifyPluginAsync } from 'fastify';
import { revoke, revokedFamily, revokedJti } from '../store/revocations.ts';
import { invalidRequest, NO_STORE } from './errors.ts';
import { CLOCK_SKEW } from './signing-keys.ts';
import { formParams } from './token-server.ts';

/**
 * Holding the token is the authority to revoke it (an app signing its user out), so a public
 * client (no secret, e.g. MyGNUHealth) needs no credentials here; a `client_id` it sends is
 * accepted and not needed. Whatever the token is (ours and valid, expired, forged, unknown),
 * the answer is the same empty 200 (RFC 7009 §2.2): the caller learns nothing about it. The
 * revocation is kept until the token would have expired anyway, plus the verifiers' clock skew.
 */
const revokeEndpoint: FastifyPluginAsync = async (app) => {
  app.post('/oauth2/revoke', { config: { body: 'form', crossSite: 'allowed' } }, async (request, reply) => {
    const form = formParams(request);
    if (form.token === undefined) throw invalidRequest('token is missing');
    // token_type_hint only speeds a lookup (RFC 7009 §2.1); every token here is tried as an access token.
    const token = await app.accessTokens.verify(form.token);
    if (token) {
      const ids = [revokedJti(token.jti), ...(token.family === undefined ? [] : [revokedFamily(token.family)])];
      await revoke(app.db, ids, new Date((token.exp + CLOCK_SKEW) * 1000));
    }
    return reply.headers(NO_STORE).code(200).send();
  });
};

export default revokeEndpoint;
