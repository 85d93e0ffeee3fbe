// Webhook deliveries to a local receiver: exactly once and signed when it is healthy, at least once and in
// order when it fails first, parked after the last attempt and sent again by a replay, scoped for end users.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { asAna, asCameron, asRoot, eachBackend, useApp } from '../helper.ts';
import { deliveryFigures, startReceiver, verifySignature, type Receiver } from './receiver.ts';

const SECRET = 'a-shared-secret-of-some-length';

eachBackend('webhook deliveries', (backend) => {
  const ctx = useApp(backend, {
    THALAMUS_WEBHOOK_RETRY_MS: '20',
    THALAMUS_WEBHOOK_MAX_RETRY_MS: '100',
    THALAMUS_WEBHOOK_MAX_ATTEMPTS: '3',
    THALAMUS_WEBHOOK_TIMEOUT_MS: '2000',
  });
  const receivers: Receiver[] = [];
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };
  after(async () => {
    for (const r of receivers) await r.close();
  });
  const call = (method: string, url: string, headers: Record<string, string>, body?: unknown) =>
    ctx.app.inject({ method: method as 'GET', url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  const subscribe = async (headers: Record<string, string>, url: string, resources?: string[]) => {
    const res = await call('POST', '/subscriptions', headers, { url, secret: SECRET, ...(resources ? { resources } : {}) });
    assert.equal(res.statusCode, 201, res.body);
    return res.json<{ id: string }>().id;
  };
  const unsubscribe = async (headers: Record<string, string>, id: string) =>
    assert.equal((await call('DELETE', `/subscriptions/${id}`, headers)).statusCode, 204);
  const addPage = async (owner: string, id: string, headers: Record<string, string>) =>
    assert.equal((await call('POST', `/pols/${owner}/${id}`, headers, { id })).statusCode, 200);
  const counts = async (id: string, headers = asRoot) =>
    (await call('GET', `/subscriptions/${id}`, headers)).json<{ deliveries: { pending: number; delivered: number; failed: number } }>()
      .deliveries;
  let seqOf: (id: string) => Promise<number>;
  before(() => {
    seqOf = async (id) => Number((await ctx.db.query<{ seq: string }>('SELECT max(seq) AS seq FROM changes WHERE id = $1', [id]))[0].seq);
  });

  test('healthy receiver: every matching change exactly once, in seq order, signed, with delivery id and event', async (t) => {
    const r = await receiver();
    const sub = await subscribe(asCameron, r.url, ['pols']);
    const ids = Array.from({ length: 10 }, (_, i) => `hook-${i}`);
    // Ana signs in once first (bcrypt), so the delays measured are the relay's, not her first login's.
    assert.equal((await call('GET', '/people/ESPGNU777ORG', asAna)).statusCode, 200);
    const sentAt = new Map<string, number>();
    for (const id of ids) {
      sentAt.set(id, Date.now());
      await addPage('ESPGNU777ORG', id, asAna);
    }
    assert.equal((await call('POST', '/institutions/INST-NOT-WANTED', asCameron, { name: 'x' })).statusCode, 200);
    await r.until('10 deliveries', () => r.received.length >= 10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      r.received.map((x) => x.change.id),
      ids,
    );
    const seqs = r.received.map((x) => Number(x.change.seq));
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    for (const x of r.received) {
      assert.ok(verifySignature(SECRET, x.body, x.signature), `signature of ${x.delivery}`);
      assert.equal(verifySignature('another secret entirely', x.body, x.signature), false);
      assert.equal(x.event, 'pols');
      assert.deepEqual(Object.keys(x.change).sort(), ['actor', 'id', 'node', 'operation', 'person', 'resource', 'seq', 'time']);
    }
    assert.equal(new Set(r.received.map((x) => x.delivery)).size, 10);
    assert.deepEqual(await counts(sub), { pending: 0, delivered: 10, failed: 0 });
    t.diagnostic(deliveryFigures(r.received, sentAt));
    await unsubscribe(asCameron, sub);
  });

  test('a receiver that fails its first attempts still gets every change, at least once and in order', async (t) => {
    // Two refusals: the third and last attempt (THALAMUS_WEBHOOK_MAX_ATTEMPTS 3) is accepted.
    const r = await receiver((_request, index) => (index < 2 ? 500 : 200));
    const sub = await subscribe(asCameron, r.url, ['pols']);
    const ids = ['retry-0', 'retry-1', 'retry-2', 'retry-3', 'retry-4'];
    const sentAt = new Map<string, number>();
    for (const id of ids) {
      sentAt.set(id, Date.now());
      await addPage('ESPGNU777ORG', id, asAna);
    }
    await r.until('5 acknowledged', () => r.acknowledged().length >= 5);
    assert.deepEqual(
      r.acknowledged().map((c) => c.id),
      ids,
    );
    // The first change was refused (500) before it was accepted: retried with the same delivery id.
    const first = r.received.filter((x) => x.change.id === 'retry-0');
    assert.equal(first.length, 3);
    assert.equal(new Set(first.map((x) => x.delivery)).size, 1);
    assert.deepEqual(await counts(sub), { pending: 0, delivered: 5, failed: 0 });
    t.diagnostic(deliveryFigures(r.received, sentAt));
    await unsubscribe(asCameron, sub);
  });

  test('after the last attempt a delivery is parked as failed and the next ones go on; a replay sends it again', async () => {
    let refuse = true;
    const r = await receiver((request) => (refuse && request.change.id === 'poison' ? 503 : 200));
    const sub = await subscribe(asCameron, r.url, ['pols']);
    await addPage('ESPGNU777ORG', 'before-poison', asAna);
    await addPage('ESPGNU777ORG', 'poison', asAna);
    await addPage('ESPGNU777ORG', 'after-poison', asAna);
    await r.until('the page after the parked one', () => r.acknowledged().some((c) => c.id === 'after-poison'));
    assert.equal(r.received.filter((x) => x.change.id === 'poison').length, 3);
    assert.deepEqual(
      r.acknowledged().map((c) => c.id),
      ['before-poison', 'after-poison'],
    );
    assert.deepEqual(await counts(sub), { pending: 0, delivered: 2, failed: 1 });
    refuse = false;
    const since = (await seqOf('poison')) - 1;
    assert.equal((await call('POST', `/subscriptions/${sub}/replay?since=${since}`, asCameron)).statusCode, 202);
    await r.until('the replay', () => r.acknowledged().length >= 4);
    assert.deepEqual(
      r.acknowledged().map((c) => c.id),
      ['before-poison', 'after-poison', 'poison', 'after-poison'],
    );
    await unsubscribe(asCameron, sub);
  });

  test("an end user's subscription delivers only the changes of their own records", async () => {
    const r = await receiver();
    const sub = await subscribe(asAna, r.url);
    await addPage('ITAPYT999HON', 'cameron-only', asCameron);
    await addPage('ESPGNU777ORG', 'written-for-ana', asCameron);
    assert.equal((await call('PATCH', '/people/ESPGNU777ORG', asAna, { profession: 'Engineer' })).statusCode, 200);
    await r.until('2 deliveries', () => r.received.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(
      r.received.map((x) => [x.event, x.change.id, x.change.actor]),
      [
        ['pols', 'written-for-ana', 'ITAPYT999HON'],
        ['people', 'ESPGNU777ORG', 'ESPGNU777ORG'],
      ],
    );
    await unsubscribe(asAna, sub);
  });

  test('a receiver that cannot be reached counts as a failed attempt', async () => {
    const r = await receiver();
    const url = r.url;
    await r.close();
    const sub = await subscribe(asCameron, url, ['dus']);
    assert.equal((await call('POST', '/domiciliary-units/DU-UNREACHABLE', asCameron, { name: 'x' })).statusCode, 200);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await counts(sub)).failed !== 1) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(await counts(sub), { pending: 0, delivered: 0, failed: 1 });
    const [row] = await ctx.db.query<{ attempts: number; last_error: string }>(
      'SELECT attempts, last_error FROM deliveries WHERE subscription = $1',
      [sub],
    );
    assert.deepEqual([row.attempts, row.last_error], [3, 'ECONNREFUSED']);
  });
});
