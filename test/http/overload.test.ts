// Overload shed, not suffered: 503 with Retry-After (and CORS) while the event loop lags or memory is over its limit; /healthz still answers; service resumes by itself.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { asAna, useApp } from '../helper.ts';

const overloaded = { error: 'The server is overloaded; try again shortly' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps the event loop busy, as heavy synchronous work would. */
function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('overload: event-loop delay', () => {
  const ctx = useApp('pglite', { THALAMUS_MAX_EVENT_LOOP_DELAY_MS: '200' });
  const read = () =>
    ctx.app.inject({ method: 'GET', url: '/people/ESPGNU777ORG', headers: { ...asAna, origin: 'https://portal.example' } });

  test('while the loop lags 300 ms at a time, requests get 503 + Retry-After until the delay falls, then 200 again', async () => {
    // The shedding decides on the mean delay of the last one-second sample.
    await sleep(2100);
    assert.equal((await read()).statusCode, 200);
    // Sustained lag: 300 ms of synchronous work at a time, for 2.4 s (a single long block barely moves the mean).
    for (let i = 0; i < 8; i++) {
      blockEventLoop(300);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const shed = await read();
    assert.deepEqual(
      [shed.statusCode, shed.headers['retry-after'], shed.headers['access-control-allow-origin'], shed.json()],
      [503, '5', '*', overloaded],
    );
    const alive = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(alive.statusCode, 200, '/healthz answers: the process is alive, only busy');
    const ready = await ctx.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 503, '/readyz sheds, so a load balancer sends traffic elsewhere');
    await sleep(2100);
    assert.equal((await read()).statusCode, 200);
  });
});

describe('overload: memory', () => {
  const ctx = useApp('pglite', { THALAMUS_MAX_HEAP_MB: '1' });

  test('a heap over its limit gets 503 + Retry-After on every route but /healthz', async () => {
    await sleep(1100);
    const shed = await ctx.app.inject({ method: 'GET', url: '/people/ESPGNU777ORG', headers: asAna });
    assert.deepEqual([shed.statusCode, shed.headers['retry-after'], shed.json()], [503, '5', overloaded]);
    const write = await ctx.app.inject({
      method: 'POST',
      url: '/pols/ESPGNU777ORG/shed-page',
      headers: asAna,
      payload: { id: 'shed-page' },
    });
    assert.deepEqual([write.statusCode, write.json()], [503, overloaded]);
    assert.equal((await ctx.app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  });
});
