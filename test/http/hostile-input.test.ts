// Inputs that used to give 500 or be stored changed: deep or wide JSON, inexact numbers, invalid UTF-8, prototype keys, big documents, bad ids and URLs.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { test } from 'node:test';
import { asAna, asRoot, eachBackend, useApp } from '../helper.ts';

eachBackend('hostile input', (backend) => {
  const ctx = useApp(backend);
  const send = (method: string, url: string, payload: string | Buffer, headers: Record<string, string> = asAna) =>
    ctx.app.inject({ method: method as 'POST', url, payload, headers });
  const answer = (res: Awaited<ReturnType<typeof send>>): [number, unknown] => [res.statusCode, res.json()];

  test('JSON nested deeper than 64 levels is 400 on every write route; 64 levels is stored', async () => {
    const nested = (n: number) => `{"id": "deep-page", "k": ${'['.repeat(n - 1)}${']'.repeat(n - 1)}}`;
    const refused = { error: 'The JSON body is nested deeper than 64 levels' };
    for (const [method, url] of [
      ['POST', '/pols/ESPGNU777ORG/deep-page'],
      ['PATCH', '/people/ESPGNU777ORG'],
      ['PUT', '/pols/ESPGNU777ORG/deep-page'],
      ['POST', '/institutions/deep-institution'],
    ]) {
      assert.deepEqual(answer(await send(method, url, nested(65), asRoot)), [400, refused], `${method} ${url}`);
      assert.deepEqual(answer(await send(method, url, nested(100_000), asRoot)), [400, refused], `${method} ${url}`);
    }
    const stored = await send('POST', '/pols/ESPGNU777ORG/deep-page', nested(64));
    assert.deepEqual([stored.statusCode, stored.body], [200, 'null']);
  });

  test('more than 10,000 keys is 400', async () => {
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [`k${i}`, i])));
    assert.deepEqual(answer(await send('PATCH', '/people/ESPGNU777ORG', wide)), [400, { error: 'The JSON body has more than 10000 keys' }]);
  });

  test('numbers JavaScript cannot hold exactly are refused with 400; exact ones are stored as written', async () => {
    for (const n of ['1e400', '-1e400', '1e-400', '12345678901234567890123', '0.30000000000000000001']) {
      const res = await send('PATCH', '/people/ESPGNU777ORG', `{"n": ${n}}`);
      assert.deepEqual(answer(res), [400, { error: `The number ${n} cannot be stored exactly; send it as a string` }]);
    }
    const exact = await send(
      'POST',
      '/pols/ESPGNU777ORG/numbers',
      '{"id": "numbers", "a": 0.1, "b": 1.50, "c": -0, "d": 1e21, "e": 9007199254740991}',
    );
    assert.equal(exact.statusCode, 200);
    const read = await ctx.app.inject({ method: 'GET', url: '/pols/ESPGNU777ORG/numbers', headers: asAna });
    assert.deepEqual(read.json(), { id: 'numbers', book: 'ESPGNU777ORG', a: 0.1, b: 1.5, c: 0, d: 1e21, e: 9007199254740991 });
  });

  test('invalid UTF-8 is 400, not stored as U+FFFD', async () => {
    const body = Buffer.concat([Buffer.from('{"id": "utf8", "s": "'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
    assert.deepEqual(answer(await send('POST', '/pols/ESPGNU777ORG/utf8', body)), [400, { error: 'The body is not valid UTF-8' }]);
  });

  test('__proto__ and constructor keys are refused at any level', async () => {
    for (const [key, body] of [
      ['__proto__', '{"__proto__": {"roles": ["root"]}}'],
      ['constructor', '{"a": [{"constructor": {"prototype": {}}}]}'],
    ]) {
      const res = await send('PATCH', '/people/ESPGNU777ORG', body);
      assert.deepEqual(answer(res), [400, { error: `The key "${key}" is not allowed in a JSON body` }]);
    }
  });

  test('a 5 MiB personal document (6.7 MiB of base64) is stored and read back whole (no regular-expression stack overflow)', async () => {
    const bytes = Buffer.alloc(5 * 1024 * 1024, 7);
    const res = await send(
      'POST',
      '/personal_docs/ESPGNU777ORG/a8f2e2b4-5e0b-4c2e-9d1c-3f6b8f9a0b01',
      JSON.stringify({ id: 'big-doc', name: 'big.bin', document: bytes.toString('base64') }),
      asRoot,
    );
    assert.deepEqual([res.statusCode, res.body], [200, 'null']);
    const read = await ctx.app.inject({
      method: 'GET',
      url: '/personal_docs/ESPGNU777ORG/a8f2e2b4-5e0b-4c2e-9d1c-3f6b8f9a0b01/big-doc',
      headers: asRoot,
    });
    assert.deepEqual([read.statusCode, read.rawPayload.equals(bytes)], [200, true]);
    const bad = await send(
      'POST',
      '/personal_docs/ESPGNU777ORG/a8f2e2b4-5e0b-4c2e-9d1c-3f6b8f9a0b01',
      JSON.stringify({ name: 'x.bin', document: 'QQ' }),
      asRoot,
    );
    assert.deepEqual(answer(bad), [422, { error: "document must be the file's bytes in base64" }]);
  });

  test('a new record id must follow the documented pattern (400); existing ids are untouched', async () => {
    const rule = 'an id is 1 to 100 characters: letters, digits and . _ ~ : @ + -, starting with a letter or a digit';
    for (const [url, what] of [
      [`/people/${encodeURIComponent('<IMG SRC=X>')}`, 'person'],
      [`/people/${'A'.repeat(101)}`, 'person'],
      [`/pols/ESPGNU777ORG/${encodeURIComponent('../x')}`, 'page'],
      [`/institutions/${encodeURIComponent('a b')}`, 'institution'],
    ]) {
      const res = await send('POST', url, `{"id": ${JSON.stringify(decodeURIComponent(url.split('/').pop()!))}}`, asRoot);
      assert.deepEqual(answer(res), [400, { error: `Invalid ${what} ID: ${rule}` }], url);
    }
    const doc = await send(
      'POST',
      '/personal_docs/ESPGNU777ORG/a8f2e2b4-5e0b-4c2e-9d1c-3f6b8f9a0b01',
      JSON.stringify({ id: 'a/b', name: 'x.txt', document: 'aGk=' }),
      asRoot,
    );
    assert.deepEqual(answer(doc), [400, { error: `Invalid document ID: ${rule}` }]);
  });

  test('Fastify\'s own errors are {"error": ...} with CORS headers: an invalid escape (400), an id over 1,000 characters (414)', async () => {
    const bad = await ctx.app.inject({ method: 'GET', url: '/people/%ZZ', headers: { ...asAna, origin: 'https://portal.example' } });
    assert.deepEqual(
      [bad.statusCode, bad.headers['access-control-allow-origin'], bad.json()],
      [400, '*', { error: 'The URL holds an invalid percent-escape' }],
    );
    const long = await ctx.app.inject({ method: 'GET', url: `/people/${'X'.repeat(1001)}`, headers: asAna });
    assert.deepEqual(
      [long.statusCode, long.headers['access-control-allow-origin'], long.json()],
      [414, '*', { error: 'An id in the URL is longer than 1000 characters' }],
    );
    const fine = await ctx.app.inject({ method: 'GET', url: `/people/${'X'.repeat(1000)}`, headers: asRoot });
    assert.deepEqual(answer(fine), [404, { error: 'User not found' }]);
  });

  test('a request Node cannot parse (a lower-case method) is 400 JSON with CORS headers, on a real socket', async () => {
    await ctx.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = ctx.app.server.address() as { port: number };
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end('get /people HTTP/1.1\r\nHost: x\r\n\r\n'));
      let text = '';
      socket
        .on('data', (d: Buffer) => (text += d.toString()))
        .on('end', () => resolve(text))
        .on('error', reject);
    });
    const [head, body] = raw.split('\r\n\r\n');
    assert.match(head, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(head, /\r\nAccess-Control-Allow-Origin: \*\r\n/);
    assert.deepEqual(JSON.parse(body), { error: 'Unknown HTTP method (methods are upper-case: GET, POST, ...)' });
    // The server still answers on the same port.
    const status = await new Promise<number>((resolve) =>
      httpRequest({ port, host: '127.0.0.1', path: '/healthz' }, (res) => resolve(res.statusCode!)).end(),
    );
    assert.equal(status, 200);
  });
});
