// Which database errors mean "the database is not there or cannot serve now" (503) rather than "this request is wrong".

/** The database could not be reached or refused the connection. */
export class DbUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DbUnavailableError';
  }
}

/** Node's socket errors on the way to the database. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN']);

/**
 * SQLSTATEs (PostgreSQL, Appendix A) that say nothing about the request: connection exceptions
 * (class 08), insufficient resources (53), operator intervention (57: shutdown, terminated
 * backend, statement timeout 57014), system errors (58), a database not accepting connections
 * (55000) or a lock not granted in time (55P03), a conflict PostgreSQL asks to retry (40001
 * serialization, 40P01 deadlock), a missing database (3D000) or refused login (28000, 28P01).
 */
const SQLSTATE_CLASSES = ['08', '53', '57', '58'];
const SQLSTATES = new Set(['55000', '55006', '55P03', '40001', '40P01', '3D000', '28000', '28P01']);

/** What pg and PGlite say, without a code, when the connection broke, stalled or was closed. */
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Cannot use a pool after calling end|PGlite is closed|Client has encountered a connection error/i;

/** True for errors that mean "the database is not there (now)" rather than "this query is wrong". */
export function isUnavailable(err: unknown): boolean {
  if (err instanceof DbUnavailableError) return true;
  if (err instanceof AggregateError && err.errors.some(isUnavailable)) return true;
  const e = err as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string') {
    if (SOCKET_CODES.has(e.code) || SQLSTATES.has(e.code)) return true;
    if (/^[0-9A-Z]{5}$/.test(e.code) && SQLSTATE_CLASSES.includes(e.code.slice(0, 2))) return true;
  }
  return typeof e.message === 'string' && MESSAGES.test(e.message);
}
