// `thalamus export` / `thalamus import` (import.ts): NDJSON of the five reference tables, streamed both ways.
import { once } from 'node:events';
import { open, rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Queryable } from '../db/db.ts';
import { CliError } from '../errors.ts';
import { TABLES } from '../store/rows.ts';
import { countRows, inSnapshot, readBatch } from '../store/transfer.ts';
import { runImport } from './import.ts';
import { say, withDb, type CliIo } from './io.ts';
import { encodeLine } from './ndjson.ts';

const BATCH = 1000;

async function write(out: Writable, chunk: string): Promise<void> {
  // Respect backpressure: a slow reader (a pipe, a disk) must not make us buffer the database.
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Writes every row of the five tables (in foreign-key order) and returns how many. */
async function exportRows(tx: Queryable, out: Writable, progress?: (done: number, total: number) => void): Promise<number> {
  let total = 0;
  if (progress) for (const table of TABLES) total += await countRows(tx, table);
  let done = 0;
  for (const table of TABLES) {
    let after: string | null = null;
    for (;;) {
      const rows = await readBatch(tx, table, after, BATCH);
      if (rows.length === 0) break;
      await write(out, rows.map((row) => `${encodeLine(table, row)}\n`).join(''));
      done += rows.length;
      after = rows[rows.length - 1].id;
      progress?.(done, total);
      if (rows.length < BATCH) break;
    }
  }
  return done;
}

async function runExport(io: CliIo, file: string | undefined): Promise<void> {
  await withDb(io, async (db) => {
    // A terminal gets a progress line; a pipe or a log file gets only the summary.
    const progress = io.stderr.isTTY
      ? (done: number, total: number) => io.stderr.write(`\rexporting: ${done} of ${total} rows`)
      : undefined;
    if (file === undefined) {
      const n = await inSnapshot(db, (tx) => exportRows(tx, io.stdout, progress));
      io.stderr.write(`${progress ? '\n' : ''}exported ${n} rows\n`);
      return;
    }
    // Written beside the target and renamed at the end: FILE is never left half-written.
    const partial = `${file}.partial-${process.pid}`;
    const handle = await open(partial, 'w').catch((err: NodeJS.ErrnoException) => {
      throw new CliError(`cannot write ${file}: ${err.code ?? err.message}`);
    });
    const out = handle.createWriteStream();
    try {
      const n = await inSnapshot(db, (tx) => exportRows(tx, out, progress));
      out.end();
      await once(out, 'close');
      await rename(partial, file);
      if (progress) io.stderr.write('\n');
      say(io, `exported ${n} rows to ${file}`);
    } catch (err) {
      out.destroy();
      await rm(partial, { force: true });
      throw err;
    }
  });
}

export function registerTransferCommands(program: Command, io: CliIo): void {
  program
    .command('export')
    .description('write every row of the five reference tables as NDJSON (documents as base64)')
    .option('--out <file>', 'write to FILE instead of standard output')
    .action((opts: { out?: string }) => runExport(io, opts.out));

  program
    .command('import')
    .description('load an export (FILE, or - for stdin) in one transaction; existing rows are replaced')
    .argument('<file>', 'an NDJSON export, or - for standard input')
    .action((file: string) => runImport(io, file));
}
