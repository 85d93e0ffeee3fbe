// Brute-force protection: a per-account lockout and a per-address limit on failed logins, kept in the database.
import { LRUCache } from 'lru-cache';
import type { Queryable } from '../db/db.ts';
import { AppError } from '../errors.ts';
import { addressFailures, clearAccountFailures, pruneLoginFailures, recordFailure, type LockoutPolicy } from '../store/login-failures.ts';
import type { AccountLookup } from '../store/people.ts';

/** 5 consecutive failures lock an account id for 1 minute, then 2, 4, 8, and 15 at most. */
export const LOCKOUT: LockoutPolicy = { failuresToLock: 5, firstLockSeconds: 60, maxLockSeconds: 900, addressWindowSeconds: 60 };
/** Rows with nothing in force and no failure for a day are forgotten (and a lock's doubling starts over). */
const QUIET_SECONDS = 24 * 3600;
const PRUNE_EVERY_MS = 10 * 60_000;
const MAX_ACCOUNT_ID = 512;

const tooMany = (message: string, seconds: number) =>
  new AppError(429, `${message}; try again in ${seconds} seconds`, { 'Retry-After': String(seconds) });

export interface LoginGuardOptions {
  db: Queryable;
  /** Failed logins one client address may make per minute before its password checks stop; 0 for no limit. */
  failuresPerAddress: number;
}

/**
 * Both counts live in PostgreSQL, so every worker and instance agrees. An account's lock is
 * read with its person row (store/people.ts, lookupAccounts): no extra round trip for a
 * request. The address count is read only before a password check, which costs a bcrypt
 * comparison anyway; once an address is over its limit this process remembers so until the
 * window ends, and answers its requests without asking the database again.
 */
export class LoginGuard {
  private readonly db: Queryable;
  private readonly limit: number;
  private readonly blockedUntil = new LRUCache<string, number>({ max: 100_000 });
  private lastPrune = 0;

  constructor(options: LoginGuardOptions) {
    this.db = options.db;
    this.limit = options.failuresPerAddress;
  }

  /** 429 while the account id is locked, even for the right password; no bcrypt work is done. */
  checkAccount(account: AccountLookup): void {
    if (account.lockedSeconds > 0) throw tooMany('Too many failed logins for this account', account.lockedSeconds);
  }

  /** 429 when the address has used up its failed logins for the window; called before any bcrypt work. */
  async checkAddress(address: string): Promise<void> {
    if (this.limit === 0) return;
    const until = this.blockedUntil.get(address);
    if (until !== undefined && until > Date.now()) throw tooMany('Too many failed logins from your address', secondsUntil(until));
    const { failures, windowLeft } = await addressFailures(this.db, address, LOCKOUT.addressWindowSeconds);
    if (failures >= this.limit && windowLeft > 0) {
      this.block(address, windowLeft);
      throw tooMany('Too many failed logins from your address', windowLeft);
    }
  }

  /** Counts a refused login for the account id and the address. */
  async failed(account: string, address: string): Promise<void> {
    // An id PostgreSQL cannot store (a NUL, or longer than any index takes) is no account: the address alone counts it.
    const storable = !account.includes('\0') && account.length <= MAX_ACCOUNT_ID;
    const outcome = await recordFailure(this.db, storable ? account : null, address, LOCKOUT);
    if (this.limit > 0 && outcome.addressFailures >= this.limit) this.block(address, outcome.addressWindowLeft);
    if (Date.now() - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = Date.now();
      await pruneLoginFailures(this.db, QUIET_SECONDS);
    }
  }

  /** A password verified by bcrypt clears the account's failures (only when there are any: no write otherwise). */
  async succeeded(account: AccountLookup): Promise<void> {
    if (account.failing) await clearAccountFailures(this.db, account.id);
  }

  private block(address: string, seconds: number): void {
    this.blockedUntil.set(address, Date.now() + seconds * 1000, { ttl: seconds * 1000 });
  }
}

const secondsUntil = (ms: number) => Math.max(1, Math.ceil((ms - Date.now()) / 1000));
