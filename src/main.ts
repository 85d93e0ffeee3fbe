// The server process: load config -> open db -> migrate -> demo -> build app -> listen; close on signals.
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { loadRolesFile } from './auth/roles-file.ts';
import type { Config } from './config.ts';
import { openDb, type Db } from './db/db.ts';
import { migrate } from './db/migrate.ts';
import { loadDemoIfEmpty } from './demo.ts';
import { ConfigError } from './errors.ts';
import { exitOnFatalErrors } from './fatal.ts';
import { KeyUnsealError } from './oauth/key-encryption.ts';

export interface RunningServer {
  app: FastifyInstance;
  db: Db;
  url: string;
  close(): Promise<void>;
}

async function migrateOnce(config: Config): Promise<string[]> {
  const db = await openDb(config);
  try {
    return await migrate(db);
  } finally {
    await db.close();
  }
}

/** What the embedded database guarantees, said at start (README, "Durability"). */
const EMBEDDED_DURABILITY =
  'durability: every write is flushed to disk (fsync) before it is acknowledged, so it survives a crash or a power cut ' +
  'as far as the disk keeps what it was told to flush (a volatile write cache, or a virtual disk that ignores flushes, can still lose the last writes)';

export async function startServer(config: Config): Promise<RunningServer> {
  // A roles.cfg that cannot be used stops the start before the database is touched.
  const roles = loadRolesFile(config.rolesPath);
  // On PostgreSQL the migrations run on a connection of their own, without the serving pool's
  // statement timeout (an index on a large existing database takes as long as it takes).
  const migratedFirst = config.databaseUrl ? await migrateOnce(config) : null;
  const db = await openDb(config, { serving: true });
  let app: FastifyInstance | undefined;
  try {
    const applied = migratedFirst ?? (await migrate(db));
    const https = config.tlsCert && config.tlsKey ? { cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) } : null;
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
    const url = await app.listen({ port: config.port, host: config.host });
    app.log.info(`Thalamus is serving on ${url} (${where})`);
    const serving = app;
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await serving.close();
        await db.close();
      })());
    return { app: serving, db, url, close };
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

/** Serves until SIGINT/SIGTERM, then stops accepting, lets in-flight requests finish and closes the pool. */
export async function serveUntilSignalled(config: Config): Promise<void> {
  const server = await startServer(config);
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
