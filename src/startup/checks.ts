// What a start needs before any slow work: the address and port free, the data directory usable, the TLS files a pair (tls.ts).
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Config } from '../config.ts';
import { ConfigError, reasonOf } from '../errors.ts';
import { httpsOptions, type HttpsOptions } from './tls.ts';

/** Binds host:port for a moment and lets go, so a taken port is reported before a database is opened or created. */
export async function checkListenable(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  }).catch((err: NodeJS.ErrnoException) => {
    throw listenError(host, port, err);
  });
}

/** One line for a failed listen (also used when the real listen fails later, in a race). */
export function listenError(host: string, port: number, err: NodeJS.ErrnoException): ConfigError | NodeJS.ErrnoException {
  switch (err.code ?? '') {
    case 'EADDRINUSE':
      return new ConfigError(
        `THALAMUS_PORT: ${port} on ${host} is already in use by another process: stop it, or choose another port (THALAMUS_PORT, or serve --port)`,
      );
    case 'EACCES':
      return new ConfigError(
        `THALAMUS_PORT: ${port} needs privileges this user does not have (ports below 1024): use a port from 1024 up (8443 is the clients' default), or grant CAP_NET_BIND_SERVICE`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EADDRNOTAVAIL':
      return new ConfigError(
        `THALAMUS_HOST: "${host}" is not a name or address of this machine (${err.code}): use 127.0.0.1 (this machine only), 0.0.0.0 (every interface) or one of its addresses`,
      );
    default:
      return err;
  }
}

/**
 * The embedded database's directory: a directory (created when missing) that this user can write.
 * `create: false` (the CLI commands) refuses a directory that does not exist instead of creating one.
 */
export function checkDataDir(dataDir: string, { create }: { create: boolean }): void {
  const what = `THALAMUS_DATA_DIR: ${dataDir}`;
  if (existsSync(dataDir)) {
    if (!statSync(dataDir).isDirectory()) {
      throw new ConfigError(`${what} is a file, not a directory: point THALAMUS_DATA_DIR at a directory (it is created when missing)`);
    }
    try {
      accessSync(dataDir, constants.W_OK | constants.X_OK);
    } catch {
      throw new ConfigError(
        `${what} is not writable by this user (uid ${process.getuid?.() ?? '?'}): give it to the user Thalamus runs as (chown), or choose another directory`,
      );
    }
    return;
  }
  if (!create) {
    throw new ConfigError(
      `${what} does not exist, so there is no embedded database here: set THALAMUS_DATA_DIR (or THALAMUS_DATABASE_URL) to the server's database, or create one with \`thalamus migrate\``,
    );
  }
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw new ConfigError(
      `${what} cannot be created (${reasonOf(err)}): create it yourself for the user Thalamus runs as, or choose another directory`,
    );
  }
}

/** Every check that can fail fast, in the order an operator would fix them. */
export async function checkBeforeStart(config: Config, { listen }: { listen: boolean }): Promise<HttpsOptions | null> {
  const https = httpsOptions(config);
  if (listen) await checkListenable(config.host, config.port);
  if (!config.databaseUrl) checkDataDir(config.dataDir, { create: true });
  return https;
}
