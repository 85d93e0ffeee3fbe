// CSRF tokens of the HTML forms: stateless HMACs bound to the caller, the form's person and an expiry.
import { createHmac, timingSafeEqual } from 'node:crypto';

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

const TOKEN = /^(\d{1,13})\.([A-Za-z0-9_-]{43})$/;

function mac(secret: string, binding: TokenBinding, expires: number): Buffer {
  // NUL separators: no two different bindings give the same input.
  return createHmac('sha256', secret)
    .update(['thalamus-csrf-v1', binding.callerId, binding.callerHash, binding.personId, String(expires)].join('\0'))
    .digest();
}

/** A token for the hidden csrf_token field: "<expiry seconds>.<HMAC-SHA256, base64url>". */
export function issueToken(secret: string, binding: TokenBinding, now = Date.now()): string {
  const expires = Math.floor((now + TOKEN_LIFETIME_MS) / 1000);
  return `${expires}.${mac(secret, binding, expires).toString('base64url')}`;
}

/** True when the token was issued by this server for this binding and has not expired. */
export function verifyToken(secret: string, binding: TokenBinding, token: unknown, now = Date.now()): boolean {
  if (typeof token !== 'string') return false;
  const match = TOKEN.exec(token);
  if (!match) return false;
  const expires = Number(match[1]);
  if (expires * 1000 <= now) return false;
  const given = Buffer.from(match[2], 'base64url');
  const expected = mac(secret, binding, expires);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
