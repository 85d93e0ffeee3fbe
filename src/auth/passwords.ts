// Passwords: bcrypt hashing (async, on libuv's pool), the hash format, and the dummy hash that keeps timing even.
import bcrypt from 'bcrypt';

export const BCRYPT_COST = 12;
/** bcrypt reads at most 72 bytes; the contract caps passwords at 64 characters. */
export const MAX_PASSWORD_LENGTH = 64;

const BCRYPT_HASH = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
// A real cost-12 hash of a random string: unknown users cost as much time as known ones.
const DUMMY_HASH = '$2b$12$aTuLFGRvhAC/OOU4JoTNYuueqR94lygyvMAgthknWeOu32iavw2Ty';

export function isBcryptHash(value: unknown): value is string {
  return typeof value === 'string' && BCRYPT_HASH.test(value);
}

export function hashPassword(password: string, cost = BCRYPT_COST): Promise<string> {
  return bcrypt.hash(password, cost);
}

/**
 * The hash to compare a password with: the stored one ($2y$ read as the identical $2b$), or
 * the dummy hash when there is none or it is malformed (`real` false: the answer is no).
 */
export function comparableHash(stored: unknown): { hash: string; real: boolean } {
  if (!isBcryptHash(stored)) return { hash: DUMMY_HASH, real: false };
  // PHP's and Python's $2y$ is the same algorithm as $2b$; node's bcrypt only knows $2a$/$2b$.
  return { hash: stored.startsWith('$2y$') ? `$2b$${stored.slice(4)}` : stored, real: true };
}
