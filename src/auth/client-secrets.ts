// Registered clients' secrets: made at random, stored as a digest, compared in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Client ids: short, printable, safe in a Basic header and a JWT (no ':' which Basic splits on). */
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** 256 random bits, base64url: too many to guess, so a fast digest is a safe way to store it (RFC 6819 §5.1.4.1.3). */
export const newClientSecret = (): string => randomBytes(32).toString('base64url');

export const hashClientSecret = (secret: string): string => `sha256:${createHash('sha256').update(secret).digest('base64url')}`;

export function clientSecretMatches(secret: string, stored: string): boolean {
  const given = Buffer.from(hashClientSecret(secret));
  const expected = Buffer.from(stored);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
