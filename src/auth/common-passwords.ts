// The most common passwords (zxcvbn-ts's ranked list of leaked passwords), for refusing them.
import { dictionary } from '@zxcvbn-ts/language-common';

// The list is lower case; built on first use so processes that never see the form skip the work.
let common: ReadonlySet<string> | undefined;

/** True when the password, ignoring case, is on the list of the most common passwords. */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(dictionary['passwords-common']);
  return common.has(password.toLowerCase());
}
