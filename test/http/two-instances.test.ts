// Two Thalamus processes on one PostgreSQL under mixed reads and writes: every acknowledged write is
// there, and every read on either instance sees every write acknowledged before it (docs/scaling.md).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { loadDemo } from '../../src/demo.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { serveProcess, type ServeRun } from '../cli/serve-process.ts';
import { ANA, asAna, asCameron, asRoot, basic, freshPostgres, PG_URL } from '../helper.ts';

const BIN = join(PROJECT_ROOT, 'bin/thalamus.js');
const BOOK = `/pols/${ANA.id}`;
const LANES = 4;
const STEPS = 15;

type Page = { id: string; summary?: string };

describe('two instances on one PostgreSQL [postgres]', { skip: PG_URL ? false : 'needs THALAMUS_TEST_DATABASE_URL' }, () => {
  let db: Db & { url: string };
  const runs: ServeRun[] = [];
  before(async () => {
    db = await freshPostgres();
    await migrate(db);
    await loadDemo(db);
    for (let i = 0; i < 2; i++) runs.push(await serveProcess(BIN, { THALAMUS_DATABASE_URL: db.url, THALAMUS_DEMO: 'false' }));
  });
  after(async () => {
    for (const run of runs) await run.stop();
    await db?.close();
  });

  const call = async (instance: number, method: string, path: string, headers: Record<string, string>, body?: unknown) => {
    const res = await fetch(`${runs[instance].url}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    await res.arrayBuffer();
    return { status: res.status };
  };
  const json = async (instance: number, path: string, headers: Record<string, string>) => {
    const res = await fetch(`${runs[instance].url}${path}`, { headers });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const bookIds = async (instance: number) => {
    const { status, body } = await json(instance, BOOK, asCameron);
    assert.equal(status, 200);
    return new Map((body as Page[][]).map(([page]) => [page.id, page.summary]));
  };

  test('mixed writes and reads across the instances: nothing lost, nothing stale', async () => {
    // Each caller signs in once on each instance, so the run below is about the data, not bcrypt.
    for (const i of [0, 1]) for (const who of [asAna, asCameron, asRoot]) assert.equal((await json(i, `/login`, who)).status, 200);

    const lane = async (l: number) => {
      for (let s = 0; s < STEPS; s++) {
        const [writer, reader] = (l + s) % 2 ? [1, 0] : [0, 1];
        const id = `two-${l}-${s}`;
        // The reader's book cache holds the book as it was before the write.
        assert.equal((await bookIds(reader)).has(id), false);
        assert.equal((await call(writer, 'POST', `${BOOK}/${id}`, asAna, { id, summary: 'first' })).status, 200);
        assert.equal((await bookIds(reader)).get(id), 'first', `${id} in the book read on the other instance`);
        assert.equal((await call(reader, 'PATCH', `${BOOK}/${id}`, asAna, { summary: 'second' })).status, 200);
        const page = await json(writer, `${BOOK}/${id}`, asCameron);
        assert.deepEqual([page.status, (page.body as Page).summary], [200, 'second'], `${id} read back on the instance that wrote it`);
      }
    };
    await Promise.all(Array.from({ length: LANES }, (_, l) => lane(l)));

    const written = Array.from({ length: LANES * STEPS }, (_, n) => `two-${Math.floor(n / STEPS)}-${n % STEPS}`);
    for (const i of [0, 1]) {
      const book = await bookIds(i);
      assert.deepEqual(
        written.filter((id) => book.get(id) !== 'second'),
        [],
        `every acknowledged page and its update, read on instance ${i}`,
      );
    }
    const rows = await db.query<{ n: string }>(`SELECT count(*) AS n FROM pols WHERE book = $1 AND id LIKE 'two-%'`, [ANA.id]);
    assert.equal(Number(rows[0].n), written.length);
  });

  test('a delete on one instance is a 404 on the other at once, in the book and by id', async () => {
    for (const [instance, id] of [
      [0, 'two-0-0'],
      [1, 'two-1-0'],
    ] as const) {
      const other = 1 - instance;
      assert.equal((await bookIds(other)).has(id), true);
      assert.equal((await call(instance, 'DELETE', `${BOOK}/${id}`, asRoot)).status, 200);
      assert.equal((await json(other, `${BOOK}/${id}`, asCameron)).status, 404);
      assert.equal((await bookIds(other)).has(id), false);
    }
  });

  test('a person changed on one instance is read changed on the other; a new password works at once on both, the old one on neither', async () => {
    assert.equal((await json(1, `/people/${ANA.id}`, asAna)).status, 200);
    assert.equal((await call(0, 'PATCH', `/people/${ANA.id}`, asAna, { lastname: 'Betz-Two' })).status, 200);
    const read = await json(1, `/people/${ANA.id}`, asAna);
    assert.deepEqual([read.status, (read.body as { lastname: string }).lastname], [200, 'Betz-Two']);

    const renewed = 'a new passphrase for two instances';
    assert.equal((await call(1, 'PATCH', `/people/${ANA.id}`, asAna, { password: renewed })).status, 200);
    for (const i of [0, 1]) {
      assert.equal((await json(i, '/login', asAna)).status, 401, `the old password on instance ${i}`);
      assert.equal((await json(i, '/login', { authorization: basic(ANA.id, renewed) })).status, 200, `the new one on instance ${i}`);
    }
  });
});
