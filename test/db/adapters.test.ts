// Both Db adapters behave alike: parameters, jsonb and bytea round trips, transactions, scripts, close.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isUnavailable, type Db } from '../../src/db/db.ts';
import { eachBackend, freshDb } from '../helper.ts';

eachBackend('Db adapter', (backend) => {
  let db: Db;
  before(async () => {
    db = await freshDb(backend);
    await db.exec('CREATE TABLE things (id varchar PRIMARY KEY, data jsonb, document bytea); CREATE TABLE other (n int)');
  });
  after(() => db.close());

  test('reports which backend it is', () => {
    assert.equal(db.kind, backend === 'postgres' ? 'pg' : 'pglite');
  });

  test('query binds parameters and returns plain rows', async () => {
    const rows = await db.query('SELECT $1::int + $2::int AS sum, $3::text AS word', [2, 3, "it's"]);
    assert.deepEqual(rows, [{ sum: 5, word: "it's" }]);
  });

  test('jsonb goes in as text and comes back parsed, unchanged', async () => {
    const data = { id: 'X1', name: 'Ana', roles: ['end_user'], active: true, nested: { bp: { systolic: 116 } }, none: null, n: 1.5 };
    await db.query('INSERT INTO things (id, data) VALUES ($1, $2::jsonb)', ['X1', JSON.stringify(data)]);
    const rows = await db.query<{ data: unknown }>('SELECT data FROM things WHERE id = $1', ['X1']);
    assert.deepEqual(rows, [{ data }]);
  });

  test('bytea round-trips every byte value', async () => {
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    await db.query('INSERT INTO things (id, document) VALUES ($1, $2)', ['B1', bytes]);
    const [row] = await db.query<{ document: Uint8Array }>('SELECT document FROM things WHERE id = $1', ['B1']);
    assert.ok(row.document instanceof Uint8Array);
    assert.deepEqual(Buffer.from(row.document), bytes);
  });

  test('exec runs a script of several statements', async () => {
    await db.exec('INSERT INTO other VALUES (1); INSERT INTO other VALUES (2);');
    assert.deepEqual(await db.query('SELECT n FROM other ORDER BY n'), [{ n: 1 }, { n: 2 }]);
  });

  test('a transaction that resolves is committed and returns its value', async () => {
    const value = await db.transaction(async (tx) => {
      await tx.query('INSERT INTO other VALUES ($1)', [10]);
      await tx.exec('INSERT INTO other VALUES (11)');
      return 'done';
    });
    assert.equal(value, 'done');
    assert.deepEqual(await db.query('SELECT n FROM other WHERE n >= 10 ORDER BY n'), [{ n: 10 }, { n: 11 }]);
  });

  test('a transaction that throws is rolled back and the error passes through', async () => {
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO other VALUES ($1)', [20]);
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    await assert.rejects(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO other VALUES ($1)', [21]);
        await tx.query('SELECT no_such_column FROM other');
      }),
      /no_such_column/,
    );
    assert.deepEqual(await db.query('SELECT n FROM other WHERE n >= 20'), []);
  });

  test('after close, a query fails with an error that counts as "unavailable"', async () => {
    const other = await freshDb(backend);
    await other.close();
    await other.close();
    const err = await other.query('SELECT 1').catch((e: unknown) => e);
    assert.ok(err instanceof Error);
    assert.ok(isUnavailable(err), String(err));
  });

  test('close waits for work still under way: a query a handler sends just after close began still runs', async () => {
    const other = await freshDb(backend);
    await other.query('SELECT 1');
    const closing = other.close();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(await other.query('SELECT 2 AS n'), [{ n: 2 }]);
    await closing;
    const err = await other.query('SELECT 3').catch((e: unknown) => e);
    assert.ok(isUnavailable(err), String(err));
  });
});
