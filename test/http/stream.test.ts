// GET /changes/stream: Server-Sent Events of the change log, resumable, with heartbeats, scoped, across instances.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { openPg, type Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { loadDemo } from '../../src/demo.ts';
import { asAna, asCameron, asRoot, eachBackend, freshPostgres, PG_URL, testConfig, useApp } from '../helper.ts';
import { openStream, type SseEvent, type SseStream } from './sse-client.ts';

type Change = Record<string, unknown>;
const parsed = (event: SseEvent) => JSON.parse(event.data) as Change;

/** The stream's view of a change: SSE id and event must be its seq and resource. */
function checkEvent(event: SseEvent): Change {
  const change = parsed(event);
  assert.equal(event.id, String(change.seq));
  assert.equal(event.event, change.resource);
  return change;
}

eachBackend('change stream', (backend) => {
  const ctx = useApp(backend, { THALAMUS_RELAY_HEARTBEAT_MS: '100' });
  let base = '';
  const open: SseStream[] = [];
  const stream = async (query: string, headers: Record<string, string>) => {
    const s = await openStream(`${base}/changes/stream${query}`, headers);
    open.push(s);
    return s;
  };
  const write = async (url: string, headers: Record<string, string>, body: unknown, method = 'POST') => {
    const res = await ctx.app.inject({ method: method as 'POST', url, headers, payload: JSON.stringify(body) });
    assert.equal(res.statusCode, 200, res.body);
  };
  const head = async () =>
    (await ctx.app.inject({ method: 'GET', url: '/changes?limit=1000', headers: asRoot })).json<{ next: number }>().next;
  before(async () => {
    base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => {
    for (const s of open) s.close();
  });

  test('a write reaches an open stream as id: seq, event: resource, data: the change', async () => {
    const s = await stream('', asRoot);
    assert.equal(s.status, 200);
    assert.match(String(s.headers['content-type']), /^text\/event-stream/);
    assert.equal(s.headers['cache-control'], 'no-cache, no-transform');
    await write('/pols/ESPGNU777ORG/stream-1', asAna, { id: 'stream-1', node: 'PHR' });
    const [event] = await s.waitFor(1);
    const { time, seq, ...change } = checkEvent(event);
    assert.match(String(time), /Z$/);
    assert.equal(typeof seq, 'number');
    assert.deepEqual(change, {
      resource: 'pols',
      id: 'stream-1',
      person: 'ESPGNU777ORG',
      operation: 'create',
      actor: 'ESPGNU777ORG',
      node: 'PHR',
    });
    assert.deepEqual(s.fields, ['retry: 2000']);
  });

  test('heartbeats arrive as comment lines while nothing changes', async () => {
    const s = await stream('', asRoot);
    const deadline = Date.now() + 5000;
    while (s.comments.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(s.comments.slice(0, 2), ['heartbeat', 'heartbeat']);
    assert.deepEqual(s.events, []);
  });

  test('Last-Event-ID resumes after that seq (it wins over ?since); ?since alone starts there', async () => {
    const from = await head();
    for (const id of ['resume-1', 'resume-2', 'resume-3']) await write(`/pols/ESPGNU777ORG/${id}`, asAna, { id });
    const resumed = await stream(`?since=0`, { ...asRoot, 'last-event-id': String(from + 1) });
    assert.deepEqual(
      (await resumed.waitFor(2)).map((e) => parsed(e).id),
      ['resume-2', 'resume-3'],
    );
    const since = await stream(`?since=${from}`, asRoot);
    assert.deepEqual(
      (await since.waitFor(3)).map((e) => checkEvent(e).id),
      ['resume-1', 'resume-2', 'resume-3'],
    );
    await write('/pols/ESPGNU777ORG/resume-4', asAna, { id: 'resume-4' });
    assert.equal(parsed((await since.waitFor(4))[3]).id, 'resume-4');
    assert.equal(parsed((await resumed.waitFor(3))[2]).id, 'resume-4');
  });

  test("an end user's stream carries only their records' changes; ?resource filters", async () => {
    const from = await head();
    const ana = await stream(`?since=${from}`, asAna);
    const units = await stream(`?since=${from}&resource=dus`, asCameron);
    await write('/pols/ITAPYT999HON/not-for-ana', asCameron, { id: 'not-for-ana' });
    await write('/domiciliary-units/DU-STREAM', asCameron, { name: 'Home' });
    await write('/pols/ESPGNU777ORG/for-ana', asAna, { id: 'for-ana' });
    assert.deepEqual(
      (await ana.waitFor(1)).map((e) => parsed(e).id),
      ['for-ana'],
    );
    assert.deepEqual(
      (await units.waitFor(1)).map((e) => parsed(e).id),
      ['DU-STREAM'],
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(ana.events.length, 1);
    assert.equal(units.events.length, 1);
  });

  test('a write made outside Thalamus, which announces nothing, still arrives (the relay polls)', async () => {
    const s = await stream('', asRoot);
    await ctx.db.query("INSERT INTO institutions (id, data) VALUES ('INST-PSQL', '{}')");
    const [event] = await s.waitFor(1, 8000);
    assert.deepEqual([event.event, parsed(event).id, parsed(event).actor], ['institutions', 'INST-PSQL', null]);
  });

  test('bad Last-Event-ID or query is 400, no credentials 401', async () => {
    const bad = await ctx.app.inject({ method: 'GET', url: '/changes/stream', headers: { ...asRoot, 'last-event-id': 'yesterday' } });
    assert.deepEqual([bad.statusCode, bad.json()], [400, { error: 'Last-Event-ID must be the seq of a change' }]);
    const query = await ctx.app.inject({ method: 'GET', url: '/changes/stream?resource=secrets', headers: asRoot });
    assert.deepEqual(
      [query.statusCode, query.json()],
      [400, { error: 'Invalid request: querystring/resource must be equal to one of the allowed values' }],
    );
    const anonymous = await ctx.app.inject({ method: 'GET', url: '/changes/stream', headers: {} });
    assert.equal(anonymous.statusCode, 401);
  });
});

describe('change stream: two instances on one PostgreSQL', { skip: PG_URL ? false : 'needs THALAMUS_TEST_DATABASE_URL' }, () => {
  let db: Db & { url: string };
  let second: Db;
  let a: FastifyInstance;
  let b: FastifyInstance;
  let streamOnB: SseStream | undefined;
  before(async () => {
    db = await freshPostgres();
    await migrate(db);
    await loadDemo(db);
    second = openPg(db.url);
    // Polling rarely: the change must come by NOTIFY, not by the poll.
    const config = testConfig({ THALAMUS_RELAY_POLL_MS: '600000' });
    a = await buildApp({ config, db, logger: false });
    b = await buildApp({ config, db: second, logger: false });
    await a.ready();
    await b.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    streamOnB?.close();
    await a.close();
    await b.close();
    await second.close();
    await db.close();
  });

  test('a write on instance A arrives on a stream held on instance B, woken by NOTIFY', async () => {
    const address = b.server.address() as { port: number };
    streamOnB = await openStream(`http://127.0.0.1:${address.port}/changes/stream`, asCameron);
    const res = await a.inject({ method: 'POST', url: '/pols/ESPGNU777ORG/from-a', headers: asAna, payload: '{"id": "from-a"}' });
    assert.equal(res.statusCode, 200);
    const [event] = await streamOnB.waitFor(1, 5000);
    assert.deepEqual([event.event, parsed(event).id, parsed(event).actor], ['pols', 'from-a', 'ESPGNU777ORG']);
  });

  test('a change held back by a transaction that then rolls back is not stuck until the next poll', async () => {
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query("INSERT INTO dus (id, data) VALUES ('DU-ROLLED-BACK', '{}')");
      const res = await a.inject({ method: 'POST', url: '/pols/ESPGNU777ORG/held-back', headers: asAna, payload: '{"id": "held-back"}' });
      assert.equal(res.statusCode, 200);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(streamOnB!.events.length, 1, 'held back while the earlier transaction is open');
      await blocker.query('ROLLBACK');
      const events = await streamOnB!.waitFor(2, 5000);
      assert.equal(parsed(events[1]).id, 'held-back');
    } finally {
      await blocker.end();
    }
  });

  test('200 writes by 4 concurrent writers on A: a stream on B gets each once, in seq order', async (t) => {
    const address = b.server.address() as { port: number };
    const s = await openStream(`http://127.0.0.1:${address.port}/changes/stream?resource=pols`, asCameron);
    try {
      const sentAt = new Map<string, number>();
      const writer = async (w: number) => {
        for (let i = 0; i < 50; i++) {
          const id = `burst-${w}-${i}`;
          sentAt.set(id, Date.now());
          const res = await a.inject({ method: 'POST', url: `/pols/ESPGNU777ORG/${id}`, headers: asAna, payload: JSON.stringify({ id }) });
          assert.equal(res.statusCode, 200);
        }
      };
      const started = Date.now();
      await Promise.all([0, 1, 2, 3].map(writer));
      const events = await s.waitFor(200, 30_000);
      const elapsed = Date.now() - started;
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(s.events.length, 200);
      const seqs = events.map((e) => Number(e.id));
      assert.deepEqual(
        seqs,
        [...seqs].sort((x, y) => x - y),
      );
      assert.deepEqual(new Set(events.map((e) => parsed(e).id)), new Set(sentAt.keys()));
      const worst = Math.max(...events.map((e) => e.at! - sentAt.get(String(parsed(e).id))!));
      t.diagnostic(
        `stream A to B: written 200, delivered ${s.events.length}, duplicates ${s.events.length - new Set(seqs).size}, worst write-to-delivery ${worst} ms, ${Math.round((200 * 1000) / elapsed)} changes/s end to end`,
      );
    } finally {
      s.close();
    }
  });

  test('closing instance B ends its streams (the client reconnects elsewhere)', async () => {
    const ended = streamOnB!.ended;
    await b.close();
    await ended;
  });
});
