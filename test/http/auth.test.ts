// Authentication and the connection test: GET /login, and every way a login fails being one 401.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import bcrypt from 'bcrypt';
import { asAna, asCameron, asRoot, basic, eachBackend, useApp } from '../helper.ts';

const UNAUTHORIZED = { error: 'Unauthorized Access' };
const REALM = 'Basic realm="Thalamus", charset="UTF-8"';

eachBackend('authentication', (backend) => {
  const ctx = useApp(backend);
  const login = (authorization?: string) =>
    ctx.app.inject({ method: 'GET', url: '/login', headers: authorization ? { authorization } : {} });

  test('GET /login is true for each demo account', async () => {
    for (const who of [asAna, asCameron, asRoot]) {
      const res = await login(who.authorization);
      assert.deepEqual([res.statusCode, res.json()], [200, true]);
    }
    const head = await ctx.app.inject({ method: 'HEAD', url: '/login', headers: asAna });
    assert.equal(head.statusCode, 200);
  });

  test('unknown user, wrong password, no or broken header: 401 with WWW-Authenticate', async () => {
    for (const header of [basic('NOPNOP000NOP', 'gnusolidario'), basic('ESPGNU777ORG', 'wrong'), undefined, 'Basic !!!', 'Digest x']) {
      const res = await login(header);
      assert.equal(res.statusCode, 401, String(header));
      assert.equal(res.headers['www-authenticate'], REALM);
      assert.deepEqual(res.json(), UNAUTHORIZED);
    }
    // A Bearer token that does not hold gets the Bearer challenge of RFC 6750 (test/oauth/bearer.test.ts has the rest).
    const bearer = await login('Bearer x');
    assert.deepEqual(
      [bearer.statusCode, bearer.headers['www-authenticate'], bearer.json()],
      [401, 'Bearer realm="Thalamus", error="invalid_token"', { error: 'The access token is invalid, expired or revoked' }],
    );
  });

  test('no password, a malformed hash, no roles or active false: 401, never 500', async () => {
    const hash = await bcrypt.hash('secret', 10);
    const people: [string, Record<string, unknown>][] = [
      ['HMINOP001PWD', { name: 'From a node' }],
      ['BADHSH002PWD', { password: 'plain-text-in-db', roles: ['end_user'] }],
      ['NUMHSH003PWD', { password: 12345, roles: ['end_user'] }],
      ['NOROLE004PWD', { password: hash }],
      ['BADROL005PWD', { password: hash, roles: 'end_user' }],
      ['INACTV006PWD', { password: hash, roles: ['end_user'], active: false }],
    ];
    for (const [id, data] of people) {
      await ctx.db.query('INSERT INTO people (id, data) VALUES ($1, $2::jsonb)', [id, JSON.stringify({ id, ...data })]);
      const res = await login(basic(id, 'secret'));
      assert.deepEqual([res.statusCode, res.json(), res.headers['www-authenticate']], [401, UNAUTHORIZED, REALM], id);
    }
    await ctx.db.query('INSERT INTO people (id, data) VALUES ($1, NULL)', ['NULLDT007PWD']);
    assert.equal((await login(basic('NULLDT007PWD', 'secret'))).statusCode, 401);
  });

  test('a $2y$ hash (PHP/Python) verifies, and active missing or true may log in', async () => {
    const hash = (await bcrypt.hash('secret', 10)).replace(/^\$2b\$/, '$2y$');
    await ctx.db.query('INSERT INTO people (id, data) VALUES ($1, $2::jsonb)', [
      'PHPHSH008PWD',
      JSON.stringify({ password: hash, roles: ['end_user'] }),
    ]);
    const res = await login(basic('PHPHSH008PWD', 'secret'));
    assert.deepEqual([res.statusCode, res.json()], [200, true]);
  });

  test('authenticated but not permitted is 403, not 401', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/people/ITAPYT999HON', headers: asAna });
    assert.deepEqual([res.statusCode, res.json()], [403, { error: 'Not permitted: GET person of another person' }]);
    assert.equal(res.headers['www-authenticate'], undefined);
  });
});
