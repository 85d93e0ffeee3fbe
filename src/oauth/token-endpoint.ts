// POST /oauth2/token (RFC 6749 §3.2): the grants, each answered with a token response or a §5.2 error.
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { clientAddress } from '../auth/client-address.ts';
import { credentialFingerprint } from '../auth/credential-fingerprint.ts';
import { AppError } from '../errors.ts';
import { parseBasic } from '../auth/credentials.ts';
import { issueAccessToken } from './access-tokens.ts';
import { invalidClient, invalidGrant, invalidRequest, NO_STORE, tooManyAttempts, unsupportedGrantType } from './errors.ts';
import { clientCredentialsGrant } from './client-credentials.ts';
import { newRefreshToken, refreshGrant } from './refresh-tokens.ts';
import { grantedRoles } from './scope.ts';
import { formParams } from './token-server.ts';

export const GRANT_TYPES = ['password', 'client_credentials', 'refresh_token'] as const;

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token?: string;
}

/**
 * The resource owner's credentials: the `username` and `password` parameters (RFC 6749 §4.3.2),
 * or, when there is no `username`, the Basic header, as the existing clients already send it
 * (`curl -u ESPGNU777ORG:gnusolidario -d grant_type=password`).
 */
function ownerCredentials(request: FastifyRequest, form: Record<string, string>): { id: string; password: string } {
  if (form.username === undefined) {
    const basic = parseBasic(request.headers.authorization);
    if (basic) return basic;
    throw invalidRequest('username and password are required (or the account as Basic credentials)');
  }
  if (request.headers.authorization !== undefined) throw invalidClient('No registered client has these credentials');
  if (form.password === undefined) throw invalidRequest('password is missing');
  return { id: form.username, password: form.password };
}

/** The brute-force guard's 429 (a locked account id, an address past its limit), in the RFC 6749 §5.2 shape, Retry-After kept. */
function asOAuthError(err: unknown): never {
  if (err instanceof AppError && err.statusCode === 429) throw tooManyAttempts(err.message, err.headers);
  throw err;
}

async function passwordGrant(app: FastifyInstance, request: FastifyRequest, form: Record<string, string>): Promise<TokenResponse> {
  const { id, password } = ownerCredentials(request, form);
  const caller = await app.accounts.verifyPassword(id, password, clientAddress(request.ip)).catch(asOAuthError);
  if (!caller) throw invalidGrant('The account id or password is wrong, or the account may not sign in');
  const roles = grantedRoles(form.scope, caller.roles);
  const server = app.tokenServer;
  const fingerprint = credentialFingerprint(caller.id, String(caller.data.password));
  // The refresh token carries the roles of this grant; its access tokens name its family, so ending the family ends them.
  const refresh = await newRefreshToken(app.db, server.config.refreshTokenTtl, { person: caller.id, roles, fp: fingerprint });
  const issued = await issueAccessToken(server.signer(), server.settings(request), {
    kind: 'person',
    id: caller.id,
    roles,
    fingerprint,
    family: refresh.family,
  });
  return {
    access_token: issued.token,
    token_type: 'Bearer',
    expires_in: issued.expiresIn,
    scope: roles.join(' '),
    refresh_token: refresh.token,
  };
}

const tokenEndpoint: FastifyPluginAsync = async (app) => {
  app.post('/oauth2/token', { config: { body: 'form', crossSite: 'allowed' } }, async (request, reply) => {
    const form = formParams(request);
    const grant = form.grant_type;
    if (grant === undefined) throw invalidRequest('grant_type is missing');
    // Refused before any password is checked, so a server that cannot sign spends no bcrypt.
    app.tokenServer.signer();
    let answer: TokenResponse;
    switch (grant) {
      case 'password':
        answer = await passwordGrant(app, request, form);
        break;
      case 'client_credentials':
        answer = await clientCredentialsGrant(app, request, form);
        break;
      case 'refresh_token':
        answer = await refreshGrant(app, request, form);
        break;
      default:
        throw unsupportedGrantType(`grant_type ${grant} is not supported (supported: ${GRANT_TYPES.join(', ')})`);
    }
    return reply.headers(NO_STORE).send(answer);
  });
};

export default tokenEndpoint;
