// The change log under concurrent writers: transactions that commit out of seq order are never skipped.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { readChanges } from '../../src/store/changes.ts';
import { freshPostgres, PG_URL } from '../helper.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the whole feed from `since` in pages of `limit`, as a node's pull loop does. */
async function drain(db: Db, since: number, limit: number): Promise<{ seqs: number[]; next: number }> {
  const seqs: number[] = [];
  for (;;) {
    const page = await readChanges(db, { since, limit });
    seqs.push(...page.changes.map((c) => c.seq));
    since = page.next;
    if (page.changes.length < limit) return { seqs, next: since };
  }
}

describe('change log order [postgres]', { skip: PG_URL ? false : 'needs THALAMUS_TEST_DATABASE_URL' }, () => {
  let db: Db & { url: string };
  const clients: pg.Client[] = [];
  const connect = async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    clients.push(client);
    return client;
  };
  before(async () => {
    db = await freshPostgres();
    await migrate(db);
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.end()));
    await db.close();
  });
  const seqOf = async (id: string) => Number((await db.query<{ seq: string }>('SELECT seq FROM changes WHERE id = $1', [id]))[0].seq);

  test('a later seq that commits first waits for the earlier one still in flight', async () => {
    const { next: base } = await readChanges(db, { since: 0, limit: 1000 });
    const a = await connect();
    await a.query('BEGIN');
    await a.query("INSERT INTO dus VALUES ('early-seq', '{}')");
    await db.query("INSERT INTO dus VALUES ('late-seq', '{}')");
    const held = await readChanges(db, { since: base, limit: 100 });
    assert.deepEqual(held.changes, []);
    assert.equal(held.next, base);
    await a.query('COMMIT');
    const both = await readChanges(db, { since: base, limit: 100 });
    assert.deepEqual(
      both.changes.map((c) => c.id),
      ['early-seq', 'late-seq'],
    );
    assert.equal(both.next, await seqOf('late-seq'));
  });

  test('a transaction that started first but took the later seq does not let the earlier one be skipped', async () => {
    const { next: base } = await readChanges(db, { since: 0, limit: 1000 });
    const older = await connect();
    const younger = await connect();
    await older.query('BEGIN');
    await older.query('SELECT pg_current_xact_id()');
    await younger.query('BEGIN');
    await younger.query("INSERT INTO institutions VALUES ('younger-xact', '{}')");
    await older.query("INSERT INTO institutions VALUES ('older-xact', '{}')");
    await older.query('COMMIT');
    const held = await readChanges(db, { since: base, limit: 100 });
    assert.deepEqual(held.changes, []);
    await younger.query('COMMIT');
    const both = await readChanges(db, { since: base, limit: 100 });
    assert.deepEqual(
      both.changes.map((c) => c.id),
      ['younger-xact', 'older-xact'],
    );
  });

  test('a rolled-back transaction releases what it held back and leaves no change', async () => {
    const { next: base } = await readChanges(db, { since: 0, limit: 1000 });
    const a = await connect();
    await a.query('BEGIN');
    await a.query("INSERT INTO dus VALUES ('rolled-back', '{}')");
    await db.query("INSERT INTO dus VALUES ('kept', '{}')");
    assert.deepEqual((await readChanges(db, { since: base, limit: 100 })).changes, []);
    await a.query('ROLLBACK');
    assert.deepEqual(
      (await readChanges(db, { since: base, limit: 100 })).changes.map((c) => c.id),
      ['kept'],
    );
  });

  test('8 writers with overlapping transactions (some rolled back) and a reader pulling meanwhile: every change once, in seq order', async () => {
    const { next: base } = await readChanges(db, { since: 0, limit: 1000 });
    const writers = await Promise.all(Array.from({ length: 8 }, () => connect()));
    let writing = true;
    const pulled: number[] = [];
    const reader = (async () => {
      let since = base;
      while (writing) {
        const { seqs, next } = await drain(db, since, 7);
        pulled.push(...seqs);
        since = next;
        await pause(1);
      }
      const rest = await drain(db, since, 7);
      pulled.push(...rest.seqs);
    })();
    await Promise.all(
      writers.map(async (client, w) => {
        for (let t = 0; t < 25; t++) {
          await client.query('BEGIN');
          const rows = 1 + ((w + t) % 3);
          for (let r = 0; r < rows; r++) {
            await client.query('INSERT INTO dus VALUES ($1, $2::jsonb)', [`w${w}-t${t}-r${r}`, '{}']);
            await pause((w * 7 + t * 3 + r) % 4);
          }
          await client.query((w + t) % 5 === 0 ? 'ROLLBACK' : 'COMMIT');
        }
      }),
    );
    writing = false;
    await reader;
    const all = (await db.query<{ seq: string }>('SELECT seq FROM changes WHERE seq > $1 ORDER BY seq', [base])).map((r) => Number(r.seq));
    assert.ok(all.length > 200, `only ${all.length} changes written`);
    assert.deepEqual(pulled, all);
  });
});
