// Configuration: a pure function of the environment (and an optional JSON file), validated once.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { fileURLToPath } from 'node:url';
import ipaddr from 'ipaddr.js';
import { readConfigFile } from './config-file.ts';
import { defaultDataDir } from './data-dir.ts';
import { keywordsToUrl, looksLikeUrl, maskPassword } from './database-url.ts';
import { ConfigError, reasonOf } from './errors.ts';

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** PostgreSQL URL; null means the embedded PGlite database under dataDir. */
  readonly databaseUrl: string | null;
  /** Where databaseUrl came from, for messages: `THALAMUS_DATABASE_URL`, `POSTGRESQL_URI`, or `POSTGRESQL_URI in <file>`. */
  readonly databaseSetting: string | null;
  /** The roles.cfg (ACL) file; auth/roles-file.ts reads it. */
  readonly rolesPath: string;
  /** Load the demo data into an empty database at start. */
  readonly demo: boolean;
  readonly bodyLimit: number;
  /** PostgreSQL connections per server process. */
  readonly dbPoolSize: number;
  /** Longest one statement of the server may run on PostgreSQL, in ms (lock waits included); 0 for no limit. */
  readonly dbStatementTimeoutMs: number;
  /** After SIGTERM/SIGINT, how long in-flight requests get before the process exits anyway, in ms. */
  readonly shutdownGraceMs: number;
  /** Load shedding (503 + Retry-After): mean event-loop delay in ms, heap and RSS in MiB; 0 turns a check off. */
  readonly overload: { readonly maxEventLoopDelayMs: number; readonly maxHeapUsedMb: number; readonly maxRssMb: number };
  /** How long a client may take to send its headers, its whole request, and how long an idle kept-alive connection stays open, in ms. */
  readonly httpTimeouts: { readonly headersMs: number; readonly requestMs: number; readonly keepAliveMs: number };
  /** Memory for rendered Books of Life, in MiB; 0 turns the book cache off. */
  readonly bookCacheMb: number;
  readonly logLevel: string;
  /** Allowed CORS origins; ['*'] means any. */
  readonly corsOrigins: readonly string[];
  readonly tlsCert: string | null;
  readonly tlsKey: string | null;
  /** PEM bundle of the CAs whose client certificates are verified (THALAMUS_TLS_CA); null when client certificates are off. */
  readonly tlsCa: string | null;
  /** Client certificates: not asked for, asked for (other schemes still work), or required in the TLS handshake. */
  readonly tlsClientCert: TlsClientCert;
  /**
   * Whose X-Forwarded-For is believed for the client address: false (nobody: the socket's
   * peer is the client), true (any proxy), or a comma-separated list of proxy addresses and
   * CIDR ranges (and Fastify's names loopback, linklocal, uniquelocal).
   */
  readonly trustProxy: boolean | string;
  /** Failed logins one client address may make per minute before its password checks stop (429); 0 for no limit. */
  readonly authFailuresPerAddress: number;
  /** Days audit entries are kept (older ones are pruned hourly); null keeps them all. */
  readonly auditDays: number | null;
  /** Audit reads and lists of person data too (the default); false records only writes, refusals and failed logins. */
  readonly auditReads: boolean;
  /** Signs the HTML forms' CSRF tokens; random per process when unset, so several instances must share one. */
  readonly secret: string;
  /** A change stream writes a comment line this often, so proxies do not close it as idle. */
  readonly relayHeartbeatMs: number;
  /** The relay reads the change log at least this often, notification or not (writes made outside Thalamus). */
  readonly relayPollMs: number;
  /** Webhook deliveries: attempts before one is parked as failed, the first and the longest wait between attempts, how long a receiver gets to answer, how many go out at once per process. */
  readonly webhookMaxAttempts: number;
  readonly webhookRetryMs: number;
  readonly webhookMaxRetryMs: number;
  readonly webhookTimeoutMs: number;
  readonly webhookConcurrency: number;
  /** Lets GET /metrics answer callers beyond this machine that send it as a bearer token; null: loopback only. */
  readonly metricsToken: string | null;
  /** What the config file held that was ignored (unknown names, DEBUG, a short SECRET_KEY): logged at start. */
  readonly warnings: readonly string[];
  /** The token server's issuer URL; null: the address each request came to (one machine, tests). */
  readonly issuer: string | null;
  /** The `aud` of the access tokens this server issues and accepts. */
  readonly tokenAudience: string;
  /** Lifetime of access tokens and of refresh tokens, in seconds. */
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  /** 32 bytes that encrypt the signing keys at rest; null: the embedded default (README, "Tokens"). */
  readonly keyEncryptionKey: Buffer | null;
}

type Env = Record<string, string | undefined>;

export type TlsClientCert = 'off' | 'request' | 'require';
const TLS_CLIENT_CERT_MODES: readonly TlsClientCert[] = ['off', 'request', 'require'];

/** The shipped roles.cfg, found from this module's place (src/ or the compiled dist/, both one level down). */
export const DEFAULT_ROLES_PATH = fileURLToPath(new URL('../etc/roles.cfg', import.meta.url));
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** V8's heap limit for this process (set by --max-old-space-size), in bytes. */
const heapSizeLimit = () => getHeapStatistics().heap_size_limit;

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name}: "${raw}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}

function flag(name: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name}: "${raw}" is not true or false`);
}

/** THALAMUS_DATABASE_URL, else the reference's POSTGRESQL_URI: a URL or a libpq keyword string (`dbname=federation user=gnuhealth`). */
function databaseUrl(env: Env, named: (name: string) => string): { url: string; setting: string } | null {
  const [ours, reference] = [env.THALAMUS_DATABASE_URL, env.POSTGRESQL_URI];
  const name = named(ours ? 'THALAMUS_DATABASE_URL' : 'POSTGRESQL_URI');
  const raw = (ours || reference)?.trim();
  if (!raw) return null;
  const expected = 'expected postgresql://user:password@host:5432/database or dbname=... user=... host=...';
  const converted = looksLikeUrl(raw) ? raw : keywordsToUrl(raw, { pghost: env.PGHOST });
  if (converted === null)
    throw new ConfigError(`${name}: "${maskPassword(raw)}" is neither a URL nor a libpq keyword string (${expected})`);
  let url: URL;
  try {
    url = new URL(converted);
  } catch {
    throw new ConfigError(`${name}: "${maskPassword(raw)}" is not a valid URL (${expected})`);
  }
  if (url.protocol !== 'postgresql:' && url.protocol !== 'postgres:') {
    throw new ConfigError(`${name}: "${url.protocol}" is not a PostgreSQL URL (${expected})`);
  }
  return { url: converted, setting: name };
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** THALAMUS_TRUST_PROXY: true/false, or the proxies (addresses, CIDR ranges, names) whose X-Forwarded-For is believed. */
function trustProxy(raw: string | undefined): boolean | string {
  if (raw === undefined || raw.trim() === '') return false;
  const asFlag = ['1', 'true', 'yes', 'on', '0', 'false', 'no', 'off'].includes(raw.trim().toLowerCase());
  if (asFlag) return flag('THALAMUS_TRUST_PROXY', raw) ?? false;
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const valid = PROXY_NAMES.includes(entry) || ipaddr.isValid(entry) || isCidr(entry);
    if (!valid) {
      throw new ConfigError(
        `THALAMUS_TRUST_PROXY: "${entry}" is not true, false, an IP address, a CIDR range or one of ${PROXY_NAMES.join(', ')}`,
      );
    }
  }
  return entries.join(',');
}

function isCidr(entry: string): boolean {
  try {
    ipaddr.parseCIDR(entry);
    return true;
  } catch {
    return false;
  }
}

function readableFile(name: string, path: string): string {
  try {
    readFileSync(path);
  } catch (err) {
    throw new ConfigError(`${name}: cannot read ${path}: ${reasonOf(err)}`);
  }
  return path;
}

const optionalFile = (name: string, path: string | undefined): string | null => (path ? readableFile(name, path) : null);

function metricsToken(raw: string | undefined): string | null {
  if (!raw) return null;
  if (raw.trim().length < 16)
    throw new ConfigError('THALAMUS_METRICS_TOKEN: use at least 16 characters (for example `openssl rand -hex 16`)');
  return raw.trim();
}

function secret(raw: string | undefined): string {
  if (!raw) return randomBytes(32).toString('hex');
  if (raw.length < 32) throw new ConfigError('THALAMUS_SECRET: use at least 32 characters (for example `openssl rand -hex 32`)');
  return raw;
}

/**
 * The file's settings under the environment (which wins), and a record of which of the file's
 * names were read: a file name no setting asked for is reported as unknown.
 */
interface WithFile {
  merged: Env;
  unread: () => string[];
  warnings: string[];
  /** How messages name a setting: `NAME`, or `NAME in <file>` when the value came from the file. */
  named: (name: string) => string;
}

function withFile(env: Env): WithFile {
  if (!env.THALAMUS_CONFIG) return { merged: env, unread: () => [], warnings: [], named: (name) => name };
  const path = env.THALAMUS_CONFIG;
  const file = readConfigFile(path);
  const read = new Set<string>();
  const merged = new Proxy(
    { ...file.settings, ...env },
    {
      get: (target, name) => {
        if (typeof name === 'string') read.add(name);
        return target[name as string];
      },
    },
  );
  const unread = () =>
    Object.keys(file.settings)
      .filter((name) => !read.has(name))
      .map((name) => `${name} in ${path} is not a Thalamus setting; ignored`);
  const named = (name: string) => (!env[name] && file.settings[name] !== undefined ? `${name} in ${path}` : name);
  return { merged, unread, warnings: file.warnings, named };
}

/** 32 bytes, written as 64 hex digits or as base64/base64url (`openssl rand -hex 32`). */
function keyEncryptionKey(raw: string | undefined): Buffer | null {
  if (!raw || raw.trim() === '') return null;
  const text = raw.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(text)
      ? Buffer.from(text, 'base64')
      : null;
  if (key?.length !== 32) {
    throw new ConfigError('THALAMUS_KEY_ENCRYPTION_KEY: expected 32 bytes as 64 hex digits or base64 (for example `openssl rand -hex 32`)');
  }
  return key;
}

function issuer(raw: string | undefined): string | null {
  if (!raw || raw.trim() === '') return null;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`THALAMUS_ISSUER: "${raw}" is not a URL (expected https://thalamus.example.org)`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    throw new ConfigError(`THALAMUS_ISSUER: "${raw}" must be an http(s) URL without query or fragment`);
  }
  // RFC 8414: the issuer is compared as a string, so one spelling, without a trailing slash.
  return url.href.replace(/\/$/, '');
}

/**
 * THALAMUS_TLS_CLIENT_CERT and THALAMUS_TLS_CA (README, "TLS"): client certificates are asked for
 * in our own TLS handshake, so they need THALAMUS_TLS_CERT, and a CA to verify them against.
 */
function clientCertificates(merged: Env, tls: boolean): { tlsCa: string | null; tlsClientCert: TlsClientCert; warnings: string[] } {
  const raw = (merged.THALAMUS_TLS_CLIENT_CERT || 'off').trim().toLowerCase();
  const mode = TLS_CLIENT_CERT_MODES.find((m) => m === raw);
  if (!mode) {
    throw new ConfigError(
      `THALAMUS_TLS_CLIENT_CERT: "${merged.THALAMUS_TLS_CLIENT_CERT}" is not one of ${TLS_CLIENT_CERT_MODES.join(', ')}`,
    );
  }
  const ca = optionalFile('THALAMUS_TLS_CA', merged.THALAMUS_TLS_CA);
  if (mode === 'off') {
    const unused =
      'THALAMUS_TLS_CA is set but THALAMUS_TLS_CLIENT_CERT is off: no client certificate is asked for (set it to request or require)';
    return { tlsCa: null, tlsClientCert: 'off', warnings: ca ? [unused] : [] };
  }
  if (!tls) {
    throw new ConfigError(
      `THALAMUS_TLS_CLIENT_CERT=${mode} needs THALAMUS_TLS_CERT and THALAMUS_TLS_KEY: client certificates are asked for in Thalamus's own TLS handshake (behind a proxy that ends TLS, the proxy checks them)`,
    );
  }
  if (!ca) {
    throw new ConfigError(
      `THALAMUS_TLS_CLIENT_CERT=${mode} needs THALAMUS_TLS_CA: the PEM file of the CA (or CAs) that issue the client certificates`,
    );
  }
  return { tlsCa: ca, tlsClientCert: mode, warnings: [] };
}

export function loadConfig(env: Env = process.env): Config {
  const { merged, unread, warnings, named } = withFile(env);
  const db = databaseUrl(merged, named);
  const dbUrl = db?.url ?? null;
  // Checked readable here; its content is the ACL's business (auth/roles-file.ts), read as the app is built.
  const rolesPath = readableFile('THALAMUS_ROLES', resolve(merged.THALAMUS_ROLES || DEFAULT_ROLES_PATH));
  const logLevel = (merged.THALAMUS_LOG_LEVEL || 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`THALAMUS_LOG_LEVEL: "${merged.THALAMUS_LOG_LEVEL}" is not one of ${LOG_LEVELS.join(', ')}`);
  }
  const tlsCert = optionalFile('THALAMUS_TLS_CERT', merged.THALAMUS_TLS_CERT);
  const tlsKey = optionalFile('THALAMUS_TLS_KEY', merged.THALAMUS_TLS_KEY);
  if (Boolean(tlsCert) !== Boolean(tlsKey)) {
    throw new ConfigError('THALAMUS_TLS_CERT and THALAMUS_TLS_KEY must be set together');
  }
  const clientCerts = clientCertificates(merged, tlsCert !== null);
  const host = (merged.THALAMUS_HOST || '127.0.0.1').trim();
  const settings = {
    port: integer('THALAMUS_PORT', merged.THALAMUS_PORT, 8080, 0, 65535),
    host,
    dataDir: merged.THALAMUS_DATA_DIR ? resolve(merged.THALAMUS_DATA_DIR) : defaultDataDir(env),
    databaseUrl: dbUrl,
    databaseSetting: db?.setting ?? null,
    rolesPath,
    // The demo accounts come with the embedded database; a real PostgreSQL gets them only when asked.
    demo: flag('THALAMUS_DEMO', merged.THALAMUS_DEMO) ?? dbUrl === null,
    bodyLimit: integer('THALAMUS_BODY_LIMIT', merged.THALAMUS_BODY_LIMIT, 8 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    // Two per core: more connections than the cores can run only make PostgreSQL switch between them
    // (measured: one worker's person reads went from about 5,100/s with 10 to 6,600/s with 4, on 2 cores).
    dbPoolSize: integer('THALAMUS_DB_POOL_SIZE', merged.THALAMUS_DB_POOL_SIZE, Math.max(4, 2 * availableParallelism()), 1, 1000),
    // Short enough that a request fails with 503 within 5 s when PostgreSQL stalls; long enough for any request's query.
    dbStatementTimeoutMs: integer('THALAMUS_DB_STATEMENT_TIMEOUT_MS', merged.THALAMUS_DB_STATEMENT_TIMEOUT_MS, 3000, 0, 3_600_000),
    shutdownGraceMs: integer('THALAMUS_SHUTDOWN_GRACE_MS', merged.THALAMUS_SHUTDOWN_GRACE_MS, 10_000, 0, 3_600_000),
    // Shed load before the process stalls or runs out of heap (README, "Overload"): a second of
    // mean event-loop delay means every request already waits that long; V8 dies at its heap limit.
    overload: Object.freeze({
      maxEventLoopDelayMs: integer('THALAMUS_MAX_EVENT_LOOP_DELAY_MS', merged.THALAMUS_MAX_EVENT_LOOP_DELAY_MS, 1000, 0, 600_000),
      maxHeapUsedMb: integer(
        'THALAMUS_MAX_HEAP_MB',
        merged.THALAMUS_MAX_HEAP_MB,
        Math.floor((0.9 * heapSizeLimit()) / 2 ** 20),
        0,
        1 << 20,
      ),
      maxRssMb: integer('THALAMUS_MAX_RSS_MB', merged.THALAMUS_MAX_RSS_MB, 0, 0, 1 << 20),
    }),
    // A client that trickles its headers or body holds a socket; these bound how long (slowloris).
    httpTimeouts: Object.freeze({
      headersMs: integer('THALAMUS_HEADERS_TIMEOUT_MS', merged.THALAMUS_HEADERS_TIMEOUT_MS, 10_000, 100, 3_600_000),
      requestMs: integer('THALAMUS_REQUEST_TIMEOUT_MS', merged.THALAMUS_REQUEST_TIMEOUT_MS, 60_000, 100, 3_600_000),
      // Above the usual 60 s idle timeout of load balancers, so they never reuse a connection we are closing (as Fastify's default).
      keepAliveMs: integer('THALAMUS_KEEPALIVE_TIMEOUT_MS', merged.THALAMUS_KEEPALIVE_TIMEOUT_MS, 72_000, 100, 3_600_000),
    }),
    bookCacheMb: integer('THALAMUS_BOOK_CACHE_MB', merged.THALAMUS_BOOK_CACHE_MB, 32, 0, 64 * 1024),
    logLevel,
    corsOrigins: Object.freeze(
      (merged.THALAMUS_CORS_ORIGINS || '*')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
    tlsCert,
    tlsKey,
    tlsCa: clientCerts.tlsCa,
    tlsClientCert: clientCerts.tlsClientCert,
    trustProxy: trustProxy(merged.THALAMUS_TRUST_PROXY),
    auditDays: merged.THALAMUS_AUDIT_DAYS?.trim() ? integer('THALAMUS_AUDIT_DAYS', merged.THALAMUS_AUDIT_DAYS, 0, 1, 36_500) : null,
    auditReads: flag('THALAMUS_AUDIT_READS', merged.THALAMUS_AUDIT_READS) ?? true,
    authFailuresPerAddress: integer('THALAMUS_AUTH_FAILURES_PER_ADDRESS', merged.THALAMUS_AUTH_FAILURES_PER_ADDRESS, 100, 0, 1_000_000),
    secret: secret(merged.THALAMUS_SECRET),
    issuer: issuer(merged.THALAMUS_ISSUER),
    tokenAudience: (merged.THALAMUS_TOKEN_AUDIENCE || 'thalamus').trim(),
    accessTokenTtl: integer('THALAMUS_ACCESS_TOKEN_TTL', merged.THALAMUS_ACCESS_TOKEN_TTL, 600, 30, 24 * 3600),
    refreshTokenTtl: integer('THALAMUS_REFRESH_TOKEN_TTL', merged.THALAMUS_REFRESH_TOKEN_TTL, 14 * 24 * 3600, 60, 365 * 24 * 3600),
    keyEncryptionKey: keyEncryptionKey(merged.THALAMUS_KEY_ENCRYPTION_KEY),
    relayHeartbeatMs: integer('THALAMUS_RELAY_HEARTBEAT_MS', merged.THALAMUS_RELAY_HEARTBEAT_MS, 15_000, 10, 3_600_000),
    relayPollMs: integer('THALAMUS_RELAY_POLL_MS', merged.THALAMUS_RELAY_POLL_MS, 2_000, 10, 3_600_000),
    webhookMaxAttempts: integer('THALAMUS_WEBHOOK_MAX_ATTEMPTS', merged.THALAMUS_WEBHOOK_MAX_ATTEMPTS, 10, 1, 1000),
    webhookRetryMs: integer('THALAMUS_WEBHOOK_RETRY_MS', merged.THALAMUS_WEBHOOK_RETRY_MS, 1_000, 1, 86_400_000),
    webhookMaxRetryMs: integer('THALAMUS_WEBHOOK_MAX_RETRY_MS', merged.THALAMUS_WEBHOOK_MAX_RETRY_MS, 3_600_000, 1, 86_400_000),
    webhookTimeoutMs: integer('THALAMUS_WEBHOOK_TIMEOUT_MS', merged.THALAMUS_WEBHOOK_TIMEOUT_MS, 10_000, 10, 600_000),
    webhookConcurrency: integer('THALAMUS_WEBHOOK_CONCURRENCY', merged.THALAMUS_WEBHOOK_CONCURRENCY, 16, 1, 1000),
    metricsToken: metricsToken(merged.THALAMUS_METRICS_TOKEN),
  };
  // After every setting above has been read, so that a file name none of them asked for is known.
  return Object.freeze({ ...settings, warnings: Object.freeze([...warnings, ...clientCerts.warnings, ...unread()]) });
}
