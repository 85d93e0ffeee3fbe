// `thalamus import` in bulk (COPY, set-based merges) leaves what row-by-row writes leave: change log, versions, FHIR index.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { decodeLine, encodeLine } from '../../src/cli/ndjson.ts';
import { setWriter } from '../../src/store/changes.ts';
import { TABLES, type Table } from '../../src/store/rows.ts';
import type { Queryable } from '../../src/db/db.ts';
import { nationalLines } from '../../bench/generate.ts';
import { nationalSize } from '../../bench/national.ts';
import { eachBackend, freshDb } from '../helper.ts';
import { cli } from './cli-io.ts';

// 2,100 people: 10,500 pages, more than one batch of pages.
const set = nationalSize(2100, 5);
const text = [...nationalLines(set)].join('\n') + '\n';
const dir = mkdtempSync(join(tmpdir(), 'thalamus-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Plain multi-row INSERTs of rows (documents as base64): what any other writer does. */
async function insertRows(tx: Queryable, table: Table, rows: unknown[]): Promise<void> {
  const columns: Record<Table, string> = {
    people: 'id varchar, data jsonb',
    dus: 'id varchar, data jsonb',
    institutions: 'id varchar, data jsonb',
    pols: 'id varchar, book varchar, data jsonb',
    personal_docs: 'id varchar, fedacct varchar, pol varchar, document text, data jsonb',
  };
  const names = columns[table].split(', ').map((c) => c.split(' ')[0]);
  const values = names.map((n) => (n === 'document' ? `decode(document, 'base64')` : n));
  await tx.query(
    `INSERT INTO ${table} (${names.join(', ')}) SELECT ${values.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${columns[table]})`,
    [JSON.stringify(rows)],
  );
}

/** Everything the triggers keep beside the five tables, without the numbers that only count (seqs, versions, times). */
async function derived(db: Db): Promise<unknown> {
  return {
    changes: await db.query(
      `SELECT resource, id, person, operation, actor, node, count(*)::int AS n FROM changes GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 4`,
    ),
    books: await db.query('SELECT book FROM book_versions ORDER BY book'),
    records: await db.query('SELECT tbl, id, updated IS NOT NULL AS dated FROM record_versions ORDER BY tbl, id'),
    fhir: await db.query(
      `SELECT type, id, source, row_id, book, key, value, context, code, date::text AS date, updated IS NOT NULL AS dated
       FROM fhir_page_resources ORDER BY type, id`,
    ),
  };
}

/** Every version number and the change log's length: what must not move when nothing changed. */
async function versions(db: Db): Promise<unknown> {
  return {
    changes: await db.query('SELECT count(*)::int AS n FROM changes'),
    books: await db.query('SELECT book, version::text FROM book_versions ORDER BY book'),
    records: await db.query('SELECT tbl, id, version::text FROM record_versions ORDER BY tbl, id'),
    fhir: await db.query('SELECT type, id, version::text FROM fhir_page_resources ORDER BY type, id'),
  };
}

eachBackend('thalamus import, in bulk', (backend) => {
  let bulk: Db;
  let rowByRow: Db;
  before(async () => {
    [bulk, rowByRow] = await Promise.all([freshDb(backend), freshDb(backend)]);
    await Promise.all([migrate(bulk), migrate(rowByRow)]);
  });
  after(async () => {
    await bulk.close();
    await rowByRow.close();
  });

  test('a generated national export imports whole, with the change log, versions and FHIR index of row-by-row writes', async () => {
    const run = await cli(['import', '-'], { db: bulk, stdin: text });
    assert.deepEqual(
      [run.code, run.stdout, run.stderr],
      [0, 'imported 12604 rows from <stdin> (people 2100, pols 10500, personal_docs 1, institutions 3)\n', ''],
    );
    // The same rows through the ordinary triggers (no bulk import), a few hundred per statement.
    await rowByRow.transaction(async (tx) => {
      await setWriter(tx, { actor: 'cli', node: null });
      const lines = text.trimEnd().split('\n').map(decodeLine);
      for (const table of TABLES) {
        const rows = lines.filter((l) => l.table === table).map((l) => ({ ...l.row, document: l.row.document?.toString('base64') }));
        for (let i = 0; i < rows.length; i += 500) await insertRows(tx, table, rows.slice(i, i + 500));
      }
    });
    assert.deepEqual(await derived(bulk), await derived(rowByRow));
    // Loaded into an empty pols, whose foreign key was set aside meanwhile: back, and checked.
    assert.deepEqual(
      await bulk.query(`SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'pols'::regclass AND contype = 'f'`),
      [{ conname: 'pols_book_fkey', convalidated: true }],
    );
  });

  test('importing it again changes nothing: no change rows, no version moves', async () => {
    const before_ = await versions(bulk);
    const run = await cli(['import', '-'], { db: bulk, stdin: text });
    assert.equal(run.code, 0);
    assert.deepEqual(await versions(bulk), before_);
  });

  test('a changed page and a changed person: two update rows, that book bumped once and no other', async () => {
    const lines = text.trimEnd().split('\n').map(decodeLine);
    const pageLine = lines.find((l) => l.table === 'pols')!;
    const personLine = lines.find((l) => l.table === 'people' && l.row.id !== pageLine.row.book)!;
    const pageRow = { ...pageLine.row, data: { ...(pageLine.row.data as object), summary: 'Changed' } };
    const personRow = { ...personLine.row, data: { ...(personLine.row.data as object), profession: 'Nurse midwife' } };
    const before_ = await versions(bulk);
    // The same person twice: the last line wins.
    const input = [
      encodeLine('people', { ...personRow, data: { stale: true } }),
      encodeLine('people', personRow),
      encodeLine('pols', pageRow),
    ];
    const run = await cli(['import', '-'], { db: bulk, stdin: `${input.join('\n')}\n` });
    assert.deepEqual([run.code, run.stdout], [0, 'imported 3 rows from <stdin> (people 2, pols 1)\n']);
    const changes = await bulk.query<Record<string, unknown>>(
      `SELECT resource, id, person, operation, actor FROM changes ORDER BY seq DESC LIMIT 2`,
    );
    assert.deepEqual(
      changes.sort((a, b) => String(a.resource).localeCompare(String(b.resource))),
      [
        { resource: 'people', id: personRow.id, person: personRow.id, operation: 'update', actor: 'cli' },
        { resource: 'pols', id: pageRow.id, person: pageRow.book, operation: 'update', actor: 'cli' },
      ],
    );
    const after_ = (await versions(bulk)) as { books: { book: string; version: string }[]; changes: { n: number }[] };
    const was = before_ as typeof after_;
    assert.equal(after_.changes[0].n, was.changes[0].n + 2);
    const moved = after_.books.filter((b, i) => b.version !== was.books[i].version).map((b) => b.book);
    assert.deepEqual(moved, [pageRow.book]);
    const stored = await bulk.query<{ data: unknown }>('SELECT data FROM people WHERE id = $1', [personRow.id]);
    assert.deepEqual(stored[0].data, personRow.data);
  });

  test('a bad page, then a malformed line in the same batch: the first bad line is named, nothing of the earlier batches is written', async () => {
    const db = await freshDb(backend);
    try {
      await migrate(db);
      const lines = text.trimEnd().split('\n');
      // Line 12,001 is a page of the first batch of pages (after the people's); it names a person who is not there.
      const bad = JSON.parse(lines[12_000]) as { book: string; id: string };
      lines[12_000] = JSON.stringify({ ...bad, book: 'NOBODY' });
      lines[12_050] = lines[12_050].replace('"table":"pols"', '"table":"pols","extra":1');
      const file = join(dir, `bad-${backend}.ndjson`);
      writeFileSync(file, `${lines.join('\n')}\n`);
      const run = await cli(['import', file], { db });
      assert.deepEqual(
        [run.code, run.stdout, run.stderr],
        [
          1,
          '',
          `thalamus: ${file}:12001: pols ${bad.id}: refers to a row that is not there: Key (book)=(NOBODY) is not present in table "people". (rows must come after the rows they refer to)\n`,
        ],
      );
      const counts = await db.query<{ n: number }>(
        'SELECT (SELECT count(*) FROM people)::int + (SELECT count(*) FROM pols)::int + (SELECT count(*) FROM changes)::int AS n',
      );
      assert.equal(counts[0].n, 0);
    } finally {
      await db.close();
    }
  });

  test('a value PostgreSQL refuses is named by its line too', async () => {
    const db = await freshDb(backend);
    try {
      await migrate(db);
      const file = join(dir, `nul-${backend}.ndjson`);
      writeFileSync(file, `${[...text.split('\n').slice(0, 2), '{"table":"people","id":"NUL","data":{"name":"\\u0000"}}'].join('\n')}\n`);
      const run = await cli(['import', file], { db });
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`^thalamus: ${file}:3: people NUL: unsupported Unicode escape sequence`));
      assert.equal(run.stderr.split('\n').length, 2);
      assert.deepEqual(await db.query('SELECT id FROM people'), []);
    } finally {
      await db.close();
    }
  });
});
