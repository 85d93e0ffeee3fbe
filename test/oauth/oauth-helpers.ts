// Helpers of the token server's tests: form posts to its endpoints, and tokens for the demo accounts.
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';

export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
/** What every token endpoint answer carries (RFC 6749 §5.1). */
export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** A form body; a list repeats the parameter. */
export function formBody(params: Record<string, string | string[]>): string {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) for (const v of [value].flat()) body.append(name, v);
  return body.toString();
}

export function postForm(
  app: FastifyInstance,
  url: string,
  params: Record<string, string | string[]>,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'POST', url, headers: { ...FORM, ...headers }, payload: formBody(params) });
}

export const tokenRequest = (app: FastifyInstance, params: Record<string, string | string[]>, headers: Record<string, string> = {}) =>
  postForm(app, '/oauth2/token', params, headers);

/** An access token for an account, by the password grant. */
export async function passwordToken(app: FastifyInstance, who: { id: string; password: string }, scope?: string): Promise<string> {
  const res = await tokenRequest(app, { grant_type: 'password', username: who.id, password: who.password, ...(scope ? { scope } : {}) });
  assert.equal(res.statusCode, 200, res.body);
  return res.json<{ access_token: string }>().access_token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The token's claims, verified against the keys the server publishes. */
export async function verifiedClaims(app: FastifyInstance, token: string, audience = 'thalamus'): Promise<JWTPayload> {
  const jwks = (await app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: [] }>();
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { audience, typ: 'at+jwt', algorithms: ['ES256'] });
  return payload;
}

/** The error body of RFC 6749 §5.2. */
export const oauthError = (error: string, error_description: string) => ({ error, error_description });
