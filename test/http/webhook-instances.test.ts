// Webhook delivery with several server instances on one PostgreSQL: never twice at once when all are
// healthy, and nothing lost (at least once, in order) when the instance sending a delivery is killed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { openPg, type Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { loadDemo } from '../../src/demo.ts';
import { PROJECT_ROOT } from '../../src/paths.ts';
import { serveProcess } from '../cli/serve-process.ts';
import { asAna, asCameron, freshPostgres, PG_URL, testConfig } from '../helper.ts';
import { deliveryFigures, startReceiver, verifySignature, type Receiver } from './receiver.ts';

const SECRET = 'a-shared-secret-of-some-length';
const SETTINGS = {
  THALAMUS_WEBHOOK_RETRY_MS: '50',
  THALAMUS_WEBHOOK_MAX_RETRY_MS: '200',
  // A claim is held for twice the timeout and a second: an instance killed mid-delivery loses it after 3 s.
  THALAMUS_WEBHOOK_TIMEOUT_MS: '1000',
  THALAMUS_RELAY_POLL_MS: '200',
};
const post = (app: FastifyInstance, url: string, headers: Record<string, string>, body: unknown) =>
  app.inject({ method: 'POST', url, headers, payload: JSON.stringify(body) });

describe('webhooks across instances [postgres]', { skip: PG_URL ? false : 'needs THALAMUS_TEST_DATABASE_URL' }, () => {
  let db: Db & { url: string };
  const closing: (() => Promise<unknown>)[] = [];
  before(async () => {
    db = await freshPostgres();
    await migrate(db);
    await loadDemo(db);
  });
  after(async () => {
    for (const close of closing.reverse()) await close().catch(() => {});
    await db.close();
  });
  async function instance(): Promise<FastifyInstance> {
    const own = openPg(db.url);
    const app = await buildApp({ config: testConfig(SETTINGS), db: own, logger: false });
    await app.ready();
    closing.push(
      () => own.close(),
      () => app.close(),
    );
    return app;
  }
  async function receiver(respond?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
    const r = await startReceiver(respond);
    closing.push(() => r.close());
    return r;
  }

  test('two healthy instances: each change delivered exactly once, in order', async (t) => {
    const [a, b] = [await instance(), await instance()];
    const r = await receiver();
    const sub = await post(a, '/subscriptions', asCameron, { url: r.url, secret: SECRET, resources: ['pols'] });
    assert.equal(sub.statusCode, 201);
    const ids = Array.from({ length: 30 }, (_, i) => `both-${i}`);
    // Ana signs in once on each instance first (bcrypt), so the delays measured are the relay's.
    for (const app of [a, b]) assert.equal((await app.inject({ url: '/people/ESPGNU777ORG', headers: asAna })).statusCode, 200);
    const sentAt = new Map<string, number>();
    for (const [i, id] of ids.entries()) {
      sentAt.set(id, Date.now());
      assert.equal((await post(i % 2 ? b : a, `/pols/ESPGNU777ORG/${id}`, asAna, { id })).statusCode, 200);
    }
    await r.until('30 deliveries', () => r.received.length >= 30);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(
      r.received.map((x) => x.change.id),
      ids,
    );
    assert.equal(new Set(r.received.map((x) => x.delivery)).size, 30);
    assert.ok(r.received.every((x) => verifySignature(SECRET, x.body, x.signature)));
    t.diagnostic(deliveryFigures(r.received, sentAt));
    assert.equal(
      (await a.inject({ method: 'DELETE', url: `/subscriptions/${sub.json<{ id: string }>().id}`, headers: asCameron })).statusCode,
      204,
    );
  });

  test('the instance sending a delivery is killed: another takes it over once its claim runs out, and everything arrives in order', async (t) => {
    // The first request is never answered: the instance that sent it dies waiting.
    const r = await receiver((_request, index) => (index === 0 ? 'hang' : 200));
    const served = await serveProcess(join(PROJECT_ROOT, 'bin/thalamus.js'), {
      ...SETTINGS,
      THALAMUS_DATABASE_URL: db.url,
      THALAMUS_DEMO: 'false',
    });
    const url = served.url;
    closing.push(() => served.kill());
    const call = (path: string, headers: Record<string, string>, body: unknown) =>
      fetch(`${url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await call('/subscriptions', asCameron, { url: r.url, secret: SECRET, resources: ['pols'] })).status, 201);
    const ids = ['killed-0', 'killed-1', 'killed-2', 'killed-3', 'killed-4'];
    const sentAt = new Map<string, number>();
    for (const id of ids) {
      sentAt.set(id, Date.now());
      assert.equal((await call(`/pols/ESPGNU777ORG/${id}`, asAna, { id })).status, 200);
    }
    await r.until('the first delivery to be under way', () => r.received.length >= 1);
    await served.kill();
    await instance();
    await r.until('every change acknowledged', () => r.acknowledged().length >= 5, 30_000);
    assert.deepEqual(
      r.acknowledged().map((c) => c.id),
      ids,
    );
    // The killed attempt and the one that took over are the same delivery: a receiver can tell it saw it before.
    const first = r.received.filter((x) => x.change.id === 'killed-0');
    assert.equal(first.length, 2);
    assert.equal(first[0].delivery, first[1].delivery);
    assert.deepEqual(
      first.map((x) => x.status),
      [null, 200],
    );
    // The worst delay here includes the dead instance's claim running out (3 s).
    t.diagnostic(deliveryFigures(r.received, sentAt));
  });
});
