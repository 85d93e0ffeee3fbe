// Opening the configured database for a start or a command, with every failure told in one line.
import type { Config } from '../config.ts';
import { DataDirInUseError } from '../db/data-dir-lock.ts';
import { openDb, openPglite, type Db } from '../db/db.ts';
import { migrate } from '../db/migrate.ts';
import { checkDataDir } from './checks.ts';
import { embeddedOpenError, explainDatabaseError } from './database-errors.ts';

export type EmbeddedDb = Awaited<ReturnType<typeof openPglite>>;

export interface OpenOptions {
  /** Create the embedded database when its directory does not exist (serve, migrate); other commands refuse. */
  createEmbedded: boolean;
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /**
   * The HTTP server's pool, whose statements are bounded by the configured timeout. On PostgreSQL
   * the migrations then run first on a connection of their own, without that timeout (an index on
   * a large existing database takes as long as it takes).
   */
  serving?: boolean;
  /** Opens the database (tests hand in their own; the embedded directory is then not checked). */
  open?: (config: Config) => Promise<Db>;
}

/** The database, migrated unless told not to, and the migrations applied; a ConfigError naming the setting when it cannot be used. */
export async function openDatabase(config: Config, options: OpenOptions): Promise<{ db: Db; applied: string[] }> {
  if (options.serving && config.databaseUrl && !options.open && options.migrate !== false) {
    const { db: migrator, applied } = await openDatabase(config, { ...options, serving: false });
    await migrator.close();
    const { db } = await openDatabase(config, { ...options, migrate: false });
    return { db, applied };
  }
  let db: Db;
  if (options.open) db = await options.open(config);
  else if (config.databaseUrl) db = await openDb(config, { serving: options.serving });
  else db = await openEmbedded(config.dataDir, { create: options.createEmbedded });
  try {
    const applied = options.migrate === false ? [] : await migrate(db);
    return { db, applied };
  } catch (err) {
    await db.close().catch(() => {});
    throw explainDatabaseError(err, config) ?? err;
  }
}

/** The embedded database in `dataDir` (openPglite locks it for this process until closed); `loadDataDir` restores a backup into it. */
export async function openEmbedded(dataDir: string, options: { create: boolean; loadDataDir?: Blob }): Promise<EmbeddedDb> {
  checkDataDir(dataDir, { create: options.create });
  try {
    return await openPglite(dataDir, options.loadDataDir ? { loadDataDir: options.loadDataDir } : {});
  } catch (err) {
    // Another process holding the directory says so itself (src/db/data-dir-lock.ts).
    if (err instanceof DataDirInUseError) throw err;
    throw embeddedOpenError(err, dataDir);
  }
}
