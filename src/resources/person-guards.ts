// The privilege-carrying fields of a person (roles, active, password), guarded on every write (the fixes in docs/wire-contract.md).
import { isDeepStrictEqual } from 'node:util';
import { forbidden, unprocessable } from '../errors.ts';
import { passwordProblem } from '../auth/password-policy.ts';
import { bcryptCost, hashPassword, isBcryptHash, isUsableHash, MAX_BCRYPT_COST, MIN_BCRYPT_COST } from '../auth/passwords.ts';
import type { PersonData } from '../store/people.ts';

export interface Writer {
  id: string;
  roles: readonly string[];
  /** A registered client is never the person, whatever its id. */
  kind?: 'person' | 'client';
}

const isSelf = (caller: Writer, id: string) => caller.kind !== 'client' && caller.id === id;

const DEFAULT_ROLES = ['end_user'];
export const isRoot = (caller: Writer) => caller.roles.includes('root');
const onlyEndUser = (roles: unknown) => roles === undefined || (Array.isArray(roles) && roles.every((r) => r === 'end_user'));

function checkRoles(roles: unknown): void {
  if (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string')) throw unprocessable('roles must be a list of role names');
}

/** `active` is the login switch: a string such as "false" would leave the account open, so only a boolean is taken. */
function checkActive(body: PersonData): void {
  if ('active' in body && typeof body.active !== 'boolean') throw unprocessable('active must be true or false');
}

/** An account with no roles can do nothing but exist; leaving one so is only allowed by deactivating it. */
function checkHasRoles(roles: unknown, active: unknown): void {
  if (Array.isArray(roles) && roles.length === 0 && active !== false) {
    throw unprocessable('An account needs at least one role; to take every right away, set active to false');
  }
}

/** A plain password that meets the rules (docs/wire-contract.md), hashed; 422 with the reason otherwise. */
async function hashNewPassword(password: unknown): Promise<string> {
  if (typeof password !== 'string') throw unprocessable('Password must be a string');
  const problem = passwordProblem(password);
  if (problem) throw unprocessable(problem);
  return hashPassword(password);
}

/**
 * The hash to store for the body's password, computed before any transaction opens (a
 * quarter of a second of bcrypt must not hold a database connection), or undefined when the
 * body sets none. On POST a ready-made bcrypt hash (HMIS nodes send them) is kept, but only
 * with a cost from 10 to 14; on PATCH and PUT only the person themself or root may set one,
 * always as a plain password.
 */
export async function newPasswordHash(
  caller: Writer,
  id: string,
  body: PersonData,
  write: 'create' | 'update',
): Promise<string | undefined> {
  if (write === 'create') {
    if (body.password === undefined || body.password === null) return undefined;
    if (isBcryptHash(body.password)) {
      if (isUsableHash(body.password)) return body.password;
      throw unprocessable(
        `A bcrypt hash must have a cost from ${MIN_BCRYPT_COST} to ${MAX_BCRYPT_COST} (this one has ${bcryptCost(body.password)})`,
      );
    }
    return hashNewPassword(body.password);
  }
  if (!('password' in body)) return undefined;
  if (!isSelf(caller, id) && !isRoot(caller)) throw forbidden('Only the person themself or root may change the password');
  return hashNewPassword(body.password);
}

/**
 * POST /people/<id>: `roles` default to ["end_user"] and only root may grant more; `active`,
 * when given, is a boolean; `passwordHash` comes from newPasswordHash.
 */
export function newPersonData(caller: Writer, id: string, body: PersonData, passwordHash: string | undefined): PersonData {
  const data: PersonData = { ...body, id };
  checkActive(body);
  if (body.roles === undefined) data.roles = DEFAULT_ROLES;
  else {
    checkRoles(body.roles);
    if (!onlyEndUser(body.roles) && !isRoot(caller)) throw forbidden('Only root may grant roles beyond end_user');
    checkHasRoles(body.roles, body.active);
  }
  if (passwordHash === undefined) delete data.password;
  else data.password = passwordHash;
  return data;
}

/**
 * PATCH (merge) and PUT (replace) of /people/<id>. The id cannot change; nobody changes their
 * own roles or active flag; only root changes roles beyond end_user, or the roles or active
 * flag of an account that holds more than end_user (a health professional cannot lock root
 * out); no account is left without roles unless deactivated. A PUT that omits password,
 * roles or active keeps the stored ones, so re-sending a document read from GET (which never
 * has the hash) locks nobody out.
 */
export function updatedPersonData(
  caller: Writer,
  id: string,
  stored: PersonData,
  body: PersonData,
  mode: 'merge' | 'replace',
  passwordHash: string | undefined,
): PersonData {
  if ('id' in body && (mode === 'merge' || body.id !== id)) throw unprocessable('Not allowed to change the person ID');
  checkActive(body);
  const self = isSelf(caller, id);
  const rolesChange = 'roles' in body && !isDeepStrictEqual(body.roles, stored.roles);
  const activeChange = 'active' in body && body.active !== stored.active;
  if (rolesChange) {
    checkRoles(body.roles);
    if (self) throw forbidden('Not allowed to change your own roles');
    if (!isRoot(caller) && !(onlyEndUser(body.roles) && onlyEndUser(stored.roles))) throw forbidden('Only root may change roles');
  }
  if (activeChange) {
    if (self) throw forbidden('Not allowed to change your own active status');
    if (!isRoot(caller) && !onlyEndUser(stored.roles)) {
      throw forbidden('Only root may change the active status of an account with roles beyond end_user');
    }
  }
  if (rolesChange || activeChange) {
    checkHasRoles('roles' in body ? body.roles : stored.roles, 'active' in body ? body.active : stored.active);
  }
  const data: PersonData = mode === 'merge' ? { ...body } : { ...body, id };
  if (passwordHash !== undefined) data.password = passwordHash;
  if (mode === 'replace') {
    for (const key of ['password', 'roles', 'active']) {
      if (!(key in body) && key in stored) data[key] = stored[key];
    }
  }
  return data;
}
