// The server process: load config -> checks -> open db -> migrate -> demo -> build app -> listen; close on signals.
import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { loadRolesFile } from './auth/roles-file.ts';
import type { Config } from './config.ts';
import type { Db } from './db/db.ts';
import { loadDemoIfEmpty } from './demo.ts';
import { ConfigError } from './errors.ts';
import { exitOnFatalErrors } from './fatal.ts';
import { KeyUnsealError } from './oauth/key-encryption.ts';
import { checkBeforeStart, listenError } from './startup/checks.ts';
import { openDatabase } from './startup/open-database.ts';
import { reloadTls } from './startup/tls.ts';
import { hasRootAccount } from './store/people.ts';

export interface RunningServer {
  app: FastifyInstance;
  db: Db;
  url: string;
  /** Reads the TLS certificate, key and client CA again and serves them to new connections (SIGHUP); false when they did not check out or there is no TLS. */
  reloadTls(): boolean;
  close(): Promise<void>;
}

/** What a new operator needs on a first start against an empty database: every request is 401 until then. */
export const FIRST_ROOT_HINT =
  'no active root account in this database, so every request will be refused: create one with ' +
  '`thalamus user add <ACCOUNT_ID> --role root --name <NAME>` (same THALAMUS_* settings; it asks for the password), then manage the others over the API';

/** What the embedded database guarantees, said at start (README, "Durability"). */
const EMBEDDED_DURABILITY =
  'durability: every write is flushed to disk (fsync) before it is acknowledged, so it survives a crash or a power cut ' +
  'as far as the disk keeps what it was told to flush (a volatile write cache, or a virtual disk that ignores flushes, can still lose the last writes)';

export async function startServer(config: Config): Promise<RunningServer> {
  // A roles.cfg, TLS files, port or data directory that cannot be used stop the start before any slow work.
  const roles = loadRolesFile(config.rolesPath);
  // A cluster worker's port is the primary's, checked there once.
  const https = await checkBeforeStart(config, { listen: !cluster.isWorker });
  const { db, applied } = await openDatabase(config, { createEmbedded: true, serving: true });
  let app: FastifyInstance | undefined;
  try {
    app = await buildApp({ config, db, roles, https });
    // A cluster's primary has said them once already.
    if (!cluster.isWorker) for (const warning of config.warnings) app.log.warn(warning);
    const where = config.databaseUrl ? 'PostgreSQL' : `embedded database in ${config.dataDir}`;
    if (applied.length > 0) app.log.info({ applied }, `migrated the ${where}`);
    if (!config.databaseUrl && !cluster.isWorker) app.log.info(EMBEDDED_DURABILITY);
    if (config.demo && (await loadDemoIfEmpty(db))) {
      app.log.info('the database was empty: loaded the demo accounts ITAPYT999HON, ESPGNU777ORG and ARGBUE111FAV');
    }
    await checkSigningKey(app);
    if (!cluster.isWorker && !(await hasRootAccount(db))) app.log.warn(FIRST_ROOT_HINT);
    const url = await app.listen({ port: config.port, host: config.host }).catch((err: NodeJS.ErrnoException) => {
      throw listenError(config.host, config.port, err);
    });
    app.log.info(`Thalamus is serving on ${url} (${where})`);
    const serving = app;
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await serving.close();
        await db.close();
      })());
    return { app: serving, db, url, close, reloadTls: () => reloadTls(serving.server, config, serving.log) };
  } catch (err) {
    await app?.close().catch(() => {});
    await db.close().catch(() => {});
    throw err;
  }
}

/**
 * Before serving: the token server has a signing key its key-encryption key opens (the first
 * start makes one). A key-encryption key that does not open it stops the start with one line.
 */
async function checkSigningKey(app: FastifyInstance): Promise<void> {
  const server = app.tokenServer;
  if (!server.issuing) {
    app.log.warn('THALAMUS_KEY_ENCRYPTION_KEY is not set: the token endpoint is off (Bearer tokens are still verified)');
    return;
  }
  try {
    const key = await server.signer().current();
    app.log.info(`tokens are signed with key ${key.kid}`);
  } catch (err) {
    if (err instanceof KeyUnsealError) throw new ConfigError(err.message);
    throw err;
  }
}

/**
 * Serves until SIGINT/SIGTERM, then stops accepting, lets in-flight requests finish and closes
 * the pool. SIGHUP reloads the TLS files (README, "TLS"); one that comes while the server is still
 * starting is acted on once it serves (the files may have been read before they were replaced).
 */
export async function serveUntilSignalled(config: Config): Promise<void> {
  let reloadWhenStarted = false;
  let onHangUp = () => void (reloadWhenStarted = true);
  process.on('SIGHUP', () => onHangUp());
  const server = await startServer(config);
  onHangUp = () => void server.reloadTls();
  if (reloadWhenStarted) server.reloadTls();
  exitOnFatalErrors(server.app.log);
  const stop = (signal: string) => {
    server.app.log.info(`${signal} received: finishing in-flight requests and closing`);
    process.once(signal, () => process.exit(1));
    // Requests stuck on a database that stopped answering must not keep the process alive past its grace.
    setTimeout(() => {
      server.app.log.error(`still closing after ${config.shutdownGraceMs} ms: exiting with requests unfinished`);
      process.exit(1);
    }, config.shutdownGraceMs).unref();
    server.close().then(
      () => process.exit(0),
      (err) => {
        server.app.log.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
