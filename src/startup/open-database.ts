// Opening the configured database for a start or a command, with every failure told in one line.
import type { Config } from '../config.ts';
import { openDb, type Db } from '../db/db.ts';
import { migrate } from '../db/migrate.ts';
import { checkDataDir } from './checks.ts';
import { embeddedOpenError, explainDatabaseError } from './database-errors.ts';

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
  else {
    checkDataDir(config.dataDir, { create: options.createEmbedded });
    try {
      db = await openDb(config);
    } catch (err) {
      throw embeddedOpenError(err, config.dataDir);
    }
  }
  try {
    const applied = options.migrate === false ? [] : await migrate(db);
    return { db, applied };
  } catch (err) {
    await db.close().catch(() => {});
    throw explainDatabaseError(err, config) ?? err;
  }
}
