// The Db interface every store function uses, and the choice of adapter: PostgreSQL (pg.ts) or embedded PGlite (pglite.ts).
import { openPg } from './pg.ts';
import { openPglite } from './pglite.ts';

export { openPg, type PgOptions } from './pg.ts';
export { openPglite } from './pglite.ts';
export { DbUnavailableError, isUnavailable } from './unavailable.ts';
export { observeQueries, type QueryObserver } from './query-timing.ts';

export type Row = Record<string, unknown>;

/** What a store function needs: parameterised queries, and multi-statement scripts. */
export interface Queryable {
  query<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `COPY ... FROM STDIN` with `data` as its input (text format): the bulk import's way in,
   * many rows for one statement's parse (pg-copy-streams on PostgreSQL, PGlite's /dev/blob).
   */
  copyIn(sql: string, data: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pg' | 'pglite';
  /** The pool's connections (PostgreSQL); null for the embedded database, which has none. */
  poolStats(): { total: number; idle: number; waiting: number } | null;
  /** Runs fn in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Calls onNotify for each NOTIFY on `channel` (PostgreSQL: LISTEN on a connection of its own,
   * reconnected when lost, listen.ts; PGlite: in-process), and once each time listening
   * (re)starts, since notifications sent meanwhile are lost. Returns the function that stops it.
   */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface DbSettings {
  databaseUrl: string | null;
  dataDir: string;
  dbPoolSize?: number;
  dbStatementTimeoutMs?: number;
}

/**
 * The configured database. `serving`: the HTTP server's pool, whose statements are bounded by
 * the configured timeout; migrations and the CLI's long imports and exports run without one.
 */
export async function openDb(config: DbSettings, options: { serving?: boolean } = {}): Promise<Db> {
  if (!config.databaseUrl) return openPglite(config.dataDir);
  return openPg(config.databaseUrl, { max: config.dbPoolSize, statementTimeoutMs: options.serving ? config.dbStatementTimeoutMs : 0 });
}
