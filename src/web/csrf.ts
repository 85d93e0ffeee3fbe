// CSRF tokens of the HTML forms: HMACs bound to the caller, the form's person, an expiry and a one-time nonce.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** How long a form stays valid after it was shown. */
export const TOKEN_LIFETIME_MS = 60 * 60 * 1000;

export interface TokenBinding {
  /** The authenticated caller. */
  callerId: string;
  /** The caller's stored password hash: a password change invalidates every form issued before. */
  callerHash: string;
  /** The person whose form this is: a token for one person's form is useless on another's. */
  personId: string;
}

/** A token whose HMAC holds: its nonce (spent once, src/store/form-tokens.ts) and when it expires. */
export interface ValidToken {
  nonce: string;
  expires: Date;
}

export type TokenCheck = { ok: true; token: ValidToken } | { ok: false; reason: 'invalid' | 'expired' };

const TOKEN = /^(\d{1,13})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

function mac(secret: string, binding: TokenBinding, expires: number, nonce: string): Buffer {
  // NUL separators: no two different bindings give the same input.
  return createHmac('sha256', secret)
    .update(['thalamus-csrf-v2', binding.callerId, binding.callerHash, binding.personId, String(expires), nonce].join('\0'))
    .digest();
}

/**
 * A token for the hidden csrf_token field: "<expiry seconds>.<nonce>.<HMAC-SHA256>", base64url.
 * The random nonce makes every form shown a different token, so one can be spent without the others.
 */
export function issueToken(secret: string, binding: TokenBinding, now = Date.now()): string {
  const expires = Math.floor((now + TOKEN_LIFETIME_MS) / 1000);
  const nonce = randomBytes(16).toString('base64url');
  return `${expires}.${nonce}.${mac(secret, binding, expires, nonce).toString('base64url')}`;
}

/**
 * Whether the token was issued by this server for this binding, and has not expired. Whether
 * it was already spent is the database's to say (spendFormToken), so every worker and instance agrees.
 */
export function checkToken(secret: string, binding: TokenBinding, token: unknown, now = Date.now()): TokenCheck {
  const match = typeof token === 'string' ? TOKEN.exec(token) : null;
  if (!match) return { ok: false, reason: 'invalid' };
  const expires = Number(match[1]);
  const given = Buffer.from(match[3], 'base64url');
  const expected = mac(secret, binding, expires, match[2]);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  // Checked after the HMAC: "expired" is said only of a form this server really issued to this caller.
  if (expires * 1000 <= now) return { ok: false, reason: 'expired' };
  return { ok: true, token: { nonce: match[2], expires: new Date(expires * 1000) } };
}
