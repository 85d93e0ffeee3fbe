// The privilege-carrying fields of a person (roles, active, password), guarded on every write (the fixes in docs/wire-contract.md).
import { isDeepStrictEqual } from 'node:util';
import { forbidden, unprocessable } from '../errors.ts';
import { hashPassword, isBcryptHash, MAX_PASSWORD_LENGTH } from '../auth/passwords.ts';
import type { PersonData } from '../store/people.ts';

export interface Writer {
  id: string;
  roles: readonly string[];
}

const DEFAULT_ROLES = ['end_user'];
export const isRoot = (caller: Writer) => caller.roles.includes('root');
const onlyEndUser = (roles: unknown) => roles === undefined || (Array.isArray(roles) && roles.every((r) => r === 'end_user'));

function checkRoles(roles: unknown): void {
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) throw unprocessable('roles must be a list of role names');
}

function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password === '') throw unprocessable('Password must be a non-empty string');
  // bcrypt reads 72 bytes at most; the reference refused more than 64 characters.
  if (password.length > MAX_PASSWORD_LENGTH) throw unprocessable('Password is too long');
  return password;
}

/**
 * POST /people/<id>: `roles` default to ["end_user"] and only root may grant more; a password
 * that is already a bcrypt hash is stored as given (accounts moved from another node), any
 * other is hashed. `active` is stored as the client sent it.
 */
export async function newPersonData(caller: Writer, id: string, body: PersonData): Promise<PersonData> {
  const data: PersonData = { ...body, id };
  if (body.roles === undefined) data.roles = DEFAULT_ROLES;
  else {
    checkRoles(body.roles);
    if (!onlyEndUser(body.roles) && !isRoot(caller)) throw forbidden('Only root may grant roles beyond end_user');
  }
  if (body.password === undefined || body.password === null) delete data.password;
  else {
    const password = checkPassword(body.password);
    data.password = isBcryptHash(password) ? password : await hashPassword(password);
  }
  return data;
}

/**
 * PATCH (merge) and PUT (replace) of /people/<id>. The id cannot change; nobody changes their
 * own roles or active flag; only root changes roles beyond end_user; only the person or root
 * sets a password, always stored hashed. A PUT that omits password, roles or active keeps the
 * stored ones, so re-sending a document read from GET (which never has the hash) locks nobody out.
 */
export async function updatedPersonData(
  caller: Writer,
  id: string,
  stored: PersonData,
  body: PersonData,
  mode: 'merge' | 'replace',
): Promise<PersonData> {
  if ('id' in body && (mode === 'merge' || body.id !== id)) throw unprocessable('Not allowed to change the person ID');
  const self = caller.id === id;
  if ('roles' in body && !isDeepStrictEqual(body.roles, stored.roles)) {
    checkRoles(body.roles);
    if (self) throw forbidden('Not allowed to change your own roles');
    if (!isRoot(caller) && !(onlyEndUser(body.roles) && onlyEndUser(stored.roles))) throw forbidden('Only root may change roles');
  }
  if ('active' in body && body.active !== stored.active && self) throw forbidden('Not allowed to change your own active status');
  const data: PersonData = mode === 'merge' ? { ...body } : { ...body, id };
  if ('password' in body) {
    if (!self && !isRoot(caller)) throw forbidden('Only the person themself or root may change the password');
    data.password = await hashPassword(checkPassword(body.password));
  }
  if (mode === 'replace') {
    for (const key of ['password', 'roles', 'active']) {
      if (!(key in body) && key in stored) data[key] = stored[key];
    }
  }
  return data;
}
