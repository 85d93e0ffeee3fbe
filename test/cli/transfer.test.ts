// `thalamus export` / `import`: a lossless, byte-identical round trip, idempotent re-import, and all-or-nothing on a bad line.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { writeRow, TABLES } from '../../src/store/rows.ts';
import { countRows } from '../../src/store/transfer.ts';
import { eachBackend, freshDb, seededDb } from '../helper.ts';
import { cli } from './cli-io.ts';

const dir = mkdtempSync(join(tmpdir(), 'thalamus-transfer-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const outcome = (r: { code: number; stdout: string; stderr: string }) => ({ code: r.code, stdout: r.stdout, stderr: r.stderr });

async function counts(db: Db): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of TABLES) result[table] = await countRows(db, table);
  return result;
}

async function migrated(backend: Parameters<typeof freshDb>[0]): Promise<Db> {
  const db = await freshDb(backend);
  await migrate(db);
  return db;
}

const PERSON = (id: string) => JSON.stringify({ table: 'people', id, data: { id, name: 'X' } });

eachBackend('thalamus export / import', (backend) => {
  let source: Db;
  let target: Db;
  let exported: Buffer;
  before(async () => {
    source = await seededDb(backend);
    // Beyond the demo: the two tables the demo leaves empty, odd characters, null columns, SQL NULL data.
    await writeRow(
      source,
      'dus',
      { id: 'DU-1', data: { name: 'Betz family', members: ['ESPGNU777ORG'], 'quote"and\\slash': 'ünïcödé ✓ \u2028' } },
      false,
    );
    await writeRow(source, 'institutions', { id: 'INST-1', data: { name: 'Milano General Hospital', beds: 420.5 } }, false);
    await writeRow(source, 'institutions', { id: 'INST-2', data: null }, false);
    await writeRow(source, 'pols', { id: 'orphan-page', book: null, data: { id: 'orphan-page' } }, false);
    await writeRow(
      source,
      'personal_docs',
      { id: 'empty-doc', fedacct: 'ESPGNU777ORG', pol: null, document: null, data: { id: 'empty-doc' } },
      false,
    );
    target = await migrated(backend);
  });
  after(async () => {
    await source.close();
    await target.close();
  });

  test('export writes one line per row of the five tables, documents as base64', async () => {
    const run = await cli(['export'], { db: source });
    assert.equal(run.code, 0);
    assert.equal(run.stderr, 'exported 11 rows\n');
    exported = run.raw;
    const lines = run.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Foreign-key order (people, pols, personal_docs, then dus, institutions), each table by id.
    assert.deepEqual(
      lines.map((l) => `${String(l.table)}/${String(l.id)}`),
      [
        'people/ARGBUE111FAV',
        'people/ESPGNU777ORG',
        'people/ITAPYT999HON',
        'pols/a8f2e2b4-5e0b-4c2e-9d1c-3f6b8f9a0b01',
        'pols/c41d7e9a-2b6f-4f8e-8a53-7e0d1c2b3a02',
        'pols/orphan-page',
        'personal_docs/5b9c7f1e-8d2a-4e6b-9f3c-1a2b3c4d5e03',
        'personal_docs/empty-doc',
        'dus/DU-1',
        'institutions/INST-1',
        'institutions/INST-2',
      ],
    );
    const picture = lines.find((l) => l.table === 'personal_docs' && l.id !== 'empty-doc')!;
    assert.deepEqual(Object.keys(picture), ['table', 'id', 'fedacct', 'pol', 'data', 'document']);
    assert.deepEqual(Buffer.from(String(picture.document), 'base64'), readFileSync('demo/ana-birth-picture.jpg'));
    assert.deepEqual(
      lines.find((l) => l.id === 'INST-2'),
      { table: 'institutions', id: 'INST-2', data: null },
    );
    assert.deepEqual(
      lines.find((l) => l.id === 'empty-doc'),
      { table: 'personal_docs', id: 'empty-doc', fedacct: 'ESPGNU777ORG', pol: null, data: { id: 'empty-doc' }, document: null },
    );
  });

  test('import into a fresh database, export again: byte for byte the same', async () => {
    const run = await cli(['import', '-'], { db: target, stdin: exported });
    assert.deepEqual(outcome(run), {
      code: 0,
      stdout: 'imported 11 rows from <stdin> (people 3, pols 3, personal_docs 2, dus 1, institutions 2)\n',
      stderr: '',
    });
    const again = await cli(['export'], { db: target });
    assert.ok(again.raw.equals(exported), 'the second export differs from the first');
  });

  test('importing the same file again changes nothing', async () => {
    const file = join(dir, `${backend}.ndjson`);
    writeFileSync(file, exported);
    const before_ = await counts(target);
    const run = await cli(['import', file], { db: target });
    assert.deepEqual(outcome(run), {
      code: 0,
      stdout: `imported 11 rows from ${file} (people 3, pols 3, personal_docs 2, dus 1, institutions 2)\n`,
      stderr: '',
    });
    assert.deepEqual(await counts(target), before_);
    assert.ok((await cli(['export'], { db: target })).raw.equals(exported));
  });

  test('--out writes the same bytes to a file', async () => {
    const file = join(dir, `${backend}-out.ndjson`);
    const run = await cli(['export', '--out', file], { db: source });
    assert.deepEqual(outcome(run), { code: 0, stdout: `exported 11 rows to ${file}\n`, stderr: '' });
    assert.ok(readFileSync(file).equals(exported));
  });

  test('on a terminal, export shows its progress on stderr', async () => {
    const run = await cli(['export', '--out', join(dir, `${backend}-tty.ndjson`)], { db: source, tty: true });
    assert.equal(run.code, 0);
    // One update per batch; each table ends a batch.
    assert.equal(run.stderr, [3, 6, 8, 9, 11].map((n) => `\rexporting: ${n} of 11 rows`).join('') + '\n');
  });

  const badLines: [string, string, string][] = [
    ['not JSON', '{"table": "people", "id": ', 'not JSON ('],
    [
      'an unknown table',
      '{"table": "users", "id": "X"}',
      'unknown table "users" (expected one of people, pols, personal_docs, dus, institutions)',
    ],
    ['a missing id', '{"table": "people", "data": {}}', '"id" must be a non-empty string'],
    ['a stray column', '{"table": "people", "id": "X", "book": "Y", "data": {}}', 'unexpected field "book" for table people'],
    [
      'a document that is not base64',
      '{"table": "personal_docs", "id": "D", "document": "not base64!", "data": {}}',
      '"document" is not base64',
    ],
    [
      'a page of a person not in the database',
      '{"table": "pols", "id": "P", "book": "NOBODY", "data": {}}',
      'pols P: refers to a row that is not there: Key (book)=(NOBODY) is not present in table "people". (rows must come after the rows they refer to)',
    ],
  ];
  for (const [what, line, reason] of badLines) {
    test(`a bad line (${what}) fails the whole import with its line number; nothing is written`, async () => {
      const db = await migrated(backend);
      try {
        const file = join(dir, `bad-${backend}.ndjson`);
        writeFileSync(file, `${PERSON('FIRST')}\n\n${PERSON('SECOND')}\n${line}\n${PERSON('AFTER')}\n`);
        const run = await cli(['import', file], { db });
        assert.equal(run.code, 1);
        assert.equal(run.stdout, '');
        assert.ok(run.stderr.startsWith(`thalamus: ${file}:4: ${reason}`), run.stderr);
        assert.equal(run.stderr.split('\n').length, 2, run.stderr);
        assert.deepEqual(await counts(db), { people: 0, pols: 0, personal_docs: 0, dus: 0, institutions: 0 });
      } finally {
        await db.close();
      }
    });
  }

  test('a file that cannot be read is one line and exit 1', async () => {
    const file = join(dir, 'nowhere.ndjson');
    assert.deepEqual(outcome(await cli(['import', file], { db: target })), {
      code: 1,
      stdout: '',
      stderr: `thalamus: cannot read ${file}: ENOENT\n`,
    });
    assert.deepEqual(outcome(await cli(['export', '--out', join(dir, 'no/such/dir.ndjson')], { db: source })), {
      code: 1,
      stdout: '',
      stderr: `thalamus: cannot write ${join(dir, 'no/such/dir.ndjson')}: ENOENT\n`,
    });
    assert.equal(existsSync(join(dir, 'no')), false);
  });
});
