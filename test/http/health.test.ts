// /healthz, /readyz (including a database that goes away), the welcome page and CORS preflight.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asAna, eachBackend, useApp } from '../helper.ts';

eachBackend('health probes', (backend) => {
  const ctx = useApp(backend);

  test('GET /healthz answers 200 with the version', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok', version: '0.1.0' });
  });

  test('GET /readyz answers 200 while the database answers', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ready', database: backend === 'postgres' ? 'pg' : 'pglite' });
  });

  test('GET / is the HTML welcome page', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/html/);
    assert.match(res.body, /Welcome to the GNU Health Federation/);
  });

  test('OPTIONS preflight answers without credentials and allows every method', async () => {
    const res = await ctx.app.inject({
      method: 'OPTIONS',
      url: '/people/ESPGNU777ORG',
      headers: {
        origin: 'https://portal.example',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['access-control-allow-origin'], '*');
    assert.equal(res.headers['access-control-allow-methods'], 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT');
    assert.equal(res.headers['access-control-allow-headers'], 'authorization,content-type');
  });

  test('an unknown route is a JSON 404', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/nowhere?x=1' });
    assert.equal(res.statusCode, 404);
    assert.deepEqual(res.json(), { error: 'No route GET /nowhere' });
  });

  test('GET /readyz answers 503 once the database is gone', async () => {
    await ctx.db.close();
    const res = await ctx.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 503);
    assert.deepEqual(res.json(), { error: 'The database is unavailable', status: 'unavailable' });
  });

  test('API requests answer 503 with a JSON error, never 500, while the database is gone', async () => {
    const unavailable = { error: 'The database is unavailable; try again shortly' };
    const read = await ctx.app.inject({ method: 'GET', url: '/people/ESPGNU777ORG', headers: asAna });
    assert.deepEqual([read.statusCode, read.headers['retry-after'], read.json()], [503, '5', unavailable]);
    const write = await ctx.app.inject({ method: 'POST', url: '/pols/ESPGNU777ORG/p-1', headers: asAna, payload: '{"id": "p-1"}' });
    assert.deepEqual([write.statusCode, write.json()], [503, unavailable]);
  });
});
