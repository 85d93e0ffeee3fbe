// What a CLI command reads and writes: injected so tests run every command in-process.
import type { Readable, Writable } from 'node:stream';
import { loadConfig, type Config } from '../config.ts';
import { openDb, type Db } from '../db/db.ts';
import { migrate } from '../db/migrate.ts';
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

/** Opens the configured database, migrates it (unless told not to), runs fn, and always closes it. */
export async function withDb<T>(io: CliIo, fn: (db: Db, config: Config) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const config = loadConfig(io.env);
  for (const warning of config.warnings) io.stderr.write(`thalamus: warning: ${warning}\n`);
  const db = await (io.openDb ?? openDb)(config);
  try {
    if (options.migrate ?? true) await migrate(db);
    return await fn(db, config);
  } finally {
    await db.close();
  }
}
