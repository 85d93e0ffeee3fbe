// The fingerprint of an account's stored credential, carried in its tokens: a password change makes them stop working.
import { createHash } from 'node:crypto';

/**
 * A digest of the account id and its *stored* hash (a person's bcrypt hash, a client's secret
 * hash). Access tokens carry it; the auth hook compares it with the row it loads anyway, so a
 * new password or secret ends every token issued before, on every instance, with no lookup of
 * its own. Tokens are readable by their holder, so this reveals only a digest of a salted hash,
 * from which nothing about the password can be learnt without the hash itself.
 */
export function credentialFingerprint(id: string, storedHash: string): string {
  return createHash('sha256').update('thalamus-credential\0').update(id).update('\0').update(storedHash).digest('base64url').slice(0, 22);
}
