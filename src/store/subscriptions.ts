// SQL for webhook subscriptions (table subscriptions, migration 041): create, list, read, delete, rewind.
import type { Db, Queryable } from '../db/db.ts';
import { changesHorizon, type Resource } from './changes.ts';

export interface Subscription {
  id: string;
  owner: string;
  /** Only this person's records' changes; null: every change. */
  person: string | null;
  url: string;
  /** null: every resource. */
  resources: Resource[] | null;
  /** Every change up to this seq has been queued for delivery. */
  position: number;
  created: string;
}
export interface DeliveryCounts {
  pending: number;
  delivered: number;
  failed: number;
}
interface SubscriptionRow extends Omit<Subscription, 'position' | 'created'> {
  position: string | number;
  created: Date | string;
}

const COLUMNS = 'id, owner, person, url, resources, position, created_at AS created';
const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();
const toSubscription = (row: SubscriptionRow): Subscription => ({ ...row, position: Number(row.position), created: iso(row.created) });

export interface NewSubscription {
  id: string;
  owner: string;
  person: string | null;
  url: string;
  resources: Resource[] | null;
  secret: string;
}

/** Creates a subscription that starts with the changes after the current end of the log. */
export async function insertSubscription(db: Db, s: NewSubscription): Promise<Subscription> {
  const position = (await changesHorizon(db)) - 1;
  const rows = await db.query<SubscriptionRow>(
    `INSERT INTO subscriptions (id, owner, person, url, resources, secret, position) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
    [s.id, s.owner, s.person, s.url, s.resources, s.secret, position],
  );
  return toSubscription(rows[0]);
}

/** The subscriptions of `owner` (null: everyone's), oldest first. */
export async function listSubscriptions(q: Queryable, owner: string | null): Promise<Subscription[]> {
  const rows =
    owner === null
      ? await q.query<SubscriptionRow>(`SELECT ${COLUMNS} FROM subscriptions ORDER BY created_at, id`)
      : await q.query<SubscriptionRow>(`SELECT ${COLUMNS} FROM subscriptions WHERE owner = $1 ORDER BY created_at, id`, [owner]);
  return rows.map(toSubscription);
}

/** One subscription, if `owner` may see it (null: anyone's). */
export async function getSubscription(q: Queryable, id: string, owner: string | null): Promise<Subscription | null> {
  const rows = await q.query<SubscriptionRow>(
    `SELECT ${COLUMNS} FROM subscriptions WHERE id = $1 AND ($2::varchar IS NULL OR owner = $2)`,
    [id, owner],
  );
  return rows[0] ? toSubscription(rows[0]) : null;
}

export async function deliveryCounts(q: Queryable, id: string): Promise<DeliveryCounts> {
  const rows = await q.query<{ state: string; n: string | number }>(
    'SELECT state, count(*) AS n FROM deliveries WHERE subscription = $1 GROUP BY state',
    [id],
  );
  const counts: DeliveryCounts = { pending: 0, delivered: 0, failed: 0 };
  for (const row of rows) if (row.state in counts) counts[row.state as keyof DeliveryCounts] = Number(row.n);
  return counts;
}

export async function deleteSubscription(q: Queryable, id: string, owner: string | null): Promise<boolean> {
  const rows = await q.query('DELETE FROM subscriptions WHERE id = $1 AND ($2::varchar IS NULL OR owner = $2) RETURNING id', [id, owner]);
  return rows.length === 1;
}

/**
 * Replay: the subscription goes back to `since`, so every change after it is delivered again,
 * in order. Deliveries not yet sent are dropped (they will be queued again); one being sent
 * right now keeps its place at the head, so order holds.
 */
export async function rewindSubscription(db: Db, id: string, owner: string | null, since: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx.query('SELECT id FROM subscriptions WHERE id = $1 AND ($2::varchar IS NULL OR owner = $2) FOR UPDATE', [
      id,
      owner,
    ]);
    if (rows.length === 0) return false;
    await tx.query(
      "DELETE FROM deliveries WHERE subscription = $1 AND state = 'pending' AND (lease_until IS NULL OR lease_until < now())",
      [id],
    );
    await tx.query('UPDATE subscriptions SET position = LEAST(position, $2) WHERE id = $1', [id, since]);
    return true;
  });
}
