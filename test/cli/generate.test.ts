// bench/generate.ts: a national export, deterministic for a seed, in the export's own format and order, that imports as is.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import bcrypt from 'bcrypt';
import { decodeLine, type ExportLine } from '../../src/cli/ndjson.ts';
import { migrate } from '../../src/db/migrate.ts';
import { TABLES } from '../../src/store/rows.ts';
import { countRows } from '../../src/store/transfer.ts';
import { nationalLines } from '../../bench/generate.ts';
import { HASHES, nationalSize, PASSWORDS } from '../../bench/national.ts';
import { freshPglite } from '../helper.ts';
import { cli } from './cli-io.ts';

const set = nationalSize(200, 7);
const text = [...nationalLines(set)].join('\n') + '\n';
const lines: ExportLine[] = text.trimEnd().split('\n').map(decodeLine);
const of = (table: string) => lines.filter((l) => l.table === table);

test('N people, 5N pages, a document per 2,000 people (at least one) and a few institutions, each line one the import reads', () => {
  assert.deepEqual(
    TABLES.map((t) => [t, of(t).length]),
    [
      ['people', 200],
      ['pols', 1000],
      ['personal_docs', 1],
      ['dus', 0],
      ['institutions', 3],
    ],
  );
});

test('the same seed gives the same bytes; another seed, other rows', () => {
  assert.equal([...nationalLines(nationalSize(200, 7))].join('\n') + '\n', text);
  assert.notEqual([...nationalLines(nationalSize(200, 8))][0], text.split('\n')[0]);
});

test('in the export order: tables in foreign-key order, each sorted by id without repeats, federation ids well formed', () => {
  assert.deepEqual([...new Set(lines.map((l) => l.table))], ['people', 'pols', 'personal_docs', 'institutions']);
  for (const table of TABLES) {
    const ids = of(table).map((l) => l.row.id);
    assert.deepEqual(ids, [...new Set(ids)].sort(), table);
  }
  for (const { row } of of('people')) assert.match(row.id, /^[A-Z]{3}[A-Z]{3}\d{3}[A-Z]{3}$/);
  for (const { row } of of('pols')) assert.match(row.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('every page and document belongs to a generated person (and page); each page is one of the two shapes', () => {
  const people = new Set(of('people').map((l) => l.row.id));
  const pages = new Set(of('pols').map((l) => l.row.id));
  for (const { row } of of('pols')) {
    assert.ok(people.has(row.book!), row.id);
    const data = row.data as Record<string, unknown>;
    assert.equal(data.book, row.book);
    assert.ok(data.node === 'MyGNUHealth' ? 'context' in data && 'privacy' in data : 'medical_context' in data && 'creation_info' in data);
  }
  const [doc] = of('personal_docs');
  assert.ok(people.has(doc.row.fedacct!) && pages.has(doc.row.pol!));
  assert.ok(doc.row.document!.length >= 2000);
  const shapes = new Set(of('pols').map((l) => `${String((l.row.data as Record<string, unknown>).node === 'MyGNUHealth')}`));
  assert.deepEqual([...shapes].sort(), ['false', 'true']);
  const sizes = of('pols').map((l) => JSON.stringify(l.row.data).length);
  assert.ok(Math.min(...sizes) < 700 && Math.max(...sizes) > 4000, `page sizes ${Math.min(...sizes)}..${Math.max(...sizes)}`);
});

test('people with a password carry one of the precomputed hashes, whose passwords are published', async () => {
  const hashes = new Set(
    of('people')
      .map((l) => (l.row.data as { password?: string }).password)
      .filter(Boolean),
  );
  assert.equal(hashes.size, PASSWORDS.length);
  assert.deepEqual([...hashes].sort(), [...HASHES].sort());
  assert.deepEqual(await Promise.all(HASHES.map((hash, i) => bcrypt.compare(PASSWORDS[i], hash))), [true, true, true, true]);
});

test('`thalamus import -` loads it whole', async () => {
  const db = await freshPglite();
  try {
    await migrate(db);
    const run = await cli(['import', '-'], { db, stdin: text });
    assert.deepEqual(
      [run.code, run.stdout, run.stderr],
      [0, 'imported 1204 rows from <stdin> (people 200, pols 1000, personal_docs 1, institutions 3)\n', ''],
    );
    assert.deepEqual(await Promise.all(TABLES.map((t) => countRows(db, t))), [200, 1000, 1, 0, 3]);
  } finally {
    await db.close();
  }
});
