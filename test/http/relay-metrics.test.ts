// GET /metrics for the relay: webhook deliveries by outcome, their time and lag, deliveries in flight, the backlog, open change streams.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { asAna, asRoot, eachBackend, useApp } from '../helper.ts';
import { startReceiver, type Receiver, type Respond } from './receiver.ts';
import { openStream } from './sse-client.ts';

/** The value of one series in Prometheus text, 0 when it is not there yet. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

const SERIES = {
  delivered: 'thalamus_webhook_deliveries_total{outcome="delivered"}',
  failed: 'thalamus_webhook_deliveries_total{outcome="failed"}',
  parked: 'thalamus_webhook_deliveries_total{outcome="parked"}',
  deliveredTime: 'thalamus_webhook_attempt_duration_seconds_count{outcome="delivered"}',
  failedTime: 'thalamus_webhook_attempt_duration_seconds_count{outcome="failed"}',
  lag: 'thalamus_webhook_delivery_lag_seconds_count',
  inFlight: 'thalamus_webhook_deliveries_in_flight',
  pending: 'thalamus_webhook_backlog{state="pending"}',
  parkedNow: 'thalamus_webhook_backlog{state="parked"}',
  streams: 'thalamus_stream_subscribers',
};
type Figures = Record<keyof typeof SERIES, number>;

eachBackend('relay metrics', (backend) => {
  const ctx = useApp(backend, {
    THALAMUS_WEBHOOK_RETRY_MS: '20',
    THALAMUS_WEBHOOK_MAX_RETRY_MS: '100',
    THALAMUS_WEBHOOK_MAX_ATTEMPTS: '2',
    THALAMUS_WEBHOOK_TIMEOUT_MS: '5000',
  });
  const receivers: Receiver[] = [];
  const receiver = async (respond: Respond) => {
    const r = await startReceiver(respond);
    receivers.push(r);
    return r;
  };
  let base = '';
  before(async () => {
    base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    for (const r of receivers) await r.close();
  });
  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, body?: unknown) =>
    ctx.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  const figures = async (): Promise<Figures> => {
    const res = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    return Object.fromEntries(Object.entries(SERIES).map(([name, series]) => [name, value(res.body, series)])) as Figures;
  };
  const moved = (before: Figures, after: Figures) =>
    Object.fromEntries(Object.keys(SERIES).map((name) => [name, after[name as keyof Figures] - before[name as keyof Figures]]));
  const subscribe = async (url: string) => {
    const res = await call('POST', '/subscriptions', asRoot, { url, secret: 'a-shared-secret-of-some-length', resources: ['pols'] });
    assert.equal(res.statusCode, 201, res.body);
    return res.json<{ id: string }>().id;
  };
  const deliveries = async (id: string) =>
    (await call('GET', `/subscriptions/${id}`, asRoot)).json<{ deliveries: { pending: number; delivered: number; failed: number } }>()
      .deliveries;
  const addPage = async (id: string) => assert.equal((await call('POST', `/pols/ESPGNU777ORG/${id}`, asAna, { id })).statusCode, 200);

  test('deliveries counted by outcome (delivered, failed, parked), with their time, the lag of delivered changes and the backlog', async () => {
    const before = await figures();
    const healthy = await receiver(() => 200);
    const refusing = await receiver(() => 500);
    const [good, bad] = [await subscribe(healthy.url), await subscribe(refusing.url)];
    await addPage('metrics-page-1');
    await addPage('metrics-page-2');
    await healthy.until('2 deliveries', () => healthy.received.length >= 2);
    // THALAMUS_WEBHOOK_MAX_ATTEMPTS 2: each change is refused once (failed), then once more (parked).
    await refusing.until('4 attempts', () => refusing.received.length >= 4);
    // The counters move before the outcome is written: once both are written, both have moved.
    for (let i = 0; i < 400 && ((await deliveries(good)).delivered < 2 || (await deliveries(bad)).failed < 2); i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.deepEqual(await deliveries(good), { pending: 0, delivered: 2, failed: 0 });
    assert.deepEqual(await deliveries(bad), { pending: 0, delivered: 0, failed: 2 });
    assert.deepEqual(moved(before, await figures()), {
      delivered: 2,
      failed: 2,
      parked: 2,
      deliveredTime: 2,
      failedTime: 2,
      lag: 2,
      inFlight: 0,
      pending: 0,
      parkedNow: 2,
      streams: 0,
    });
    for (const id of [good, bad]) assert.equal((await call('DELETE', `/subscriptions/${id}`, asRoot)).statusCode, 204);
  });

  test('a delivery being sent is in flight and pending; it leaves both when its subscription ends', async () => {
    const before = await figures();
    const hanging = await receiver(() => 'hang');
    const sub = await subscribe(hanging.url);
    await addPage('metrics-page-3');
    await hanging.until('the delivery', () => hanging.received.length >= 1);
    assert.deepEqual(moved(before, await figures()), {
      delivered: 0,
      failed: 0,
      parked: 0,
      deliveredTime: 0,
      failedTime: 0,
      lag: 0,
      inFlight: 1,
      pending: 1,
      parkedNow: 0,
      streams: 0,
    });
    assert.equal((await call('DELETE', `/subscriptions/${sub}`, asRoot)).statusCode, 204);
    await hanging.close();
    let now = await figures();
    for (let i = 0; i < 200 && now.inFlight !== before.inFlight; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      now = await figures();
    }
    assert.deepEqual([now.inFlight - before.inFlight, now.pending - before.pending], [0, 0]);
  });

  test('open change streams are counted while they are open', async () => {
    const before = await figures();
    const streams = [await openStream(`${base}/changes/stream`, asRoot), await openStream(`${base}/changes/stream`, asRoot)];
    assert.equal((await figures()).streams - before.streams, 2);
    for (const s of streams) s.close();
    let now = await figures();
    for (let i = 0; i < 200 && now.streams !== before.streams; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      now = await figures();
    }
    assert.equal(now.streams - before.streams, 0);
  });
});
