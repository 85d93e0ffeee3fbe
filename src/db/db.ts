// The Db interface and its two adapters: a pg Pool (PostgreSQL) and PGlite (embedded, same SQL).
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDir } from './data-dir-lock.ts';

export type Row = Record<string, unknown>;

/** What a store function needs: parameterised queries, and multi-statement scripts. */
export interface Queryable {
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pg' | 'pglite';
  /** Runs fn in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The database could not be reached or refused the connection. */
export class DbUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DbUnavailableError';
  }
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '3D000',
  '28P01',
  '28000',
]);

/** True for errors that mean "the database is not there" rather than "this query is wrong". */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof DbUnavailableError) return true;
  const e = err as { code?: string; message?: string } | null;
  if (!e) return false;
  if (e.code && UNAVAILABLE_CODES.has(e.code)) return true;
  const msg = e.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|Cannot use a pool after calling end|PGlite is closed/i.test(msg);
}

/**
 * Counts the work under way, so that closing waits for it: at shutdown a request whose client
 * already hung up is still running its handler, and its next query must not find the pool gone.
 * Closing waits until nothing has run for `QUIET_MS` (a handler between two queries is busy
 * for well under that), and never longer than `MAX_WAIT_MS`.
 */
const QUIET_MS = 100;
const MAX_WAIT_MS = 5000;
function activity() {
  let active = 0;
  let lastEnded = 0;
  return {
    async track<T>(work: () => Promise<T>): Promise<T> {
      active++;
      try {
        return await work();
      } finally {
        active--;
        lastEnded = Date.now();
      }
    },
    async settled(): Promise<void> {
      const deadline = Date.now() + MAX_WAIT_MS;
      while (Date.now() < deadline && (active > 0 || Date.now() - lastEnded < QUIET_MS)) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}

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
}

export function openPg(url: string, options: PgOptions = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    connectionTimeoutMillis: 5000,
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  const nameOf = options.prepare !== false ? statementNames(MAX_PREPARED_STATEMENTS) : () => undefined;
  const work = activity();
  const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
    query: <T>(sql: string, params: readonly unknown[] = []) =>
      work.track(async () => {
        const res = await client.query({ name: nameOf(sql), text: sql, values: [...params] });
        return res.rows as T[];
      }),
    exec: (sql: string) => work.track(async () => void (await client.query(sql))),
  });
  const base = wrap(pool);
  let ended = false;
  return {
    kind: 'pg',
    ...base,
    transaction: <T>(fn: (tx: Queryable) => Promise<T>) => work.track(() => inTransaction(pool, fn, wrap)),
    async close() {
      if (ended) return;
      ended = true;
      await work.settled();
      await pool.end();
    },
  };
}

/** Runs fn on one pooled connection inside BEGIN ... COMMIT, rolled back if it throws. */
async function inTransaction<T>(pool: pg.Pool, fn: (tx: Queryable) => Promise<T>, wrap: (client: pg.PoolClient) => Queryable): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(wrap(client));
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Two processes writing one data directory lose each other's writes: a lost lock stops this one. */
function stopOnLostLock(dataDir: string) {
  return (err: Error) => {
    process.stderr.write(`thalamus: lost the lock on ${dataDir} (${err.message}); stopping so that no other process writes it too\n`);
    process.exit(1);
  };
}

/**
 * The embedded database: a directory path (locked for this process, see data-dir-lock.ts),
 * `memory://`, or a dumped data directory to start from.
 */
export async function openPglite(dataDir: string, options: { loadDataDir?: Blob } = {}): Promise<Db & { pglite: PGlite }> {
  const onDisk = !/^[a-z]+:\/\//i.test(dataDir);
  const unlock = onDisk ? await lockDataDir(dataDir, stopOnLostLock(dataDir)) : async () => {};
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir, options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
  } catch (err) {
    await unlock();
    throw err;
  }
  const work = activity();
  const wrap = (q: Pick<PGlite, 'query' | 'exec'>): Queryable => ({
    query: <T>(sql: string, params: readonly unknown[] = []) =>
      work.track(async () => {
        if (db.closed) throw new DbUnavailableError('PGlite is closed');
        const res = await q.query<T>(sql, [...params]);
        return res.rows;
      }),
    exec: (sql: string) =>
      work.track(async () => {
        if (db.closed) throw new DbUnavailableError('PGlite is closed');
        await q.exec(sql);
      }),
  });
  return {
    kind: 'pglite',
    pglite: db,
    ...wrap(db),
    transaction: (fn) => work.track(() => db.transaction((tx) => fn(wrap(tx)))),
    async close() {
      if (!db.closed) {
        await work.settled();
        if (!db.closed) await db.close();
      }
      await unlock();
    },
  };
}

export async function openDb(config: { databaseUrl: string | null; dataDir: string; dbPoolSize?: number }): Promise<Db> {
  return config.databaseUrl ? openPg(config.databaseUrl, { max: config.dbPoolSize }) : openPglite(config.dataDir);
}
