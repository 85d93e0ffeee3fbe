// HTTP Basic: the password checked against the stored bcrypt hash, through the cache, the bcrypt threads and the brute-force guard.
import type { Queryable } from '../db/db.ts';
import type { AccountLookup, PersonRow } from '../store/people.ts';
import type { Caller } from './caller.ts';
import { parseBasic } from './credentials.ts';
import { CredentialCache } from './credential-cache.ts';
import { LoginGuard } from './login-guard.ts';
import type { PersonLoader } from './person-loader.ts';
import { PasswordChecks } from './password-checks.ts';
import { isUsableHash } from './passwords.ts';

/** What checking passwords needs: the batched person lookups, the verified-credential cache, the bcrypt threads, the brute-force guard. */
export interface PasswordAuth {
  people: PersonLoader;
  cache: CredentialCache;
  checks: PasswordChecks;
  guard: LoginGuard;
  /** Comparisons under way, by the cache's key: a burst of requests with the same new credentials costs one bcrypt. */
  underWay: Map<string, Promise<boolean>>;
}

/** Who authenticated, and the person the URL names when the route asked for them. */
export interface Authenticated {
  caller: Caller;
  subject?: PersonRow | null;
}

export function createPasswordAuth(people: PersonLoader, db: Queryable, failuresPerAddress: number): PasswordAuth {
  return {
    people,
    cache: new CredentialCache(),
    checks: new PasswordChecks(),
    guard: new LoginGuard({ db, failuresPerAddress }),
    underWay: new Map(),
  };
}

function verifyOnce({ checks, underWay }: PasswordAuth, key: string, password: string, hash: string, address: string): Promise<boolean> {
  let check = underWay.get(key);
  if (!check) {
    check = checks.compare(password, hash, address).finally(() => underWay.delete(key));
    underWay.set(key, check);
  }
  return check;
}

/** The roles of a person document: its `roles` strings. */
export const rolesOf = (data: Record<string, unknown> | null | undefined): string[] =>
  Array.isArray(data?.roles) ? data.roles.filter((r): r is string => typeof r === 'string') : [];

/**
 * Checks a password against the account as loaded. Every way of failing (no such person, no
 * or malformed hash, inactive, no roles, wrong password) answers the same null after the same
 * bcrypt work, so neither status nor timing tells which accounts exist, and counts as a failed
 * login of that account id from that address (auth/login-guard.ts). A locked account id, or
 * an address past its limit, is answered 429 before any bcrypt work.
 */
export async function checkPassword(
  auth: PasswordAuth,
  id: string,
  password: string,
  account: AccountLookup,
  address: string,
): Promise<Caller | null> {
  auth.guard.checkAccount(account);
  const data = account.person?.data;
  const hash = data?.password;
  // A hash with a cost out of bounds never reaches bcrypt: it gets the dummy work of an unknown account.
  const key = data && isUsableHash(hash) ? auth.cache.keyOf(id, password, hash) : null;
  if (key === null || !auth.cache.has(key)) {
    await auth.guard.checkAddress(address);
    const matches =
      key === null ? await auth.checks.compare(password, null, address) : await verifyOnce(auth, key, password, hash as string, address);
    if (!matches || key === null) {
      await auth.guard.failed(id, address);
      return null;
    }
    auth.cache.remember(key);
    await auth.guard.succeeded(account);
  }
  // Checked after the password so a refusal costs the same as a wrong password.
  const roles = rolesOf(data);
  if (!data || data.active === false || roles.length === 0) {
    await auth.guard.failed(id, address);
    return null;
  }
  return { id, kind: 'person', roles, data, global: false };
}

/** The ids to load for a request: the caller's, and the person the URL names when another. */
export const idsToLoad = (callerId: string, subjectId?: string): string[] =>
  subjectId === undefined || subjectId === callerId ? [callerId] : [callerId, subjectId];

/** Verifies Basic credentials, loading the caller and the person the URL names in the same batched query. */
export async function authenticateBasic(
  auth: PasswordAuth,
  header: string | undefined,
  address: string,
  subjectOf: (callerId: string) => string | undefined,
): Promise<Authenticated | null> {
  const creds = parseBasic(header);
  if (!creds) return null;
  const subjectId = subjectOf(creds.id);
  const wanted = idsToLoad(creds.id, subjectId);
  const rows = await Promise.all(wanted.map((id) => auth.people.load(id)));
  const caller = await checkPassword(auth, creds.id, creds.password, rows[0], address);
  if (!caller) return null;
  if (subjectId === undefined) return { caller };
  return { caller, subject: rows[wanted.indexOf(subjectId)].person };
}
