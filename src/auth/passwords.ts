// Passwords: bcrypt hashing (async, on libuv's pool), the hash format, and the dummy hash that keeps timing even.
import bcrypt from 'bcrypt';

export const BCRYPT_COST = 12;
/** bcrypt reads at most 72 bytes; the contract caps passwords at 64 characters. */
export const MAX_PASSWORD_LENGTH = 64;

/**
 * The costs a stored hash may have. Below 10 a hash is cheap to crack; above 14 each login
 * attempt would hold a bcrypt thread for seconds (cost 17: 8 s; 31: 36 hours), so an account
 * made with such a hash would be a weapon against the login queue.
 */
export const MIN_BCRYPT_COST = 10;
export const MAX_BCRYPT_COST = 14;

const BCRYPT_HASH = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
// A real cost-12 hash of a random string: unknown users cost as much time as known ones.
const DUMMY_HASH = '$2b$12$aTuLFGRvhAC/OOU4JoTNYuueqR94lygyvMAgthknWeOu32iavw2Ty';

/** True for text in the bcrypt hash format ($2a$, $2b$, $2y$), whatever its cost. */
export function isBcryptHash(value: unknown): value is string {
  return typeof value === 'string' && BCRYPT_HASH.test(value);
}

/** The cost of a bcrypt hash (the number after the prefix). */
export function bcryptCost(hash: string): number {
  return Number(hash.slice(4, 6));
}

/** A bcrypt hash whose cost is within MIN_BCRYPT_COST..MAX_BCRYPT_COST: the only kind ever stored or compared. */
export function isUsableHash(value: unknown): value is string {
  if (!isBcryptHash(value)) return false;
  const cost = bcryptCost(value);
  return cost >= MIN_BCRYPT_COST && cost <= MAX_BCRYPT_COST;
}

export function hashPassword(password: string, cost = BCRYPT_COST): Promise<string> {
  return bcrypt.hash(password, cost);
}

/**
 * The hash to compare a password with: the stored one ($2y$ read as the identical $2b$), or
 * the dummy hash when there is none, it is malformed or its cost is out of bounds (`real`
 * false: the answer is no, after the same work as a wrong password).
 */
export function comparableHash(stored: unknown): { hash: string; real: boolean } {
  if (!isUsableHash(stored)) return { hash: DUMMY_HASH, real: false };
  // PHP's and Python's $2y$ is the same algorithm as $2b$; node's bcrypt only knows $2a$/$2b$.
  return { hash: stored.startsWith('$2y$') ? `$2b$${stored.slice(4)}` : stored, real: true };
}
