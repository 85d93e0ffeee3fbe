// SQL for webhook deliveries (table deliveries, migration 041): fan-out of changes, claims with SKIP LOCKED, outcomes.
import type { Db, Queryable } from '../db/db.ts';
import { changeIdSql, changesHorizon, toChange, type Change, type ChangeRow } from './changes.ts';

/**
 * Queues a delivery for each change after each subscription's position that it wants, up to
 * `batch` per subscription, in seq order, and moves the positions on. Subscriptions another
 * instance is queueing for are skipped (SKIP LOCKED): each change is queued once. Returns how
 * many were queued.
 */
export async function fanOut(db: Db, batch: number): Promise<number> {
  return db.transaction(async (tx) => {
    // The horizon first, then the changes in later statements (newer snapshots): no gap.
    const horizon = await changesHorizon(tx);
    const subs = await tx.query<{ id: string; position: string | number }>(
      'SELECT id, position FROM subscriptions WHERE position < $1 ORDER BY id FOR UPDATE SKIP LOCKED',
      [horizon - 1],
    );
    let queued = 0;
    for (const sub of subs) {
      const rows = await tx.query<{ seq: string | number }>(
        `INSERT INTO deliveries (subscription, seq)
         SELECT s.id, c.seq FROM subscriptions s JOIN changes c ON c.seq > s.position AND c.seq < $2
          WHERE s.id = $1 AND (s.resources IS NULL OR c.resource = ANY (s.resources)) AND (s.person IS NULL OR c.person = s.person)
          ORDER BY c.seq LIMIT $3
         RETURNING seq`,
        [sub.id, horizon, batch],
      );
      queued += rows.length;
      // A full batch may leave more: stop at its last change; else every change below the horizon is done.
      const position = rows.length === batch ? Math.max(...rows.map((r) => Number(r.seq))) : horizon - 1;
      await tx.query('UPDATE subscriptions SET position = $2 WHERE id = $1', [sub.id, position]);
    }
    return queued;
  });
}

export interface Claim {
  id: string;
  subscription: string;
  url: string;
  secret: string;
  attempts: number;
  change: Change;
}

/**
 * Claims up to `limit` due deliveries for `leaseMs`: each the oldest pending one of its
 * subscription (so a subscription's deliveries go one at a time, in order), locked with
 * SKIP LOCKED so two instances never claim the same one.
 */
export async function claimDeliveries(q: Queryable, limit: number, leaseMs: number): Promise<Claim[]> {
  const rows = await q.query<ChangeRow & { delivery: string; subscription: string; url: string; secret: string; attempts: number }>(
    `WITH claimed AS (
       UPDATE deliveries d SET lease_until = now() + $2 * interval '1 millisecond', attempts = d.attempts + 1
        WHERE d.id IN (
          SELECT p.id FROM deliveries p
           WHERE p.state = 'pending' AND p.next_attempt_at <= now() AND (p.lease_until IS NULL OR p.lease_until < now())
             AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.subscription = p.subscription AND e.state = 'pending' AND e.id < p.id)
           ORDER BY p.id LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING d.id, d.subscription, d.seq, d.attempts)
     SELECT claimed.id::text AS delivery, claimed.subscription, claimed.attempts, s.url, s.secret,
            c.seq, c.resource, ${changeIdSql('c.')}, c.person, c.operation, c.actor, c.node, c.changed_at AS time
       FROM claimed JOIN subscriptions s ON s.id = claimed.subscription JOIN changes c ON c.seq = claimed.seq
      ORDER BY claimed.id`,
    [limit, leaseMs],
  );
  return rows.map(({ delivery, subscription, url, secret, attempts, ...change }) => ({
    id: delivery,
    subscription,
    url,
    secret,
    attempts: Number(attempts),
    change: toChange(change),
  }));
}

/** A claim given back unsent (shutdown): due again at once, the attempt not counted. */
export async function releaseClaim(q: Queryable, claim: Pick<Claim, 'id' | 'attempts'>): Promise<void> {
  await q.query(`UPDATE deliveries SET lease_until = NULL, attempts = attempts - 1 WHERE ${CURRENT_CLAIM}`, [claim.id, claim.attempts]);
}

/** Whether there is any subscription at all (the deliverer idles without one). */
export async function anySubscription(q: Queryable): Promise<boolean> {
  const rows = await q.query('SELECT 1 FROM subscriptions LIMIT 1');
  return rows.length === 1;
}

// An outcome is recorded only by the claim that is still current (the same attempt, still
// pending): a claim that ran out and was taken over by another instance must not undo its work.
const CURRENT_CLAIM = "id = $1 AND attempts = $2 AND state = 'pending'";

export async function markDelivered(q: Queryable, claim: Pick<Claim, 'id' | 'attempts'>): Promise<void> {
  await q.query(
    `UPDATE deliveries SET state = 'delivered', delivered_at = now(), lease_until = NULL, last_error = NULL WHERE ${CURRENT_CLAIM}`,
    [claim.id, claim.attempts],
  );
}

/** A failed attempt: tried again after `retryInMs`, or parked as failed when that was the last attempt (null). */
export async function markFailed(
  q: Queryable,
  claim: Pick<Claim, 'id' | 'attempts'>,
  error: string,
  retryInMs: number | null,
): Promise<void> {
  await (retryInMs === null
    ? q.query(`UPDATE deliveries SET state = 'failed', lease_until = NULL, last_error = $3 WHERE ${CURRENT_CLAIM}`, [
        claim.id,
        claim.attempts,
        error,
      ])
    : q.query(
        `UPDATE deliveries SET next_attempt_at = now() + $4 * interval '1 millisecond', lease_until = NULL, last_error = $3 WHERE ${CURRENT_CLAIM}`,
        [claim.id, claim.attempts, error, retryInMs],
      ));
}

/** Milliseconds until the next pending delivery is due (0: now), or null when none is pending. */
export async function nextDueInMs(q: Queryable): Promise<number | null> {
  const rows = await q.query<{ ms: string | number | null }>(
    `SELECT GREATEST(0, EXTRACT(EPOCH FROM min(GREATEST(next_attempt_at, COALESCE(lease_until, next_attempt_at))) - now()) * 1000) AS ms
       FROM deliveries WHERE state = 'pending'`,
  );
  return rows[0]?.ms === null || rows[0]?.ms === undefined ? null : Number(rows[0].ms);
}

/** Deliveries waiting to be sent (pending, due or not) and parked after their last attempt, from the partial indexes of migrations 041 and 060. */
export async function countBacklog(q: Queryable): Promise<{ pending: number; parked: number }> {
  const rows = await q.query<{ pending: string | number; parked: string | number }>(
    `SELECT (SELECT count(*) FROM deliveries WHERE state = 'pending') AS pending,
            (SELECT count(*) FROM deliveries WHERE state = 'failed') AS parked`,
  );
  return { pending: Number(rows[0].pending), parked: Number(rows[0].parked) };
}
