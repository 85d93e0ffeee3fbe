// PostgreSQL going away, stalling, killing our connections or holding a lock: 503 JSON within seconds, never a hang, and recovery without a restart.
import assert from 'node:assert/strict';
import { after, before, describe, test, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/app.ts';
import { migrate } from '../../src/db/migrate.ts';
import { openPg, type Db } from '../../src/db/db.ts';
import { loadDemo } from '../../src/demo.ts';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { serveProcess } from '../cli/serve-process.ts';
import { ANA, asAna, basic, freshPostgres, PG_URL, testConfig } from '../helper.ts';
import { startTcpProxy, type TcpProxy } from '../tcp-proxy.ts';
import { checkStored, streamWrites, until } from './write-stream.ts';

const unavailable = { error: 'The database is unavailable; try again shortly' };
const notReady = { error: 'The database is unavailable', status: 'unavailable' };

describe('PostgreSQL outages [postgres]', { skip: PG_URL ? false : 'THALAMUS_TEST_DATABASE_URL is not set' }, () => {
  let owner: Db & { url: string };
  let proxy: TcpProxy;
  let db: Db;
  let app: FastifyInstance;

  before(async () => {
    owner = await freshPostgres();
    await migrate(owner);
    await loadDemo(owner);
    proxy = await startTcpProxy(owner.url);
    db = openPg(proxy.url, { max: 4, statementTimeoutMs: 3000 });
    app = await buildApp({ config: testConfig(), db, logger: false });
    await app.ready();
  });
  after(async () => {
    await app?.close();
    await db?.close();
    await proxy?.close();
    await owner?.close();
  });

  /** The answer and how long it took (reported, never asserted: the machine is shared). */
  async function timed(t: TestContext, what: string, method: 'GET' | 'POST', url: string, payload?: unknown) {
    const started = performance.now();
    const res = await app.inject({ method, url, headers: asAna, ...(payload ? { payload } : {}) });
    t.diagnostic(`${what}: ${res.statusCode} after ${Math.round(performance.now() - started)} ms`);
    return res;
  }
  const read = (t: TestContext, what: string) => timed(t, what, 'GET', '/people/ESPGNU777ORG');
  const write = (t: TestContext, what: string, id: string) => timed(t, what, 'POST', `/pols/ESPGNU777ORG/${id}`, { id, summary: what });

  /** Polls /readyz until it says ready (at most 30 s) and reports how long recovery took. */
  async function recovered(t: TestContext, since: number): Promise<void> {
    for (let i = 0; i < 120; i++) {
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      if (res.statusCode === 200) {
        t.diagnostic(`ready again ${Math.round(performance.now() - since)} ms after the restore`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.fail('the server did not recover by itself within 30 s');
  }

  async function storedPages(ids: string[]): Promise<string[]> {
    const rows = await owner.query<{ id: string }>('SELECT id FROM pols WHERE id = ANY($1::varchar[]) ORDER BY id', [ids]);
    return rows.map((r) => r.id);
  }

  for (const outage of ['stall', 'cut'] as const) {
    test(`${outage}: reads, writes and /readyz answer 503 JSON; once restored, the server recovers by itself and no acknowledged write is lost`, async (t) => {
      const before = `outage-${outage}-before`;
      assert.equal((await write(t, 'write before', before)).statusCode, 200);
      // Four clients write all along: through the outage, some writes are in flight when it starts.
      const stream = streamWrites(
        (id, body) =>
          app.inject({ method: 'POST', url: `/pols/ESPGNU777ORG/${id}`, headers: asAna, payload: body }).then((r) => r.statusCode),
        `stream-${outage}`,
      );
      await until(() => stream.count() >= 20, 60_000, 'writes before the outage');
      proxy[outage]();
      const during = `outage-${outage}-during`;
      const [r, w, ready, welcome] = await Promise.all([
        read(t, 'read during'),
        write(t, 'write during', during),
        app.inject({ method: 'GET', url: '/readyz' }),
        app.inject({ method: 'GET', url: '/' }),
      ]);
      assert.deepEqual([welcome.statusCode, /not answering/.test(welcome.body)], [200, true]);
      assert.deepEqual([r.statusCode, r.headers['retry-after'], r.json()], [503, '5', unavailable]);
      assert.deepEqual([w.statusCode, w.json()], [503, unavailable]);
      assert.deepEqual([ready.statusCode, ready.json()], [503, notReady]);
      const restoredAt = performance.now();
      proxy.restore();
      await recovered(t, restoredAt);
      const afterId = `outage-${outage}-after`;
      assert.deepEqual([(await read(t, 'read after')).statusCode, (await write(t, 'write after', afterId)).statusCode], [200, 200]);
      // The write answered 503 may or may not have landed (its outcome was unknown); every 200 did.
      const found = await storedPages([before, during, afterId]);
      assert.ok(found.includes(before) && found.includes(afterId), found.join());
      const streamedBefore = stream.count();
      await until(() => stream.count() >= streamedBefore + 20, 60_000, 'writes after the recovery');
      const streamed = await stream.stop();
      const rows = await owner.query<{ id: string; data: Record<string, unknown> }>('SELECT id, data FROM pols WHERE id LIKE $1', [
        `stream-${outage}-%`,
      ]);
      const { acknowledgedFound, unknownFound, problems } = checkStored(new Map(rows.map((r) => [r.id, r.data])), streamed);
      t.diagnostic(
        `streamed: ${streamed.acknowledged.size} acknowledged, ${acknowledgedFound} found; ${streamed.unknown.size} not acknowledged, ` +
          `${unknownFound} of those stored; answers ${JSON.stringify(streamed.statuses)}`,
      );
      assert.deepEqual(problems, []);
      assert.ok(
        Object.keys(streamed.statuses).every((status) => ['200', '503'].includes(status)),
        JSON.stringify(streamed.statuses),
      );
    });
  }

  test('connections terminated by the server (pg_terminate_backend) are replaced: no 500, a 200 right after', async (t) => {
    assert.equal((await read(t, 'warm the pool')).statusCode, 200);
    const name = new URL(owner.url).pathname.slice(1);
    const killed = await owner.query<{ n: number }>(
      'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    t.diagnostic(`terminated ${killed[0].n} connections`);
    const first = await read(t, 'first read after');
    assert.ok([200, 503].includes(first.statusCode), `${first.statusCode} ${first.body}`);
    const results = await Promise.all([read(t, 'read'), write(t, 'write', 'terminated-after')]);
    assert.deepEqual(
      results.map((r) => r.statusCode),
      [200, 200],
    );
  });

  test('a database refusing connections (SQLSTATE 55000) is 503, and served again once it allows them', async (t) => {
    const name = new URL(owner.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: PG_URL! });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
      // The first request may meet a connection as it is being terminated; by the next the pool holds none.
      await read(t, 'read as connections are terminated');
      const refused = await read(t, 'read while refused');
      assert.deepEqual([refused.statusCode, refused.json()], [503, unavailable]);
    } finally {
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    assert.equal((await read(t, 'read when allowed')).statusCode, 200);
  });

  test('a read blocked by an ACCESS EXCLUSIVE lock on people gives up with 503 (statement timeout), not a hang', async (t) => {
    const locker = new pg.Client({ connectionString: owner.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE people IN ACCESS EXCLUSIVE MODE');
      const res = await read(t, 'read behind the lock');
      assert.deepEqual([res.statusCode, res.json()], [503, unavailable]);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    assert.equal((await read(t, 'read once unlocked')).statusCode, 200);
  });

  for (const [timeout, grace, ending] of [
    ['3000', '30000', 'the stuck request gives up with 503 within the grace period, the pool closes, exit 0'],
    ['0', '2000', 'with no statement timeout the request stays stuck, and the grace period ends the process: exit 1'],
  ] as const) {
    test(`SIGTERM while PostgreSQL stalls: ${ending}`, async (t) => {
      proxy.restore();
      const run = await serveProcess(join(PROJECT_ROOT, 'bin/thalamus.js'), {
        THALAMUS_DATABASE_URL: proxy.url,
        THALAMUS_DB_STATEMENT_TIMEOUT_MS: timeout,
        THALAMUS_SHUTDOWN_GRACE_MS: grace,
      });
      // However the test fails, the server does not outlive it (it would keep the test process alive).
      const killer = setTimeout(() => void run.kill(), 120_000);
      let code: number | null;
      let stuck: Promise<number | string>;
      try {
        const headers = { authorization: basic(ANA.id, ANA.password) };
        assert.equal((await fetch(`${run.url}/people/ESPGNU777ORG`, { headers })).status, 200);
        proxy.stall();
        stuck = fetch(`${run.url}/people/ESPGNU777ORG`, { headers }).then(
          (res) => res.status,
          () => 'connection closed',
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        const signalled = performance.now();
        code = await run.stop();
        t.diagnostic(`exited ${code} ${Math.round(performance.now() - signalled)} ms after SIGTERM; the stuck request got ${await stuck}`);
      } finally {
        clearTimeout(killer);
        proxy.restore();
      }
      t.diagnostic(run.messages.join(' | '));
      if (timeout === '0') {
        assert.equal(code, 1);
        assert.ok(run.messages.includes('still closing after 2000 ms: exiting with requests unfinished'), run.messages.join('\n'));
        assert.equal(await stuck, 'connection closed');
      } else {
        assert.equal(code, 0);
        assert.equal(await stuck, 503);
      }
    });
  }
});
