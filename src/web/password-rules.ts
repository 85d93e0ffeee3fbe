// The rules a new password set through the form must meet (docs/wire-contract.md: 8 to 64 characters, not common).
import { MAX_PASSWORD_LENGTH } from '../auth/passwords.ts';
import { isCommonPassword } from './common-passwords.ts';

export const MIN_PASSWORD_LENGTH = 8;
/** bcrypt reads only the first 72 bytes: past them, two different passwords would be the same. */
const MAX_PASSWORD_BYTES = 72;

export type PasswordField = 'password' | 'pconfirm';
export interface FieldError {
  field: PasswordField;
  message: string;
}

/** The first rule the pair breaks, in the contract's order (equal, length, not common), or null. */
export function checkNewPassword(password: string, pconfirm: string): FieldError | null {
  if (password !== pconfirm) return { field: 'pconfirm', message: 'The two passwords do not match.' };
  const length = [...password].length;
  if (length === 0) return { field: 'password', message: 'Enter a new password.' };
  if (length < MIN_PASSWORD_LENGTH) {
    return { field: 'password', message: `The password is too short: use ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.` };
  }
  if (length > MAX_PASSWORD_LENGTH) {
    return { field: 'password', message: `The password is too long: use ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.` };
  }
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    return { field: 'password', message: 'The password is too long: letters outside A to Z count as 2 to 4 characters; use fewer.' };
  }
  if (isCommonPassword(password)) {
    return { field: 'password', message: 'This is one of the most common passwords: choose one that is harder to guess.' };
  }
  return null;
}
