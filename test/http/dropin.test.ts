// Drop-in: a database made by the reference (its five tables, its demo rows) is served as is and left intact.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { demoRows } from '../../src/demo.ts';
import { TABLES, writeRow, type TableRow } from '../../src/store/rows.ts';
import { asAna, asCameron, asRoot, eachBackend, freshDb, testConfig } from '../helper.ts';
import { PYTHON_HASH, REFERENCE_SCHEMA } from '../reference-schema.ts';
import { ANA_BIRTH, ANA_BIRTH_ID, ANA_CERTIFICATE, ANA_PICTURE_ID, ANA_PUBLIC, CAMERON_PUBLIC, ROOT_PUBLIC } from './expected.ts';

// A row the reference's users would have: a PHP/Python-style $2y$ hash (of "gnusolidario").
const LEGACY = {
  id: 'ARGLEG222OLD',
  data: {
    id: 'ARGLEG222OLD',
    name: 'Legacy',
    roles: ['end_user'],
    active: true,
    password: '$2y$12$1mI4z2vpAhUwq71pLtrHcOO7kyK7I2I1i4Yw1JNjuqFvjG4U1if9K',
  },
};

async function snapshot(db: Db) {
  const columns = await db.query(
    `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = ANY($1::text[]) ORDER BY table_name, ordinal_position`,
    [[...TABLES]],
  );
  const rows: Record<string, unknown[]> = {};
  for (const table of TABLES) rows[table] = await db.query(`SELECT * FROM ${table} ORDER BY id`);
  return { columns, rows };
}

eachBackend('drop-in on a reference database', (backend) => {
  let db: Db;
  let app: FastifyInstance;
  let before_: Awaited<ReturnType<typeof snapshot>>;

  before(async () => {
    db = await freshDb(backend);
    await db.exec(REFERENCE_SCHEMA);
    // Ana keeps the hash the reference's Python demo data has (bcrypt 3.x made it).
    const pythonMade = (row: TableRow) =>
      row.id === 'ESPGNU777ORG' ? { ...row, data: { ...(row.data as object), password: PYTHON_HASH } } : row;
    for (const [table, rows] of demoRows()) for (const row of rows) await writeRow(db, table, pythonMade(row), false);
    await writeRow(db, 'people', LEGACY, false);
    await db.exec(`INSERT INTO dus (id, data) VALUES ('DU1', '{"id": "DU1", "address_city": "Milano"}');
                   INSERT INTO institutions (id, data) VALUES ('INST1', '{"id": "INST1", "name": "Milano General Hospital"}')`);
    before_ = await snapshot(db);
    await migrate(db);
    app = await buildApp({ config: testConfig(), db, logger: false });
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await db?.close();
  });

  test('the demo accounts and a $2y$ account log in with their existing hashes', async () => {
    for (const authorization of [
      asAna.authorization,
      asCameron.authorization,
      asRoot.authorization,
      `Basic ${Buffer.from('ARGLEG222OLD:gnusolidario').toString('base64')}`,
    ]) {
      const res = await app.inject({ method: 'GET', url: '/login', headers: { authorization } });
      assert.deepEqual([res.statusCode, res.json()], [200, true]);
    }
  });

  test('the routes serve the existing rows', async () => {
    const people = await app.inject({ method: 'GET', url: '/people', headers: asRoot });
    const legacy = { id: 'ARGLEG222OLD', name: 'Legacy', roles: ['end_user'], active: true };
    assert.deepEqual(people.json(), [[ROOT_PUBLIC], [legacy], [ANA_PUBLIC], [CAMERON_PUBLIC]]);
    assert.deepEqual((await app.inject({ method: 'GET', url: '/pols/ESPGNU777ORG', headers: asAna })).json(), [
      [ANA_BIRTH],
      [ANA_CERTIFICATE],
    ]);
    const picture = await app.inject({
      method: 'GET',
      url: `/personal_docs/ESPGNU777ORG/${ANA_BIRTH_ID}/${ANA_PICTURE_ID}`,
      headers: asAna,
    });
    assert.equal(picture.statusCode, 200);
    assert.deepEqual((await app.inject({ method: 'GET', url: '/domiciliary-units', headers: asCameron })).json(), [
      [{ id: 'DU1', address_city: 'Milano' }],
    ]);
    assert.deepEqual((await app.inject({ method: 'GET', url: '/institutions/INST1', headers: asCameron })).json(), {
      id: 'INST1',
      name: 'Milano General Hospital',
    });
    const write = await app.inject({
      method: 'POST',
      url: '/pols/ESPGNU777ORG/dropin-page',
      headers: asAna,
      payload: '{"id": "dropin-page"}',
    });
    assert.equal(write.statusCode, 200);
  });

  test('the five tables keep their columns and their pre-existing rows', async () => {
    const now = await snapshot(db);
    assert.deepEqual(now.columns, before_.columns);
    now.rows.pols = now.rows.pols.filter((r) => (r as { id: string }).id !== 'dropin-page');
    assert.deepEqual(now.rows, before_.rows);
  });
});
