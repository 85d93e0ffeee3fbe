// The rules every new password meets, on every way in (API, password form, CLI): 8 to 64 characters, at most 72 bytes, not common.
import { isCommonPassword } from './common-passwords.ts';
import { MAX_PASSWORD_LENGTH } from './passwords.ts';

export const MIN_PASSWORD_LENGTH = 8;
/** bcrypt reads only the first 72 bytes: past them, two different passwords would be the same. */
export const MAX_PASSWORD_BYTES = 72;

/** The first rule the password breaks (length in characters, bytes, not common), as a sentence; null when it is fine. */
export function passwordProblem(password: string): string | null {
  const length = [...password].length;
  if (length === 0) return 'Enter a new password.';
  if (length < MIN_PASSWORD_LENGTH) return `The password is too short: use ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`;
  if (length > MAX_PASSWORD_LENGTH) return `The password is too long: use ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`;
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    return 'The password is too long: letters outside A to Z count as 2 to 4 characters; use fewer.';
  }
  if (isCommonPassword(password)) return 'This is one of the most common passwords: choose one that is harder to guess.';
  return null;
}
