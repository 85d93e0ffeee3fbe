// `thalamus backup FILE` / `thalamus restore FILE`: the embedded database's whole data directory, as one gzipped tarball.
import { existsSync, readdirSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../config.ts';
import { migrate } from '../db/migrate.ts';
import { CliError } from '../errors.ts';
import { openEmbedded } from '../startup/open-database.ts';
import { countPeople } from '../store/people.ts';
import { say, type CliIo } from './io.ts';

/** PostgreSQL has its own tools, consistent while the servers run: say which. */
function embeddedOnly(config: Config, command: 'backup' | 'restore'): void {
  if (!config.databaseUrl) return;
  const tool =
    command === 'backup'
      ? `pg_dump -Fc -f federation.dump "${'$'}THALAMUS_DATABASE_URL"`
      : `pg_restore --clean --if-exists -d "${'$'}THALAMUS_DATABASE_URL" federation.dump`;
  throw new CliError(
    `${command} copies the embedded database; with PostgreSQL (${config.databaseSetting}) use ${tool} (README, "Backups")`,
  );
}

/**
 * Copies the data directory while holding its lock: a running server holds it too, so a backup
 * is refused rather than taken from under it (PGlite serves one process at a time).
 */
async function backup(io: CliIo, file: string): Promise<void> {
  const config = loadConfig(io.env);
  embeddedOnly(config, 'backup');
  if (existsSync(file)) throw new CliError(`${file} already exists: choose another name, or remove it first`);
  const db = await openEmbedded(config.dataDir, { create: false });
  try {
    // A CHECKPOINT first, so the copy holds every committed write in the data files themselves.
    await db.exec('CHECKPOINT');
    const tarball = await db.pglite.dumpDataDir('gzip');
    const partial = `${file}.partial`;
    await writeFile(partial, Buffer.from(await tarball.arrayBuffer()));
    await rename(partial, file);
    say(io, `backed up ${config.dataDir} (${await countPeople(db)} people) to ${file}`);
  } finally {
    await db.close();
  }
}

/** Loads a backup into a data directory that does not exist yet (or is empty), then applies any newer migrations. */
async function restore(io: CliIo, file: string): Promise<void> {
  const config = loadConfig(io.env);
  embeddedOnly(config, 'restore');
  const dir = config.dataDir;
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new CliError(
      `THALAMUS_DATA_DIR: ${dir} is not empty: restore into a new directory (set THALAMUS_DATA_DIR), or move this one aside first`,
    );
  }
  let tarball: Buffer;
  try {
    tarball = await readFile(file);
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (tarball[0] !== 0x1f || tarball[1] !== 0x8b) throw new CliError(`${file} is not a backup made by \`thalamus backup\` (not gzip)`);
  const createdHere = !existsSync(dir);
  try {
    const db = await openEmbedded(dir, { create: true, loadDataDir: new Blob([new Uint8Array(tarball)]) });
    try {
      await migrate(db);
      say(io, `restored ${file} into ${dir} (${await countPeople(db)} people)`);
    } finally {
      await db.close();
    }
  } catch (err) {
    // Nothing half-restored is left behind.
    if (createdHere) await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

export function registerBackupCommands(program: Command, io: CliIo): void {
  program
    .command('backup')
    .description('copy the embedded database to FILE (gzipped tarball); refused while a server holds it')
    .argument('<file>', 'where to write the backup')
    .action((file: string) => backup(io, file));
  program
    .command('restore')
    .description('load a backup into THALAMUS_DATA_DIR, which must not exist yet or be empty')
    .argument('<file>', 'a file made by thalamus backup')
    .action((file: string) => restore(io, file));
}
