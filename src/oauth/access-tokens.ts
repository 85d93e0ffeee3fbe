// Access tokens: JWTs (RFC 9068) signed with the current signing key.
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Signer } from './signing-keys.ts';

/** Who a token is for: a federation account (password grant) or a registered client (client_credentials). */
export interface TokenSubject {
  kind: 'person' | 'client';
  id: string;
  /** The roles the token carries (its scope): a subset of the subject's roles. */
  roles: readonly string[];
  /** credentialFingerprint of the subject's stored password or secret hash. */
  fingerprint: string;
  /** The registered client the token was issued to, if one authenticated. */
  clientId?: string;
  /** The refresh token family the token comes from, so that revoking the family revokes it. */
  family?: string;
}

export interface TokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface IssuedAccessToken {
  token: string;
  jti: string;
  expiresIn: number;
}

export async function issueAccessToken(signer: Signer, settings: TokenSettings, subject: TokenSubject): Promise<IssuedAccessToken> {
  const key = await signer.current();
  const jti = randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    scope: subject.roles.join(' '),
    roles: [...subject.roles],
    sub_kind: subject.kind,
    fp: subject.fingerprint,
  };
  if (subject.clientId !== undefined) claims.client_id = subject.clientId;
  if (subject.family !== undefined) claims.fam = subject.family;
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .setIssuer(settings.issuer)
    .setSubject(subject.id)
    .setAudience(settings.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + settings.ttlSeconds)
    .setJti(jti)
    .sign(key.key);
  return { token, jti, expiresIn: settings.ttlSeconds };
}
