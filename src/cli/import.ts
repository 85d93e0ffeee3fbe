// `thalamus import`: an export read line by line, checked, staged with COPY and merged in batches, all in one transaction.
import { open, stat } from 'node:fs/promises';
import type { ReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { isUnavailable, type Queryable } from '../db/db.ts';
import { CliError } from '../errors.ts';
import { copyLine, finishImport, firstMissingReference, mergeBatch, stageBatch, startImport } from '../store/bulk-import.ts';
import { announceChanges } from '../store/changes.ts';
import { TABLES, type Table } from '../store/rows.ts';
import { CLI_WRITER, say, withDb, type CliIo } from './io.ts';
import { decodeLine } from './ndjson.ts';
import { progress } from './progress.ts';

/** A batch ends at this many lines, or bytes, or where the table changes: memory stays flat. */
const BATCH_LINES = 10_000;
const BATCH_BYTES = 16 * 1024 * 1024;

/** Consecutive lines of one table, staged and merged together. */
interface Batch {
  table: Table;
  lines: number[];
  ids: string[];
  copy: string[];
  bytes: number;
}

const newBatch = (table: Table): Batch => ({ table, lines: [], ids: [], copy: [], bytes: 0 });

/** A database refusal of the batch, said in the file's terms: COPY names the staged row it could not read. */
function batchProblem(err: unknown, name: string, batch: Batch): CliError {
  const e = err as { message: string; detail?: string; where?: string };
  const staged = /COPY \w+, line (\d+)/.exec(e.where ?? '');
  const reason = e.detail ? `${e.message}: ${e.detail}` : e.message;
  if (staged) {
    const i = Number(staged[1]) - 1;
    return new CliError(`${name}:${batch.lines[i]}: ${batch.table} ${batch.ids[i]}: ${reason}`);
  }
  return new CliError(`${name}:${batch.lines[0]}-${batch.lines[batch.lines.length - 1]}: ${batch.table}: ${reason}`);
}

/** Stages and merges one batch; a line that refers to a missing row fails the import, named as before. */
async function load(tx: Queryable, name: string, batch: Batch): Promise<void> {
  try {
    await stageBatch(tx, batch.copy.join(''));
    const missing = await firstMissingReference(tx, batch.table);
    if (missing) {
      const id = batch.ids[batch.lines.indexOf(missing.line)];
      throw new CliError(
        `${name}:${missing.line}: ${batch.table} ${id}: refers to a row that is not there: ` +
          `Key (${missing.column})=(${missing.value}) is not present in table "${missing.target}". (rows must come after the rows they refer to)`,
      );
    }
    await mergeBatch(tx, batch.table);
  } catch (err) {
    if (err instanceof CliError || isUnavailable(err)) throw err;
    throw batchProblem(err, name, batch);
  }
}

async function openInput(io: CliIo, file: string): Promise<{ input: Readable; size: number | null }> {
  if (file === '-') return { input: io.stdin, size: null };
  try {
    const handle = await open(file, 'r');
    return { input: handle.createReadStream(), size: (await stat(file)).size };
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/**
 * Reads, checks and loads every line. The next batch is read and checked while the database
 * merges the previous one (two cores at work); a bad line still fails with the first bad line
 * of the file, as the database's verdict on earlier lines is awaited before a later one is blamed.
 */
async function importLines(tx: Queryable, name: string, input: Readable, size: number | null, io: CliIo): Promise<Map<Table, number>> {
  const state = await startImport(tx, CLI_WRITER);
  const perTable = new Map<Table, number>();
  const shown = progress(io.stderr, 'importing');
  let pending: Promise<void> = Promise.resolve();
  let batch = newBatch(TABLES[0]);
  let rows = 0;
  /** Waits for the batch before, then starts loading this one. */
  const flush = async () => {
    await pending;
    if (batch.lines.length === 0) return;
    const b = batch;
    pending = load(tx, name, b).then(() => {
      rows += b.lines.length;
      shown.update(rows, size ? (input as ReadStream).bytesRead / size : null);
    });
    // Awaited before the next batch or at the end; until then a failure must not count as unhandled.
    pending.catch(() => {});
  };
  let lineNo = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    lineNo += 1;
    if (text.trim() === '') continue;
    let line;
    try {
      line = decodeLine(text);
    } catch (err) {
      // The lines before it come first: a refusal of one of them is the error to report.
      await flush();
      await pending;
      throw new CliError(`${name}:${lineNo}: ${(err as Error).message}`);
    }
    if (batch.table !== line.table || batch.lines.length >= BATCH_LINES || batch.bytes >= BATCH_BYTES) {
      await flush();
      batch = newBatch(line.table);
    }
    batch.lines.push(lineNo);
    batch.ids.push(line.row.id);
    batch.copy.push(copyLine(lineNo, text));
    batch.bytes += text.length;
    perTable.set(line.table, (perTable.get(line.table) ?? 0) + 1);
  }
  await flush();
  await pending;
  try {
    await finishImport(tx, state);
  } catch (err) {
    if (isUnavailable(err)) throw err;
    throw new CliError(`${name}: ${(err as Error).message}`);
  }
  shown.end();
  return perTable;
}

export async function runImport(io: CliIo, file: string): Promise<void> {
  const name = file === '-' ? '<stdin>' : file;
  const { input, size } = await openInput(io, file);
  try {
    await withDb(io, async (db) => {
      // One transaction: a bad line anywhere means nothing at all is written.
      const counts = await db.transaction((tx) => importLines(tx, name, input, size, io));
      await announceChanges(db);
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const detail = TABLES.filter((t) => counts.has(t)).map((t) => `${t} ${counts.get(t)}`);
      say(io, `imported ${total} rows from ${name}${detail.length ? ` (${detail.join(', ')})` : ''}`);
    });
  } finally {
    if (input !== io.stdin) input.destroy();
  }
}
