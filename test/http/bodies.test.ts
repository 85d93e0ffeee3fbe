// Request bodies: JSON whatever the Content-Type, clear 4xx for malformed or non-object JSON, 413 when too large.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asAna, asRoot, eachBackend, useApp } from '../helper.ts';

eachBackend('request bodies', (backend) => {
  const ctx = useApp(backend, { THALAMUS_BODY_LIMIT: '2048' });
  const send = (method: string, url: string, payload: string, headers: Record<string, string> = {}) =>
    ctx.app.inject({ method: method as 'POST', url, payload, headers: { ...asAna, ...headers } });

  test('JSON is read with no Content-Type, form-urlencoded or text/plain (the Python clients)', async () => {
    const types: Record<string, string>[] = [
      {},
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/json' },
    ];
    for (const [i, headers] of types.entries()) {
      const id = `body-page-${i}`;
      const res = await send(
        'POST',
        `/pols/ESPGNU777ORG/${id}`,
        JSON.stringify({ id, summary: `via ${JSON.stringify(headers)}` }),
        headers,
      );
      assert.deepEqual([res.statusCode, res.body], [200, 'null'], JSON.stringify(headers));
      const read = await ctx.app.inject({ method: 'GET', url: `/pols/ESPGNU777ORG/${id}`, headers: asAna });
      assert.deepEqual(read.json(), { id, book: 'ESPGNU777ORG', summary: `via ${JSON.stringify(headers)}` });
    }
  });

  test('malformed JSON is 400 with an error, never 500', async () => {
    const res = await send('PATCH', '/people/ESPGNU777ORG', '{"name": ');
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), { error: 'Malformed JSON body: Unexpected end of JSON input' });
  });

  test('a body that is not a JSON object is 400 naming what came', async () => {
    const cases: [string, string][] = [
      ['[1, 2]', 'The body must be a JSON object, not an array'],
      ['"text"', 'The body must be a JSON object, not string'],
      ['42', 'The body must be a JSON object, not number'],
      ['null', 'The body must be a JSON object, not null'],
      ['', 'A JSON object body is required'],
    ];
    for (const [payload, error] of cases) {
      for (const [method, url] of [
        ['PATCH', '/people/ESPGNU777ORG'],
        ['POST', '/pols/ESPGNU777ORG/x'],
        ['PUT', '/pols/ESPGNU777ORG/x'],
      ]) {
        const res = await send(method, url, payload);
        assert.deepEqual([res.statusCode, res.json()], [400, { error }], `${method} ${url} ${payload}`);
      }
    }
  });

  test('fields of the wrong type are 422', async () => {
    const pw = await send('PATCH', '/people/ESPGNU777ORG', JSON.stringify({ password: 5 }));
    assert.deepEqual([pw.statusCode, pw.json()], [422, { error: 'Password must be a string' }]);
    const roles = await send('POST', '/people/ESPTYP001ABC', JSON.stringify({ roles: [1] }), asRoot);
    assert.deepEqual([roles.statusCode, roles.json()], [422, { error: 'roles must be a list of role names' }]);
  });

  test('a value PostgreSQL cannot store (\\u0000 in jsonb) is 422, never 500', async () => {
    const res = await send('PATCH', '/people/ESPGNU777ORG', '{"name": "A\\u0000B"}');
    assert.deepEqual(
      [res.statusCode, res.json()],
      [422, { error: 'The request holds a value the database cannot store (e.g. a \\u0000 character or an oversized id)' }],
    );
  });

  test('a body over the limit is 413 and the server keeps answering', async () => {
    const big = JSON.stringify({ id: 'big', info: 'x'.repeat(4096) });
    const res = await send('POST', '/pols/ESPGNU777ORG/big', big);
    assert.deepEqual([res.statusCode, res.json()], [413, { error: 'The request body is larger than the limit of 2048 bytes' }]);
    assert.equal((await ctx.app.inject({ method: 'GET', url: '/login', headers: asAna })).statusCode, 200);
  });

  test('CORS: any origin by default; preflight of a write needs no credentials', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/login', headers: { ...asAna, origin: 'https://portal.example' } });
    assert.equal(res.headers['access-control-allow-origin'], '*');
    const pre = await ctx.app.inject({
      method: 'OPTIONS',
      url: '/pols/ESPGNU777ORG/x',
      headers: { origin: 'https://portal.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(pre.statusCode, 204);
  });
});
