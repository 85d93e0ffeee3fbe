// `npm run generate -- --people N [--seed S]`: a national export (N people, 5N pages) on stdout, as `thalamus export` writes one.
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { encodeLine } from '../src/cli/ndjson.ts';
import type { Table, TableRow } from '../src/store/rows.ts';
import { doc, institution, nationalSize, person, type National } from './national.ts';
import { page } from './national-pages.ts';

/** Lines are gathered into chunks of this many before each write: few syscalls, little memory. */
const CHUNK = 500;

/**
 * Every line of the data set in the export's order (people, pols, personal_docs, then
 * institutions; each by id), made one at a time from its index: memory stays flat at any size.
 */
export function* nationalLines(set: National): Generator<string> {
  const tables: [Table, number, (set: National, i: number) => TableRow][] = [
    ['people', set.people, person],
    ['pols', set.pages, page],
    ['personal_docs', set.docs, doc],
    ['institutions', set.institutions, institution],
  ];
  for (const [table, count, make] of tables) {
    for (let i = 0; i < count; i++) yield encodeLine(table, make(set, i));
  }
}

/** Resolves when `out` drains, or when it is gone (an error or close ends the wait too). */
function drained(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}

/** Writes the lines to `out`, waiting for it to drain; stops quietly when the reader goes away (`| head`). */
export async function writeLines(lines: Iterable<string>, out: Writable): Promise<number> {
  let closed = false;
  out.on('error', () => (closed = true));
  let chunk: string[] = [];
  let n = 0;
  const flush = async () => {
    if (chunk.length === 0 || closed) return;
    const text = `${chunk.join('\n')}\n`;
    chunk = [];
    if (!out.write(text)) await drained(out);
  };
  for (const line of lines) {
    chunk.push(line);
    n++;
    if (chunk.length >= CHUNK) await flush();
    if (closed) break;
  }
  await flush();
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { people: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' } },
  });
  const people = Number(values.people);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(people) || people < 1 || !Number.isSafeInteger(seed)) {
    process.stderr.write('usage: generate --people N [--seed S]  (N >= 1; S an integer)\n');
    process.exit(2);
  }
  const set = nationalSize(people, seed);
  const n = await writeLines(nationalLines(set), process.stdout);
  process.stderr.write(
    `generated ${n} rows (people ${set.people}, pols ${set.pages}, personal_docs ${set.docs}, institutions ${set.institutions})\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
