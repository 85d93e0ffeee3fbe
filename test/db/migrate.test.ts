// Migrations: idempotent, safe when instances start together, and adopting a reference database untouched.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcrypt';
import { openPg, type Db } from '../../src/db/db.ts';
import { listMigrations, migrate } from '../../src/db/migrate.ts';
import { eachBackend, freshDb, freshPostgres, PG_URL } from '../helper.ts';
import { PYTHON_HASH, REFERENCE_SCHEMA } from '../reference-schema.ts';

const ALL = listMigrations().map((m) => m.name);
const TABLES = ['people', 'pols', 'personal_docs', 'dus', 'institutions'];

async function seedReference(db: Db): Promise<void> {
  await db.exec(REFERENCE_SCHEMA);
  const ana = { id: 'ESPGNU777ORG', name: 'Ana', lastname: 'Betz', active: true, roles: ['end_user'], password: PYTHON_HASH };
  await db.query('INSERT INTO people VALUES ($1, $2::jsonb)', ['ESPGNU777ORG', JSON.stringify(ana)]);
  // A node-created person with no password, and a row whose data is SQL NULL.
  await db.query('INSERT INTO people VALUES ($1, $2::jsonb), ($3, NULL)', [
    'ITAPYT999HON',
    '{"id":"ITAPYT999HON","name":"Cameron"}',
    'NULLDATA',
  ]);
  await db.query('INSERT INTO pols VALUES ($1, $2, $3::jsonb)', [
    'page-1',
    'ESPGNU777ORG',
    '{"id":"page-1","book":"ESPGNU777ORG","page_type":"medical"}',
  ]);
  await db.query('INSERT INTO personal_docs VALUES ($1, $2, $3, $4, $5::jsonb)', [
    'doc-1',
    'ESPGNU777ORG',
    'page-1',
    Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01]),
    '{"id":"doc-1","title":"birth picture"}',
  ]);
  await db.query('INSERT INTO dus VALUES ($1, $2::jsonb)', ['DU-1', '{"name":"Betz family","address":{"city":"Milano"}}']);
  await db.query('INSERT INTO institutions VALUES ($1, $2::jsonb)', ['INST-1', '{"name":"Milano General Hospital"}']);
}

/** The five tables' columns and every row, physical position (ctid) and writing transaction (xmin) included. */
async function snapshot(db: Db): Promise<unknown> {
  const columns = await db.query(
    `SELECT table_name, column_name, ordinal_position, data_type, is_nullable, column_default, character_maximum_length
     FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY($1::text[])
     ORDER BY table_name, ordinal_position`,
    [TABLES],
  );
  const constraints = await db.query(
    `SELECT conrelid::regclass::text AS table_name, conname, pg_get_constraintdef(oid) AS definition
     FROM pg_constraint WHERE conrelid::regclass::text = ANY($1::text[]) ORDER BY 1, 2`,
    [TABLES],
  );
  const rows: Record<string, unknown> = {};
  for (const table of TABLES) {
    rows[table] = await db.query(`SELECT ctid::text AS ctid, xmin::text AS xmin, t::text AS row FROM ${table} t ORDER BY id`);
  }
  return { columns, constraints, rows };
}

eachBackend('migrations', (backend) => {
  test('migrating twice: the first run applies every migration, the second none', async () => {
    const db = await freshDb(backend);
    try {
      assert.deepEqual(await migrate(db), ALL);
      assert.deepEqual(await migrate(db), []);
      const recorded = await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY version');
      assert.deepEqual(
        recorded.map((r) => r.name),
        ALL,
      );
    } finally {
      await db.close();
    }
  });

  describe('adopting a reference database', () => {
    let db: Db;
    let before_: unknown;
    before(async () => {
      db = await freshDb(backend);
      await seedReference(db);
      before_ = await snapshot(db);
    });
    after(() => db.close());

    test('migrating twice leaves the five tables, their constraints and every row exactly as they were', async () => {
      assert.deepEqual(await migrate(db), ALL);
      assert.deepEqual(await migrate(db), []);
      assert.deepEqual(await snapshot(db), before_);
    });

    test('the Python-made $2b$12$ hash still verifies after adoption', async () => {
      const [row] = await db.query<{ password: string }>("SELECT data->>'password' AS password FROM people WHERE id = 'ESPGNU777ORG'");
      assert.equal(row.password, PYTHON_HASH);
      assert.equal(await bcrypt.compare('gnusolidario', row.password), true);
    });

    test('every book that already had pages gets a version, and a later page bumps it', async () => {
      const versions = async () =>
        db.query<{ book: string; version: string }>('SELECT book, version::text AS version FROM book_versions ORDER BY book');
      const [adopted] = await versions();
      assert.equal(adopted.book, 'ESPGNU777ORG');
      assert.equal((await versions()).length, 1);
      await db.query('INSERT INTO pols VALUES ($1, $2, $3::jsonb)', ['page-2', 'ESPGNU777ORG', '{"id":"page-2"}']);
      const [bumped] = await versions();
      assert.ok(BigInt(bumped.version) > BigInt(adopted.version), `${bumped.version} after ${adopted.version}`);
      await db.query("DELETE FROM pols WHERE id = 'page-2'");
      assert.ok(BigInt((await versions())[0].version) > BigInt(bumped.version));
    });
  });
});

describe('migrations [postgres, concurrent]', { skip: PG_URL ? false : 'THALAMUS_TEST_DATABASE_URL is not set' }, () => {
  test('two instances migrating at once both succeed and each migration is applied once', async () => {
    const first = await freshPostgres();
    const second = openPg(first.url);
    try {
      const [a, b] = await Promise.all([migrate(first), migrate(second)]);
      assert.deepEqual([...a, ...b].sort(), [...ALL].sort());
      assert.ok(a.length === 0 || b.length === 0, `both applied something: ${a.join(', ')} / ${b.join(', ')}`);
      const counts = await first.query<{ version: number; n: string }>(
        'SELECT version, count(*) AS n FROM schema_migrations GROUP BY version',
      );
      assert.equal(counts.length, ALL.length);
      assert.ok(counts.every((c) => Number(c.n) === 1));
    } finally {
      await second.close();
      await first.close();
    }
  });
});
