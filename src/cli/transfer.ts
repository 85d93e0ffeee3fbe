// `thalamus export` / `thalamus import`: NDJSON of the five reference tables, streamed both ways.
import { once } from 'node:events';
import { open, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { isUnavailable, type Queryable } from '../db/db.ts';
import { CliError } from '../errors.ts';
import { TABLES, writeRow, type Table } from '../store/rows.ts';
import { countRows, inSnapshot, readBatch } from '../store/transfer.ts';
import { announceChanges, setWriter } from '../store/changes.ts';
import { CLI_WRITER, say, withDb, type CliIo } from './io.ts';
import { decodeLine, encodeLine } from './ndjson.ts';

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

async function openInput(io: CliIo, file: string): Promise<Readable> {
  if (file === '-') return io.stdin;
  try {
    return (await open(file, 'r')).createReadStream();
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** A database refusal of one row, said in the file's terms. */
function rowProblem(err: unknown): string {
  const e = err as { code?: string; message: string; detail?: string };
  if (e.code === '23503')
    return `refers to a row that is not there: ${e.detail ?? e.message} (rows must come after the rows they refer to)`;
  return e.detail ? `${e.message}: ${e.detail}` : e.message;
}

async function runImport(io: CliIo, file: string): Promise<void> {
  const name = file === '-' ? '<stdin>' : file;
  const input = await openInput(io, file);
  try {
    await withDb(io, async (db) => {
      // One transaction: a bad line anywhere means nothing at all is written.
      const counts = await db.transaction(async (tx) => {
        await setWriter(tx, CLI_WRITER);
        const perTable = new Map<Table, number>();
        let lineNo = 0;
        for await (const text of createInterface({ input, crlfDelay: Infinity })) {
          lineNo += 1;
          if (text.trim() === '') continue;
          let line;
          try {
            line = decodeLine(text);
          } catch (err) {
            throw new CliError(`${name}:${lineNo}: ${(err as Error).message}`);
          }
          try {
            // Upsert: importing the same file again changes nothing.
            await writeRow(tx, line.table, line.row, true);
          } catch (err) {
            if (isUnavailable(err)) throw err;
            throw new CliError(`${name}:${lineNo}: ${line.table} ${line.row.id}: ${rowProblem(err)}`);
          }
          perTable.set(line.table, (perTable.get(line.table) ?? 0) + 1);
        }
        return perTable;
      });
      await announceChanges(db);
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const detail = TABLES.filter((t) => counts.has(t)).map((t) => `${t} ${counts.get(t)}`);
      say(io, `imported ${total} rows from ${name}${detail.length ? ` (${detail.join(', ')})` : ''}`);
    });
  } finally {
    if (input !== io.stdin) input.destroy();
  }
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
