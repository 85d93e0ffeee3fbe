// PostgreSQL connection strings: libpq keyword strings (the reference's `dbname=federation`) turned into URLs, and passwords masked.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where libpq looks for the server's Unix socket when no host is given (Debian's directory, then the upstream default). */
export const SOCKET_DIRS = ['/var/run/postgresql', '/tmp'];

/** URL parts a keyword takes; every other keyword (sslmode, application_name, ...) becomes a query parameter. */
const URL_PARTS = new Set(['host', 'hostaddr', 'port', 'dbname', 'user', 'password']);

export const looksLikeUrl = (raw: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(raw.trim());

/**
 * Parses a libpq keyword/value connection string (`dbname=federation user=gnuhealth`, values may be
 * single-quoted with backslash escapes, spaces around `=` allowed). Returns null when it is not one.
 */
export function parseKeywords(raw: string): Map<string, string> | null {
  const pairs = new Map<string, string>();
  const re = /\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'((?:[^'\\]|\\.)*)'|((?:[^\s'\\]|\\.)*))/y;
  let at = 0;
  const text = raw.trim();
  while (at < text.length) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) return null;
    pairs.set(m[1].toLowerCase(), (m[2] ?? m[3]).replace(/\\(.)/g, '$1'));
    at = re.lastIndex;
    if (at < text.length && !/\s/.test(text[at])) return null;
  }
  return pairs.size > 0 ? pairs : null;
}

export interface DefaultHost {
  /** PGHOST, which libpq (and pg) use when the string names no host. */
  pghost?: string;
  /** Directories searched for `.s.PGSQL.<port>` (libpq's default: the Unix socket). */
  socketDirs?: readonly string[];
}

/** The host libpq would use when none is given: PGHOST, else the local Unix socket if one is there, else localhost. */
function defaultHost(port: string, { pghost, socketDirs = SOCKET_DIRS }: DefaultHost): string {
  if (pghost) return pghost;
  return socketDirs.find((dir) => existsSync(join(dir, `.s.PGSQL.${port}`))) ?? 'localhost';
}

/** `dbname=federation user=gnuhealth` -> `postgresql://gnuhealth@%2Fvar%2Frun%2Fpostgresql:5432/federation`, or null if not a keyword string. */
export function keywordsToUrl(raw: string, defaults: DefaultHost = {}): string | null {
  const kw = parseKeywords(raw);
  if (!kw) return null;
  const port = kw.get('port') || '5432';
  const host = kw.get('host') || kw.get('hostaddr') || defaultHost(port, defaults);
  // A socket directory is carried percent-encoded in the host part, as pg (pg-connection-string) reads it.
  const hostPart = host.startsWith('/') ? encodeURIComponent(host) : host.includes(':') ? `[${host}]` : host;
  const user = kw.get('user');
  const password = kw.get('password');
  const auth = user ? `${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@` : '';
  const query = new URLSearchParams([...kw].filter(([k]) => !URL_PARTS.has(k)));
  const search = query.size > 0 ? `?${query.toString()}` : '';
  return `postgresql://${auth}${hostPart}:${port}/${encodeURIComponent(kw.get('dbname') || user || '')}${search}`;
}

/** The connection string with its password replaced by `***`, for messages and logs. */
export function maskPassword(raw: string): string {
  if (looksLikeUrl(raw)) {
    return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^@/?#]*@/i, '$1***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
  }
  return raw.replace(/(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)/gi, '$1***');
}
