// SQL for the change log (table changes, migration 040): who writes, and reading it without gaps.
import type { Queryable } from '../db/db.ts';
import { routeIdSql } from './owned-ids.ts';

/** Every server LISTENs here; a server NOTIFYs it after its writes commit (announceChanges). */
export const CHANGES_CHANNEL = 'thalamus_changes';

/** The resources of the change log, named after their tables. */
export const RESOURCES = ['people', 'pols', 'personal_docs', 'dus', 'institutions'] as const;
export type Resource = (typeof RESOURCES)[number];

/** Who makes a write: the triggers of migration 040 record it with each change row. */
export interface Writer {
  /** The account id of the caller, or a name for a non-HTTP writer ("cli"). */
  actor: string | null;
  /** The node the request body says it comes from, if it says one. */
  node: string | null;
}

/**
 * The head of every write statement: names its writer for the triggers, in the statement
 * itself (a transaction-local setting, so it costs no round trip and ends with the
 * statement's transaction). The statement must read `writer` (FROM writer, USING writer), so
 * the settings are made before any row is written. Its parameters are $1 and $2.
 */
export const WRITER = `WITH writer AS MATERIALIZED (SELECT set_config('thalamus.actor', $1::text, true) AS actor, set_config('thalamus.node', $2::text, true) AS node)`;
export const writerParams = (writer: Writer): [string, string] => [writer.actor ?? '', writer.node ?? ''];

/** Names the writer of the rest of the transaction (import, demo load: many statements, one writer). */
export async function setWriter(q: Queryable, writer: Writer): Promise<void> {
  await q.query(`${WRITER} SELECT 1 FROM writer`, writerParams(writer));
}

/** A change as it leaves the server: ids and metadata, never a document. */
export interface Change {
  seq: number;
  resource: Resource;
  id: string;
  person: string | null;
  operation: 'create' | 'update' | 'delete';
  actor: string | null;
  node: string | null;
  time: string;
}

export interface ChangeRow extends Omit<Change, 'seq' | 'time'> {
  seq: string | number;
  time: Date | string;
}

export interface ChangeQuery {
  since: number;
  limit: number;
  /** Only changes of this resource. */
  resource?: Resource;
  /** Only changes of this person's records (an end user's own). */
  person?: string;
}

/** What a read hands out: the changes, and the seq to read from next time. */
export interface ChangePage {
  changes: Change[];
  next: number;
  /** Some transaction still holds later changes back: reading again soon will find more. */
  pending: boolean;
}

/** The lowest seq that may still appear: every change below it is committed (or never will be). */
export async function changesHorizon(q: Queryable): Promise<number> {
  return (await horizonAndNext(q)).horizon;
}

/** The horizon, and the seq the sequence would hand out next (above the horizon: changes held back). */
async function horizonAndNext(q: Queryable): Promise<{ horizon: number; next: number }> {
  const rows = await q.query<{ horizon: string | number; next: string | number }>(
    'SELECT changes_horizon() AS horizon, (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM changes_seq) AS next',
  );
  return { horizon: Number(rows[0].horizon), next: Number(rows[0].next) };
}

/**
 * Wakes every server's followers of the change log (streams, webhook deliverers). Sent after a
 * write has committed, in a transaction of its own: a NOTIFY inside the write would serialize
 * every writer's commit on PostgreSQL's one notification lock.
 */
export async function announceChanges(q: Queryable): Promise<void> {
  await q.query(`SELECT pg_notify('${CHANGES_CHANNEL}', '')`);
}

/**
 * A change's id as the routes address the record: a page or document stored under
 * '.<id>.<owner>' (migration 023) is reported as <id>, with its owner in `person`.
 */
export const changeIdSql = (alias: string): string =>
  `CASE WHEN ${alias}resource IN ('pols', 'personal_docs') THEN ${routeIdSql(`${alias}id`, `${alias}person`)} ELSE ${alias}id END AS id`;
const COLUMNS = `seq, resource, ${changeIdSql('')}, person, operation, actor, node, changed_at AS time`;

export function toChange(row: ChangeRow): Change {
  const time = row.time instanceof Date ? row.time : new Date(row.time);
  return { ...row, seq: Number(row.seq), time: time.toISOString() };
}

/**
 * The changes after `since`, in seq order, that can never be preceded by another: only seqs
 * below the horizon, read in a statement (so a snapshot) taken after the horizon. A
 * transaction still in flight holds back every seq from its own, so reading again from
 * `next` never skips a change that commits late, nor repeats one. Must not run inside a
 * REPEATABLE READ transaction (its snapshot would be older than the horizon).
 */
export async function readChanges(q: Queryable, query: ChangeQuery): Promise<ChangePage> {
  const { horizon, next: nextSeq } = await horizonAndNext(q);
  const params: unknown[] = [query.since, horizon];
  let where = 'seq > $1 AND seq < $2';
  if (query.resource !== undefined) where += ` AND resource = $${params.push(query.resource)}`;
  if (query.person !== undefined) where += ` AND person = $${params.push(query.person)}`;
  const rows = await q.query<ChangeRow>(
    `SELECT ${COLUMNS} FROM changes WHERE ${where} ORDER BY seq LIMIT $${params.push(query.limit)}`,
    params,
  );
  const changes = rows.map(toChange);
  // A short page saw every matching change below the horizon: the next read may start there.
  const next = changes.length === query.limit ? changes[changes.length - 1].seq : Math.max(query.since, horizon - 1);
  return { changes, next, pending: nextSeq > horizon };
}
