// bcrypt never holds a database connection: a burst of password changes leaves the pool free for everyone else.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPg, type Db } from '../../src/db/db.ts';
import { loadDemo } from '../../src/demo.ts';
import { ANA, asCameron, basic, freshPostgres, PG_URL, testConfig } from '../helper.ts';

describe('password hashing outside transactions [postgres]', { skip: PG_URL ? false : 'THALAMUS_TEST_DATABASE_URL is not set' }, () => {
  let owner: Db & { url: string };
  let db: Db;
  let app: FastifyInstance;
  before(async () => {
    owner = await freshPostgres();
    await migrate(owner);
    await loadDemo(owner);
    // Two connections, as a small server has: hashing inside a transaction would hold both for seconds.
    db = openPg(owner.url, { max: 2, statementTimeoutMs: 3000 });
    app = await buildApp({ config: testConfig(), db, logger: false });
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await db?.close();
    await owner?.close();
  });

  test("20 concurrent password changes by one person all land, and another person's read is served meanwhile", async () => {
    const asAna = { authorization: basic(ANA.id, ANA.password) };
    assert.equal((await app.inject({ method: 'GET', url: '/login', headers: asAna })).statusCode, 200);
    const changes = Array.from({ length: 20 }, (_, i) =>
      app.inject({ method: 'PATCH', url: `/people/${ANA.id}`, headers: asAna, payload: { password: `a new secret number ${i}` } }),
    );
    // Issued once the hashing is under way: it waits for no hash.
    await new Promise((resolve) => setImmediate(resolve));
    const read = await app.inject({ method: 'GET', url: '/people/ITAPYT999HON', headers: asCameron });
    assert.equal(read.statusCode, 200, read.body);
    const answers = await Promise.all(changes);
    assert.deepEqual(
      answers.map((r) => [r.statusCode, r.body]),
      answers.map(() => [200, 'null']),
    );
  });
});
