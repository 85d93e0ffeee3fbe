// The PostgreSQL adapter: a pg Pool whose connections never hang (keepalive, timeouts, broken ones dropped).
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { activity } from './activity.ts';
import type { Db, Queryable } from './db.ts';
import { checkChannel, listenPg } from './listen.ts';
import { timed } from './query-timing.ts';
import { isUnavailable } from './unavailable.ts';

/** Distinct statements kept prepared; SQL text built at run time beyond this many runs unprepared. */
const MAX_PREPARED_STATEMENTS = 500;

/**
 * Names each distinct SQL text once, so pg prepares it once per connection and then only
 * binds and executes it: PostgreSQL skips parsing and planning on every later request.
 */
function statementNames(limit: number): (sql: string) => string | undefined {
  const names = new Map<string, string>();
  return (sql) => {
    let name = names.get(sql);
    if (name === undefined && names.size < limit) {
      name = `thalamus_${names.size}`;
      names.set(sql, name);
    }
    return name;
  };
}

export interface PgOptions {
  max?: number;
  /** Use named (prepared) statements; off for poolers that cannot keep them, such as PgBouncer before 1.21 in transaction mode. */
  prepare?: boolean;
  /**
   * Longest one statement may run, in ms (PostgreSQL's statement_timeout, lock waits included);
   * the client gives up on a silent connection one second later and drops it. 0: no limit
   * (migrations, the CLI's imports and exports).
   */
  statementTimeoutMs?: number;
}

/** Longest wait for a connection, from the pool or a new one. */
const CONNECT_TIMEOUT_MS = 3000;
/** Beyond the statement timeout, how long the client waits for a server that does not answer at all. */
const SILENT_SERVER_GRACE_MS = 1000;
/** A transaction left open by a client that vanished is ended by the server after this long. */
const IDLE_IN_TRANSACTION_MS = 10_000;

/** pg keeps the socket private; a connection that stalled is closed at once rather than by a FIN nobody reads. */
function destroySocket(client: pg.PoolClient): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

export function openPg(url: string, options: PgOptions = {}): Db {
  const statementTimeout = options.statementTimeoutMs ?? 0;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // Dead peers of idle connections are noticed by the kernel; timeouts catch the rest sooner.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    ...(statementTimeout > 0
      ? {
          statement_timeout: statementTimeout,
          query_timeout: statementTimeout + SILENT_SERVER_GRACE_MS,
          idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_MS,
        }
      : {}),
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // A connection released with an error (broken, timed out) leaves the pool; its socket goes with it.
  pool.on('release', (err: Error | undefined, client: pg.PoolClient) => {
    if (err) destroySocket(client);
  });
  const nameOf = options.prepare !== false ? statementNames(MAX_PREPARED_STATEMENTS) : () => undefined;
  const work = activity();
  // A read on the pool may meet idle connections the server ended meanwhile: it runs again on the next.
  const retries = (options.max ?? 10) + 1;
  const attempts = (client: pg.Pool | pg.PoolClient, sql: string) => (client instanceof pg.Pool && READ.test(sql) ? retries : 1);
  const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
    query: <T>(sql: string, params: readonly unknown[] = []) =>
      work.track(() =>
        retryEndedSessions(attempts(client, sql), isEndedSession, async () => {
          const res = await timed(() => client.query({ name: nameOf(sql), text: sql, values: [...params] }));
          return res.rows as T[];
        }),
      ),
    exec: (sql: string) => work.track(async () => void (await client.query(sql))),
    copyIn: (sql: string, data: string) =>
      work.track(() =>
        timed(async () => {
          const conn = client instanceof pg.Pool ? await client.connect() : client;
          try {
            await pipeline(Readable.from([data]), conn.query(copyFrom(sql)));
          } finally {
            if (conn !== client) conn.release();
          }
        }),
      ),
  });
  const base = wrap(pool);
  let ended = false;
  const listeners = new Set<() => Promise<void>>();
  return {
    kind: 'pg',
    ...base,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) =>
      work.track(() =>
        retryEndedSessions(
          retries,
          (err) => err instanceof EndedBeforeStart,
          () => inTransaction(pool, fn, wrap),
        ),
      ),
    async listen(channel, onNotify) {
      const stop = listenPg(url, checkChannel(channel), onNotify);
      listeners.add(stop);
      return async () => {
        listeners.delete(stop);
        await stop();
      };
    },
    async close() {
      if (ended) return;
      ended = true;
      await Promise.all([...listeners].map((stop) => stop()));
      await work.settled();
      await pool.end();
    },
  };
}

/**
 * SQLSTATE 57P01/57P02: the server ended the session (pg_terminate_backend, a shutdown or a
 * crash; PostgreSQL Appendix A). An idle pooled connection ended that way only says so when it
 * is next used, so after a database restart every idle connection would fail one request. A
 * read, or a transaction whose BEGIN was refused, changed nothing and runs again on another
 * connection (up to `times` in all); a write is not retried, as its outcome may be unknown.
 */
const ENDED_SESSION = new Set(['57P01', '57P02']);
const isEndedSession = (err: unknown) => ENDED_SESSION.has(String((err as { code?: unknown }).code));
/** Single statements that only read (the store's reads are plain SELECTs). */
const READ = /^\s*SELECT\b/i;
/** BEGIN was refused because the session had ended: nothing of the transaction ran. */
class EndedBeforeStart extends Error {}

async function retryEndedSessions<T>(times: number, retryable: (err: unknown) => boolean, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!retryable(err) || attempt >= times) throw err instanceof EndedBeforeStart ? err.cause : err;
    }
  }
}

/**
 * Runs fn on one pooled connection inside BEGIN ... COMMIT, rolled back if it throws. A
 * connection that broke or timed out is not asked to roll back (it would only time out again):
 * it is dropped, and PostgreSQL rolls back the transaction of a connection that went away.
 * A COMMIT that fails that way leaves the outcome unknown, so it is never reported as success.
 */
async function inTransaction<T>(pool: pg.Pool, fn: (tx: Queryable) => Promise<T>, wrap: (client: pg.PoolClient) => Queryable): Promise<T> {
  const client = await pool.connect();
  // A connection error between two statements is emitted on the client: it is reported by the next statement.
  let broken: Error | undefined;
  const onError = (err: Error) => (broken = err);
  client.on('error', onError);
  try {
    try {
      await client.query('BEGIN');
    } catch (err) {
      // Nothing was done yet: the whole transaction may run again on another connection.
      broken = err as Error;
      throw isEndedSession(err) ? new EndedBeforeStart('the session had ended', { cause: err }) : err;
    }
    const result = await fn(wrap(client));
    await client.query('COMMIT');
    return result;
  } catch (err) {
    if (broken || isUnavailable(err)) broken ??= err as Error;
    else await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
    throw err;
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}
