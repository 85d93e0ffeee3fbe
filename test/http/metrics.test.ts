// GET /metrics: requests by route and status, auth failures, query latency, pool use, event-loop lag; loopback or token only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asAna, basic, eachBackend, useApp } from '../helper.ts';

const TOKEN = 'metrics-token-for-the-tests-0123';
const DENIED = { error: 'GET /metrics is answered only on this machine (loopback), or with the THALAMUS_METRICS_TOKEN bearer token' };

/** The value of one series in Prometheus text, 0 when it is not there yet. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

eachBackend('metrics', (backend) => {
  const ctx = useApp(backend, { THALAMUS_METRICS_TOKEN: TOKEN });
  const scrape = async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    return res.body;
  };

  test('requests are counted by route pattern and status, with their latency', async () => {
    const ok = 'thalamus_http_requests_total{method="GET",route="/people/:person_id",status="200"}';
    const missing = 'thalamus_http_requests_total{method="GET",route="/people/:person_id",status="404"}';
    const latency = 'thalamus_http_request_duration_seconds_count{method="GET",route="/people/:person_id",status="200"}';
    const before = await scrape();
    for (let i = 0; i < 3; i++)
      assert.equal((await ctx.app.inject({ method: 'GET', url: '/people/ESPGNU777ORG', headers: asAna })).statusCode, 200);
    const gone = await ctx.app.inject({
      method: 'GET',
      url: '/people/NOBODY',
      headers: { authorization: basic('ARGBUE111FAV', 'freedom') },
    });
    assert.equal(gone.statusCode, 404);
    const after = await scrape();
    assert.deepEqual(
      [
        value(after, ok) - value(before, ok),
        value(after, missing) - value(before, missing),
        value(after, latency) - value(before, latency),
      ],
      [3, 1, 3],
    );
  });

  test('authentication failures are counted; unmatched URLs share one series', async () => {
    const before = await scrape();
    const denied = await ctx.app.inject({
      method: 'GET',
      url: '/people/ESPGNU777ORG',
      headers: { authorization: basic('ESPGNU777ORG', 'wrong') },
    });
    assert.equal(denied.statusCode, 401);
    assert.equal((await ctx.app.inject({ method: 'GET', url: '/no/such/path/123' })).statusCode, 404);
    const after = await scrape();
    const unmatched = 'thalamus_http_requests_total{method="GET",route="unmatched",status="404"}';
    assert.deepEqual(
      [
        value(after, 'thalamus_auth_failures_total') - value(before, 'thalamus_auth_failures_total'),
        value(after, unmatched) - value(before, unmatched),
      ],
      [1, 1],
    );
    assert.doesNotMatch(after, /no\/such\/path/);
  });

  test('database query latency, pool use and event-loop lag are reported', async () => {
    const text = await scrape();
    assert.ok(value(text, 'thalamus_db_query_duration_seconds_count{outcome="ok"}') > 0, 'queries observed');
    assert.match(text, /^nodejs_eventloop_lag_seconds \d/m);
    const total = value(text, 'thalamus_db_pool_connections{state="total"}');
    // The embedded database has no pool; PostgreSQL's has opened connections by now.
    assert.ok(backend === 'postgres' ? total >= 1 : total === 0, `pool total ${total}`);
  });

  test('refused beyond loopback without the token (also through a proxy); answered with it', async () => {
    const far = { method: 'GET' as const, url: '/metrics', remoteAddress: '203.0.113.9' };
    const refused = await ctx.app.inject(far);
    assert.deepEqual([refused.statusCode, refused.json()], [403, DENIED]);
    const wrong = await ctx.app.inject({ ...far, headers: { authorization: 'Bearer not-the-token' } });
    assert.deepEqual([wrong.statusCode, wrong.json()], [403, DENIED]);
    const right = await ctx.app.inject({ ...far, headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(right.statusCode, 200);
    assert.match(right.body, /^# HELP thalamus_http_requests_total /m);
  });
});

eachBackend('metrics behind a trusted proxy', (backend) => {
  const ctx = useApp(backend, { THALAMUS_TRUST_PROXY: 'true' });
  test('a request forwarded from elsewhere is not loopback, whatever the proxy address', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/metrics', headers: { 'x-forwarded-for': '198.51.100.7' } });
    assert.deepEqual([res.statusCode, res.json()], [403, DENIED]);
    assert.equal((await ctx.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
  });
});
