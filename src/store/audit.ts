// SQL of the audit trail (migration 021): appending entries in one statement, reading them newest first, pruning.
import type { Queryable } from '../db/db.ts';

export interface AuditEntry {
  /** When it happened; the database's now() when absent (the entry of a write, in its transaction). */
  time?: Date;
  actor: string | null;
  action: string;
  resource: string;
  resourceId: string | null;
  subject: string | null;
  outcome: string;
  status: number;
  address: string | null;
  requestId: string | null;
}

export interface AuditRecord {
  id: string;
  time: string;
  actor: string | null;
  action: string;
  resource: string;
  resource_id: string | null;
  subject: string | null;
  outcome: string;
  status: number;
  address: string | null;
  request_id: string | null;
}

const COLUMNS = ['actor', 'action', 'resource', 'resource_id', 'subject', 'outcome', 'status', 'address', 'request_id'] as const;

/** Appends entries in one statement (one round trip however many), each with its own time. */
export async function insertAuditEntries(q: Queryable, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const values = (pick: (e: AuditEntry) => unknown) => entries.map(pick);
  await q.query(
    `INSERT INTO audit_log (recorded, ${COLUMNS.join(', ')})
     SELECT coalesce(t, now()), a, ac, r, ri, s, o, st, ad, rq
     FROM unnest($1::timestamptz[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[], $7::varchar[],
                 $8::int[], $9::varchar[], $10::varchar[]) AS e(t, a, ac, r, ri, s, o, st, ad, rq)`,
    [
      values((e) => e.time?.toISOString() ?? null),
      values((e) => e.actor),
      values((e) => e.action),
      values((e) => e.resource),
      values((e) => e.resourceId),
      values((e) => e.subject),
      values((e) => e.outcome),
      values((e) => e.status),
      values((e) => e.address),
      values((e) => e.requestId),
    ],
  );
}

export interface AuditQuery {
  subject?: string;
  actor?: string;
  action?: string;
  since?: string;
  until?: string;
  /** Entries older than this entry (the last of the previous page). */
  before?: string;
  limit: number;
}

/**
 * Entries matching every filter given, newest first: by the time of their request (a read's
 * entry is appended up to a second after it, so ids alone would not be in time order).
 * Only the filters given go into the SQL, so each combination gets a plan that uses its index.
 */
export async function queryAudit(q: Queryable, query: AuditQuery): Promise<AuditRecord[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  const filter = (value: string | undefined, condition: (p: string) => string) => {
    if (value === undefined) return;
    params.push(value);
    where.push(condition(`$${params.length}`));
  };
  filter(query.subject, (p) => `subject = ${p}`);
  filter(query.actor, (p) => `actor = ${p}`);
  filter(query.action, (p) => `action = ${p}`);
  filter(query.since, (p) => `recorded >= ${p}::timestamptz`);
  filter(query.until, (p) => `recorded < ${p}::timestamptz`);
  // Keyset: entries before the given one in (time, id) order.
  filter(query.before, (p) => `(recorded, id) < (SELECT recorded, id FROM audit_log WHERE id = ${p}::bigint)`);
  params.push(query.limit);
  return q.query<AuditRecord>(
    `SELECT id::text, to_char(recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS time,
       actor, action, resource, resource_id, subject, outcome, status, address, request_id
     FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY recorded DESC, id DESC LIMIT $${params.length}`,
    params,
  );
}

/** Deletes the entries recorded more than `days` days ago and answers how many. */
export async function pruneAudit(q: Queryable, days: number): Promise<number> {
  const rows = await q.query<{ n: string | number }>(
    `WITH gone AS (DELETE FROM audit_log WHERE recorded < now() - make_interval(days => $1::int) RETURNING 1) SELECT count(*) AS n FROM gone`,
    [days],
  );
  return Number(rows[0].n);
}
