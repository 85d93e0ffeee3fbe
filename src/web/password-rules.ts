// The password form's check of the submitted pair: equal, then the rules every new password meets (auth/password-policy.ts).
import { passwordProblem } from '../auth/password-policy.ts';

export { MIN_PASSWORD_LENGTH } from '../auth/password-policy.ts';

export type PasswordField = 'password' | 'pconfirm';
export interface FieldError {
  field: PasswordField;
  message: string;
}

/** The first rule the pair breaks, in the contract's order (equal, length, not common), or null. */
export function checkNewPassword(password: string, pconfirm: string): FieldError | null {
  if (password !== pconfirm) return { field: 'pconfirm', message: 'The two passwords do not match.' };
  const problem = passwordProblem(password);
  return problem === null ? null : { field: 'password', message: problem };
}
