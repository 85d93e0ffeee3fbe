// GET /.well-known/jwks.json and the server's metadata (OpenID Connect Discovery, RFC 8414), so others verify tokens offline.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { publishedKeys } from '../store/signing-keys.ts';
import { SIGNING_ALG, CLOCK_SKEW } from './signing-keys.ts';
import { GRANT_TYPES } from './token-endpoint.ts';

const discovery: FastifyPluginAsync<{ roleNames: readonly string[] }> = async (app, { roleNames }) => {
  const server = app.tokenServer;

  app.get('/.well-known/jwks.json', async (_request, reply) => {
    // A retired key stays published while a token it signed may still be valid.
    const rows = await publishedKeys(app.db, server.config.accessTokenTtl + CLOCK_SKEW);
    // Short, so verifiers see a rotation soon; a verifier meeting an unknown kid refetches anyway.
    return reply.header('Cache-Control', 'public, max-age=300').send({ keys: rows.map((r) => r.public_jwk) });
  });

  const metadata = async (request: FastifyRequest, reply: FastifyReply) => {
    const issuer = server.issuer(request);
    return reply.header('Cache-Control', 'public, max-age=300').send({
      issuer,
      token_endpoint: `${issuer}/oauth2/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      revocation_endpoint: `${issuer}/oauth2/revoke`,
      revocation_endpoint_auth_methods_supported: ['none'],
      introspection_endpoint: `${issuer}/oauth2/introspect`,
      introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
      grant_types_supported: GRANT_TYPES,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      scopes_supported: roleNames,
      response_types_supported: [],
      // Not registered metadata: the algorithm of the access tokens (RFC 9068 JWTs), for verifiers.
      access_token_signing_alg_values_supported: [SIGNING_ALG],
    });
  };
  app.get('/.well-known/openid-configuration', metadata);
  app.get('/.well-known/oauth-authorization-server', metadata);
};

export default discovery;
