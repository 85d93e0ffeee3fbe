// What a CLI command reads and writes: injected so tests run every command in-process.
import type { Readable, Writable } from 'node:stream';
import { loadConfig, type Config } from '../config.ts';
import type { Db } from '../db/db.ts';
import { explainDatabaseError } from '../startup/database-errors.ts';
import { openDatabase } from '../startup/open-database.ts';
import type { Writer } from '../store/changes.ts';

export interface CliIo {
  env: Record<string, string | undefined>;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /** Opens the database named by the config (tests hand in their own). */
  openDb?: (config: Config) => Promise<Db>;
}

export function processIo(): CliIo {
  return { env: process.env, stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}

/** The change log's name for writes made by the `thalamus` command (user add/passwd/roles, import). */
export const CLI_WRITER: Writer = { actor: 'cli', node: null };

export const say = (io: CliIo, line: string) => io.stdout.write(`${line}\n`);

export interface WithDbOptions {
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  /** Create the embedded database when it does not exist (only `thalamus migrate`); other commands refuse. */
  createEmbedded?: boolean;
}

/**
 * Opens the configured database, migrates it (unless told not to), runs fn, and always closes it.
 * A database that cannot be used is one line naming its setting, whenever the failure shows.
 */
export async function withDb<T>(io: CliIo, fn: (db: Db, config: Config) => Promise<T>, options: WithDbOptions = {}): Promise<T> {
  const config = loadConfig(io.env);
  for (const warning of config.warnings) io.stderr.write(`thalamus: warning: ${warning}\n`);
  const { db } = await openDatabase(config, { createEmbedded: options.createEmbedded ?? false, migrate: options.migrate, open: io.openDb });
  try {
    return await fn(db, config);
  } catch (err) {
    throw explainDatabaseError(err, config) ?? err;
  } finally {
    await db.close();
  }
}
