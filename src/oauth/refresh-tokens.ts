// Refresh tokens (RFC 6749 §6): issued with the password grant, rotated at every use, the family ended on replay.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { rolesOf } from '../auth/basic.ts';
import { credentialFingerprint } from '../auth/credential-fingerprint.ts';
import type { Queryable } from '../db/db.ts';
import { getPerson } from '../store/people.ts';
import {
  deleteRefreshFamily,
  insertRefreshToken,
  lockRefreshToken,
  markRefreshTokenUsed,
  type RefreshTokenRow,
} from '../store/refresh-tokens.ts';
import { revoke, revokedFamily } from '../store/revocations.ts';
import { issueAccessToken } from './access-tokens.ts';
import { invalidGrant, invalidRequest } from './errors.ts';
import { grantedRoles } from './scope.ts';
import { CLOCK_SKEW } from './signing-keys.ts';
import type { TokenResponse } from './token-endpoint.ts';

/** Opaque, 256 random bits; only its digest is stored, so the table alone lets nobody refresh. */
const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

/** A new refresh token of `family` (a new family when none is given), stored; the token text to hand out. */
export async function newRefreshToken(
  q: Queryable,
  ttlSeconds: number,
  grant: { person: string; roles: readonly string[]; fp: string; family?: string },
): Promise<{ token: string; family: string }> {
  const token = randomBytes(32).toString('base64url');
  const family = grant.family ?? randomUUID();
  await insertRefreshToken(q, { hash: digest(token), family, person: grant.person, roles: [...grant.roles], fp: grant.fp }, ttlSeconds);
  return { token, family };
}

/**
 * Ends a family: its refresh tokens are forgotten and the access tokens issued from it are
 * revoked for as long as any of them may live.
 */
export async function endFamily(q: Queryable, family: string, accessTokenTtl: number): Promise<void> {
  await deleteRefreshFamily(q, family);
  await revoke(q, [revokedFamily(family)], new Date(Date.now() + (accessTokenTtl + CLOCK_SKEW) * 1000));
}

/** For the revocation endpoint: ends the family of a refresh token; false when the text is no refresh token of ours. */
export async function revokeRefreshToken(app: FastifyInstance, token: string): Promise<boolean> {
  return app.db.transaction(async (tx) => {
    const row = await lockRefreshToken(tx, digest(token));
    if (row) await endFamily(tx, row.family, app.tokenServer.config.accessTokenTtl);
    return row !== null;
  });
}

type Outcome = { ok: RefreshTokenRow & { data: Record<string, unknown> } } | { refused: string };

/**
 * Takes the presented token in one transaction: unknown or expired is refused; already used is
 * a replay (a stolen copy, or the legitimate client after the thief): the family ends (RFC 9700
 * §4.14.2); otherwise it is marked used, and the account must still hold the grant (active,
 * the same password, the roles) or the family ends too.
 */
async function take(app: FastifyInstance, token: string): Promise<Outcome> {
  const ttl = app.tokenServer.config.accessTokenTtl;
  return app.db.transaction(async (tx): Promise<Outcome> => {
    const row = await lockRefreshToken(tx, digest(token));
    if (!row) return { refused: 'The refresh token is invalid or expired' };
    if (row.used) {
      await endFamily(tx, row.family, ttl);
      return { refused: 'The refresh token was used already: every token of its grant is revoked' };
    }
    await markRefreshTokenUsed(tx, row.hash);
    const data = (await getPerson(tx, row.person))?.data;
    const password = data?.password;
    if (!data || data.active === false || typeof password !== 'string' || credentialFingerprint(row.person, password) !== row.fp) {
      await endFamily(tx, row.family, ttl);
      return { refused: 'The account no longer holds this grant (password changed or account inactive)' };
    }
    return { ok: { ...row, data } };
  });
}

/** grant_type=refresh_token: a new access token and a new refresh token of the same family; the old refresh token is spent. */
export async function refreshGrant(app: FastifyInstance, request: FastifyRequest, form: Record<string, string>): Promise<TokenResponse> {
  if (form.refresh_token === undefined) throw invalidRequest('refresh_token is missing');
  const outcome = await take(app, form.refresh_token);
  if ('refused' in outcome) throw invalidGrant(outcome.refused);
  const { person, family, fp, data } = outcome.ok;
  // The original grant's roles the account still holds; scope may narrow them, never widen (RFC 6749 §6).
  const held = outcome.ok.roles.filter((role) => rolesOf(data).includes(role));
  if (held.length === 0) throw invalidGrant('The account no longer holds any role of this grant');
  const roles = grantedRoles(form.scope, held);
  const server = app.tokenServer;
  const issued = await issueAccessToken(server.signer(), server.settings(request), {
    kind: 'person',
    id: person,
    roles,
    fingerprint: fp,
    family,
  });
  const next = await newRefreshToken(app.db, server.config.refreshTokenTtl, { person, roles: held, fp, family });
  return {
    access_token: issued.token,
    token_type: 'Bearer',
    expires_in: issued.expiresIn,
    scope: roles.join(' '),
    refresh_token: next.token,
  };
}
