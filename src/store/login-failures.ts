// SQL of the brute-force protection (migration 020): failed logins per account id and per client address.
import type { Queryable } from '../db/db.ts';

export interface LockoutPolicy {
  /** Consecutive failures that lock an account id (2 or more). */
  failuresToLock: number;
  /** The first lock, in seconds; each further lock doubles it, up to maxLockSeconds. */
  firstLockSeconds: number;
  maxLockSeconds: number;
  /** The window of the per-address count, in seconds. */
  addressWindowSeconds: number;
}

export interface FailureOutcome {
  /** Seconds the account id is now locked; 0 when this failure did not lock it. */
  accountLockedSeconds: number;
  /** Failures from the address in its current window, this one included, and the seconds the window has left. */
  addressFailures: number;
  addressWindowLeft: number;
}

/**
 * Counts one failed login for the account id and for the address, in one statement (one round
 * trip, atomic however many instances count at once). The `failuresToLock`-th consecutive
 * failure locks the id for firstLockSeconds * 2^(locks so far), at most maxLockSeconds, and
 * starts the count again. A null account (an id no row could hold) counts for the address alone.
 */
export async function recordFailure(q: Queryable, account: string | null, address: string, policy: LockoutPolicy): Promise<FailureOutcome> {
  const rows = await q.query<{ locked: number; failures: number; window_left: number }>(
    `WITH acct AS (
      INSERT INTO auth_account_failures AS f (account, failures, lockouts, locked_until, last_failure)
      SELECT $1::varchar, 1, 0, NULL, now() WHERE $1::varchar IS NOT NULL
      ON CONFLICT (account) DO UPDATE SET
        failures = CASE WHEN f.failures + 1 >= $3::int THEN 0 ELSE f.failures + 1 END,
        lockouts = CASE WHEN f.failures + 1 >= $3::int THEN f.lockouts + 1 ELSE f.lockouts END,
        locked_until = CASE WHEN f.failures + 1 >= $3::int
          THEN now() + make_interval(secs => least($4::float8 * power(2, least(f.lockouts, 30)), $5::float8))
          ELSE f.locked_until END,
        last_failure = now()
      RETURNING locked_until
    ), addr AS (
      INSERT INTO auth_address_failures AS a (address, window_start, failures) VALUES ($2, now(), 1)
      ON CONFLICT (address) DO UPDATE SET
        window_start = CASE WHEN a.window_start <= now() - make_interval(secs => $6::int) THEN now() ELSE a.window_start END,
        failures = CASE WHEN a.window_start <= now() - make_interval(secs => $6::int) THEN 1 ELSE a.failures + 1 END
      RETURNING window_start, failures
    )
    SELECT
      (SELECT CASE WHEN locked_until > now() THEN ceil(extract(epoch FROM locked_until - now()))::int ELSE 0 END FROM acct) AS locked,
      (SELECT failures FROM addr) AS failures,
      (SELECT ceil(extract(epoch FROM window_start + make_interval(secs => $6::int) - now()))::int FROM addr) AS window_left`,
    [account, address, policy.failuresToLock, policy.firstLockSeconds, policy.maxLockSeconds, policy.addressWindowSeconds],
  );
  const row = rows[0];
  return {
    accountLockedSeconds: Number(row.locked ?? 0),
    addressFailures: Number(row.failures),
    addressWindowLeft: Number(row.window_left),
  };
}

/** Failures from the address in its current window and the seconds that window has left (0, 0 when none). */
export async function addressFailures(
  q: Queryable,
  address: string,
  windowSeconds: number,
): Promise<{ failures: number; windowLeft: number }> {
  const rows = await q.query<{ failures: number; window_left: number }>(
    `SELECT failures, ceil(extract(epoch FROM window_start + make_interval(secs => $2::int) - now()))::int AS window_left
     FROM auth_address_failures WHERE address = $1 AND window_start > now() - make_interval(secs => $2::int)`,
    [address, windowSeconds],
  );
  return rows.length === 0
    ? { failures: 0, windowLeft: 0 }
    : { failures: Number(rows[0].failures), windowLeft: Number(rows[0].window_left) };
}

/** A verified password clears the account id's failures and the doubling of its locks. */
export async function clearAccountFailures(q: Queryable, account: string): Promise<boolean> {
  const rows = await q.query('DELETE FROM auth_account_failures WHERE account = $1 RETURNING account', [account]);
  return rows.length === 1;
}

/**
 * Forgets what no longer matters: address windows long over, and account ids with no lock in
 * force and no failure for `quietSeconds` (so the doubling starts again after a quiet day).
 */
export async function pruneLoginFailures(q: Queryable, quietSeconds: number): Promise<void> {
  await q.query('DELETE FROM auth_address_failures WHERE window_start < now() - make_interval(secs => $1::int)', [quietSeconds]);
  await q.query(
    `DELETE FROM auth_account_failures WHERE last_failure < now() - make_interval(secs => $1::int)
     AND (locked_until IS NULL OR locked_until < now())`,
    [quietSeconds],
  );
}
