// Bearer access tokens (RFC 6750): the signature, audience and expiry checked once per token, then remembered.
import { jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Queryable } from '../db/db.ts';
import { TokenKeys } from './token-keys.ts';

/** What the auth hook needs of a verified access token. */
export interface AccessToken {
  sub: string;
  kind: 'person' | 'client';
  jti: string;
  /** Seconds since the epoch. */
  exp: number;
  roles: string[];
  /** credentialFingerprint of the subject's stored hash when the token was issued. */
  fp: string;
  family?: string;
  /** The registered client the token was issued to, if one authenticated. */
  clientId?: string;
  /** Every claim, as signed (introspection answers with them). */
  claims: JWTPayload;
}

export interface BearerSettings {
  /** Checked when set; without THALAMUS_ISSUER the issuer varies with the address used, and the signature alone says the token is ours. */
  issuer: string | null;
  audience: string;
  /** The token lifetime; a retired key stays valid this long. */
  ttlSeconds: number;
}

/** Keys stay published this long past their tokens' lifetime, for other verifiers' clocks (the oauth side uses the same). */
const KEY_GRACE_SECONDS = 60;
/** Our own instances share a clock (NTP): a token is ours to accept only a few seconds past its expiry. */
const CLOCK_TOLERANCE = 5;

const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((e) => typeof e === 'string');

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function parseBearer(header: string | undefined): string | null {
  const match = header ? /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)\s*$/i.exec(header) : null;
  return match ? match[1] : null;
}

/**
 * Verifies tokens with the published keys. A verified token is remembered (by its text, until
 * it expires), so a client using one token for many requests pays for the signature once.
 * Only the signed content is remembered: whether the token still holds (password, active,
 * revocation) is decided at every request from the rows read then.
 */
export class BearerVerifier {
  private readonly keys: TokenKeys;
  private readonly verified = new LRUCache<string, AccessToken>({ max: 10_000 });

  constructor(
    db: Queryable,
    private readonly settings: BearerSettings,
  ) {
    this.keys = new TokenKeys(db, settings.ttlSeconds + KEY_GRACE_SECONDS);
  }

  async verify(token: string): Promise<AccessToken | null> {
    const known = this.verified.get(token);
    if (known) return known.exp + CLOCK_TOLERANCE > Date.now() / 1000 ? known : null;
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.keys.getKey, {
        algorithms: ['ES256'],
        typ: 'at+jwt',
        audience: this.settings.audience,
        ...(this.settings.issuer ? { issuer: this.settings.issuer } : {}),
        requiredClaims: ['sub', 'exp', 'jti'],
        clockTolerance: CLOCK_TOLERANCE,
      }));
    } catch {
      return null;
    }
    const { sub, exp, jti, roles, fp, fam, client_id: clientId, sub_kind: kind } = payload;
    if (typeof sub !== 'string' || typeof exp !== 'number' || typeof jti !== 'string' || typeof fp !== 'string') return null;
    if (!isStringList(roles) || (kind !== 'person' && kind !== 'client')) return null;
    const accepted: AccessToken = {
      sub,
      kind,
      jti,
      exp,
      roles,
      fp,
      claims: payload,
      ...(typeof fam === 'string' ? { family: fam } : {}),
      ...(typeof clientId === 'string' ? { clientId } : {}),
    };
    this.verified.set(token, accepted, { ttl: Math.max(1, (exp + CLOCK_TOLERANCE) * 1000 - Date.now()) });
    return accepted;
  }
}
