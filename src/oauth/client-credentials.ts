// Registered clients at the token endpoint: client authentication (RFC 6749 §2.3.1) and grant_type=client_credentials (§4.4).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { clientSecretMatches } from '../auth/client-secrets.ts';
import { credentialFingerprint } from '../auth/credential-fingerprint.ts';
import { parseBasic } from '../auth/credentials.ts';
import { getClient, type ClientRow } from '../store/clients.ts';
import { issueAccessToken } from './access-tokens.ts';
import { invalidClient, invalidRequest } from './errors.ts';
import { grantedRoles } from './scope.ts';
import type { TokenResponse } from './token-endpoint.ts';

/** Basic client credentials are form-encoded before base64 (RFC 6749 §2.3.1). */
export function formDecoded(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

/** The client credentials the request presents (Basic, or client_id and client_secret in the form), or null when none. */
export function presentedClient(request: FastifyRequest, form: Record<string, string>): { id: string; secret: string } | null {
  const header = request.headers.authorization;
  const inForm = form.client_secret !== undefined;
  // One method only (RFC 6749 §2.3).
  if (header !== undefined && inForm) throw invalidRequest('Client credentials were sent both as Basic and in the form');
  if (header !== undefined) {
    const basic = parseBasic(header);
    if (!basic) throw invalidClient('The Authorization header is not Basic client credentials');
    return { id: formDecoded(basic.id), secret: formDecoded(basic.password) };
  }
  if (inForm) {
    if (form.client_id === undefined) throw invalidRequest('client_secret without client_id');
    return { id: form.client_id, secret: form.client_secret };
  }
  return null;
}

/** The registered client, when the credentials are right; invalid_client otherwise, the same for an unknown id or a wrong secret. */
export async function authenticatedClient(app: FastifyInstance, presented: { id: string; secret: string }): Promise<ClientRow> {
  const client = presented.id.includes('\0') ? null : await getClient(app.db, presented.id);
  if (!client || !clientSecretMatches(presented.secret, client.secret_hash)) throw invalidClient('Client authentication failed');
  return client;
}

/** A token for the client itself, with the roles it was registered with (or those of them `scope` names). */
export async function clientCredentialsGrant(
  app: FastifyInstance,
  request: FastifyRequest,
  form: Record<string, string>,
): Promise<TokenResponse> {
  const presented = presentedClient(request, form);
  if (!presented) throw invalidClient('client_credentials needs the client to authenticate (Basic, or client_id and client_secret)');
  const client = await authenticatedClient(app, presented);
  const roles = grantedRoles(form.scope, client.roles);
  const server = app.tokenServer;
  const issued = await issueAccessToken(server.signer(), server.settings(request), {
    kind: 'client',
    id: client.id,
    roles,
    fingerprint: credentialFingerprint(client.id, client.secret_hash),
    clientId: client.id,
  });
  // No refresh token: the client can authenticate again at any time (RFC 6749 §4.4.3).
  return { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, scope: roles.join(' ') };
}
