// A database that cannot be used at start, in one line naming the setting, its value (password masked) and what to do.
import type { Config } from '../config.ts';
import { maskPassword } from '../database-url.ts';
import { ConfigError, reasonOf } from '../errors.ts';

type PgError = Error & { code?: string; errors?: PgError[] };

/** The code of a connection error; Node reports `localhost` refused on ::1 and 127.0.0.1 as an AggregateError. */
function codeOf(err: PgError): string | undefined {
  return err.code ?? err.errors?.find((e) => e.code)?.code;
}

function target(url: URL): string {
  const host = decodeURIComponent(url.hostname) || 'localhost';
  return host.startsWith('/') ? `the socket in ${host}` : `${host}:${url.port || 5432}`;
}

/** Why PostgreSQL refused, and what to change: null for errors that are not about reaching or entering the database. */
function reason(err: PgError, url: URL): string | null {
  const user = decodeURIComponent(url.username) || 'the operating-system user';
  const database = decodeURIComponent(url.pathname.slice(1)) || user;
  const message = err.message || '';
  if (/password must be a (non-empty )?string|no password/i.test(message)) {
    return `PostgreSQL at ${target(url)} asks ${user} for a password and none is given: put it in the URL (postgresql://${user}:PASSWORD@...), or in PGPASSWORD or ~/.pgpass`;
  }
  switch (codeOf(err) ?? '') {
    case '28P01':
      return `PostgreSQL at ${target(url)} refused the password of ${user}: check it (ALTER ROLE ${user} PASSWORD '...' sets it)`;
    case '28000':
      return `PostgreSQL at ${target(url)} refused ${user} (${message}): create the role, or allow it in pg_hba.conf`;
    case '3D000':
      return `PostgreSQL at ${target(url)} has no database "${database}": create it (createdb -O ${user} ${database}), or fix the name`;
    case '42501':
      return `${user} may not create Thalamus's tables in "${database}" (${message}): run \`thalamus migrate\` once as the database's owner, or GRANT CREATE ON SCHEMA public TO ${user}`;
    case 'ECONNREFUSED':
      return `nothing answers at ${target(url)}: is PostgreSQL running, and listening there (listen_addresses, port)?`;
    case 'ENOENT':
      return `there is no PostgreSQL socket at ${target(url)}: is PostgreSQL running on this machine? Give host= for a server elsewhere`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host "${url.hostname}" is not found: check its name`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${target(url)} does not answer (${codeOf(err)}): check the address and any firewall between`;
    case '57P03':
      return `PostgreSQL at ${target(url)} is starting up or shutting down: start Thalamus again in a moment`;
    case '53300':
      return `PostgreSQL at ${target(url)} has no connection left (${message}): lower THALAMUS_DB_POOL_SIZE or raise max_connections`;
    default:
      if (/timeout exceeded when trying to connect/i.test(message))
        return `${target(url)} did not answer within 5 s: check the address and any firewall between`;
      if (/does not support SSL/i.test(message))
        return `PostgreSQL at ${target(url)} does not speak TLS: remove sslmode=require, or enable ssl on the server`;
      return null;
  }
}

/** The ConfigError to print instead of a raw driver error, or null when the error is something else. */
export function explainDatabaseError(err: unknown, config: Pick<Config, 'databaseUrl' | 'databaseSetting'>): ConfigError | null {
  if (!config.databaseUrl || !(err instanceof Error)) return null;
  const why = reason(err, new URL(config.databaseUrl));
  return why ? new ConfigError(`${config.databaseSetting}: "${maskPassword(config.databaseUrl)}": ${why}`) : null;
}

/** PGlite could not open its directory: a one-line message instead of its own ("undefined", "failed to initialize"). */
export function embeddedOpenError(err: unknown, dataDir: string): ConfigError {
  return new ConfigError(
    `THALAMUS_DATA_DIR: the embedded database in ${dataDir} cannot be opened (${reasonOf(err) || 'no reason given'}): is it a Thalamus data directory, written by this version, and used by no other process? Move it aside to start afresh`,
  );
}
