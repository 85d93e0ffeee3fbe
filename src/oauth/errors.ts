// The token server's errors (RFC 6749 §5.2): {"error": code, "error_description": text}, never cached.
import { AppError } from '../errors.ts';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

const oauthError = (status: number, code: string, description: string, headers: Record<string, string> = {}) =>
  new AppError(status, code, { ...NO_STORE, ...headers }, { error_description: description });

export const invalidRequest = (description: string) => oauthError(400, 'invalid_request', description);
/** Client authentication failed: 401 with a Basic challenge (RFC 6749 §5.2). */
export const invalidClient = (description = 'Client authentication failed') =>
  oauthError(401, 'invalid_client', description, { 'WWW-Authenticate': 'Basic realm="Thalamus", charset="UTF-8"' });
export const invalidGrant = (description: string) => oauthError(400, 'invalid_grant', description);
export const unauthorizedClient = (description: string) => oauthError(400, 'unauthorized_client', description);
export const unsupportedGrantType = (description: string) => oauthError(400, 'unsupported_grant_type', description);
export const invalidScope = (description: string) => oauthError(400, 'invalid_scope', description);
export const unsupportedTokenType = (description: string) => oauthError(400, 'unsupported_token_type', description);
export const temporarilyUnavailable = (description: string) =>
  oauthError(503, 'temporarily_unavailable', description, { 'Retry-After': '30' });
/** The brute-force guard refused before checking the password: 429, with its Retry-After. */
export const tooManyAttempts = (description: string, headers: Record<string, string>) =>
  oauthError(429, 'temporarily_unavailable', description, headers);
export { NO_STORE };
