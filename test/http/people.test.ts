// /people and /people/<person_id>: reads without passwords, keyset pages, writes and their guards.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import bcrypt from 'bcrypt';
import { asAna, asCameron, asRoot, basic, eachBackend, useApp } from '../helper.ts';
import { ANA_PUBLIC, CAMERON_PUBLIC, ROOT_PUBLIC } from './expected.ts';

eachBackend('people', (backend) => {
  const ctx = useApp(backend);
  const call = (method: string, url: string, headers: Record<string, string>, body?: unknown) =>
    ctx.app.inject({ method: method as 'GET', url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  const stored = async (id: string) =>
    (await ctx.db.query<{ data: Record<string, unknown> }>('SELECT data FROM people WHERE id = $1', [id]))[0]?.data;

  test('GET /people lists everyone as one-element arrays, without passwords, in id order', async () => {
    const res = await call('GET', '/people', asCameron);
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^application\/json/);
    assert.deepEqual(res.json(), [[ROOT_PUBLIC], [ANA_PUBLIC], [CAMERON_PUBLIC]]);
    assert.doesNotMatch(res.body, /password|\$2b\$/);
  });

  test('HEAD /people answers like GET without a body', async () => {
    const res = await call('HEAD', '/people', asRoot);
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, '');
  });

  test('GET /people is 403 for an end user and 401 without credentials', async () => {
    const res = await call('GET', '/people', asAna);
    assert.equal(res.statusCode, 403);
    assert.deepEqual(res.json(), { error: 'Not permitted: GET people' });
    const anon = await call('GET', '/people', {});
    assert.equal(anon.statusCode, 401);
    assert.equal(anon.headers['www-authenticate'], 'Basic realm="Thalamus", charset="UTF-8"');
  });

  test('GET /people?limit=2 is one keyset page with a Link to the next', async () => {
    const first = await call('GET', '/people?limit=2', asCameron);
    assert.equal(first.statusCode, 200);
    assert.deepEqual(first.json(), [[ROOT_PUBLIC], [ANA_PUBLIC]]);
    assert.equal(first.headers.link, '</people?limit=2&after=ESPGNU777ORG>; rel="next"');
    const second = await call('GET', '/people?limit=2&after=ESPGNU777ORG', asCameron);
    assert.deepEqual(second.json(), [[CAMERON_PUBLIC]]);
    assert.equal(second.headers.link, undefined);
    const empty = await call('GET', '/people?limit=2&after=ZZZ', asCameron);
    assert.deepEqual(empty.json(), []);
  });

  test('GET /people refuses a limit outside 1..1000', async () => {
    for (const q of ['limit=0', 'limit=1001', 'limit=many']) {
      const res = await call('GET', `/people?${q}`, asCameron);
      assert.equal(res.statusCode, 400, q);
      assert.match(res.json<{ error: string }>().error, /^Invalid request: querystring\/limit /);
    }
  });

  test('GET /people/<id>: your own record, or anyone for a global role; never the hash', async () => {
    const own = await call('GET', '/people/ESPGNU777ORG', asAna);
    assert.equal(own.statusCode, 200);
    assert.deepEqual(own.json(), ANA_PUBLIC);
    assert.deepEqual((await call('GET', '/people/ESPGNU777ORG', asCameron)).json(), ANA_PUBLIC);
    const other = await call('GET', '/people/ITAPYT999HON', asAna);
    assert.equal(other.statusCode, 403);
    assert.deepEqual(other.json(), { error: 'Not permitted: GET person of another person' });
    const missing = await call('GET', '/people/NOPNOP000NOP', asCameron);
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { error: 'User not found' });
  });

  test('POST /people/<id> upper-cases the id, defaults roles and stores a plain password hashed', async () => {
    const res = await call('POST', '/people/espnew001abc', asCameron, {
      name: 'Nuria',
      lastname: 'Vidal',
      active: true,
      password: 'a fine passphrase',
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'null');
    const data = await stored('ESPNEW001ABC');
    assert.match(data.password as string, /^\$2b\$12\$/);
    assert.equal(await bcrypt.compare('a fine passphrase', data.password as string), true);
    const read = await call('GET', '/people/ESPNEW001ABC', asCameron);
    assert.deepEqual(read.json(), { id: 'ESPNEW001ABC', name: 'Nuria', lastname: 'Vidal', active: true, roles: ['end_user'] });
    const login = await call('GET', '/login', { authorization: basic('ESPNEW001ABC', 'a fine passphrase') });
    assert.deepEqual([login.statusCode, login.json()], [200, true]);
  });

  test('POST /people/<id> duplicate, even in lower case, is 422 (the reference crashed with 500)', async () => {
    for (const id of ['ESPNEW001ABC', 'espnew001abc', 'ESPGNU777ORG']) {
      const res = await call('POST', `/people/${id}`, asCameron, { name: 'Again' });
      assert.equal(res.statusCode, 422, id);
      assert.deepEqual(res.json(), { error: 'User already exists' });
    }
  });

  test('POST /people/<id>: a bcrypt hash is stored as given, a long password refused', async () => {
    const hash = '$2y$12$giS8dXiUM3Crs70SHGld5u/5lprXt0kJwK7m.Di88JY5UyEaNMFj2';
    assert.equal((await call('POST', '/people/ESPHSH002ABC', asRoot, { name: 'Moved', password: hash })).statusCode, 200);
    assert.equal((await stored('ESPHSH002ABC')).password, hash);
    const long = await call('POST', '/people/ESPLNG003ABC', asRoot, { password: 'x'.repeat(65) });
    assert.equal(long.statusCode, 422);
    assert.deepEqual(long.json(), { error: 'The password is too long: use 8 to 64 characters.' });
    assert.equal(await stored('ESPLNG003ABC'), undefined);
  });

  test('POST /people/<id>: only root grants roles beyond end_user; end users cannot create people', async () => {
    const hp = await call('POST', '/people/ESPROL004ABC', asCameron, { roles: ['root'] });
    assert.equal(hp.statusCode, 403);
    assert.deepEqual(hp.json(), { error: 'Only root may grant roles beyond end_user' });
    assert.equal((await call('POST', '/people/ESPROL004ABC', asRoot, { roles: ['health_professional'] })).statusCode, 200);
    assert.deepEqual((await stored('ESPROL004ABC')).roles, ['health_professional']);
    const bad = await call('POST', '/people/ESPROL005ABC', asRoot, { roles: 'root' });
    assert.equal(bad.statusCode, 422);
    assert.deepEqual(bad.json(), { error: 'roles must be a list of role names' });
    const ana = await call('POST', '/people/ESPROL006ABC', asAna, { name: 'x' });
    assert.equal(ana.statusCode, 403);
    assert.deepEqual(ana.json(), { error: 'Not permitted: POST person of another person' });
  });

  test('PATCH /people/<id> merges shallowly and answers null', async () => {
    const res = await call('PATCH', '/people/ESPGNU777ORG', asAna, { profession: 'Head teacher', roles: ['end_user'], active: true });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'null');
    assert.deepEqual((await call('GET', '/people/ESPGNU777ORG', asAna)).json(), { ...ANA_PUBLIC, profession: 'Head teacher' });
    await call('PATCH', '/people/ESPGNU777ORG', asAna, { profession: 'Teacher' });
  });

  test('PATCH /people/<id>: no changing your own roles or active flag (the reference allowed it)', async () => {
    const roles = await call('PATCH', '/people/ESPGNU777ORG', asAna, { roles: ['end_user', 'root'] });
    assert.equal(roles.statusCode, 403);
    assert.deepEqual(roles.json(), { error: 'Not allowed to change your own roles' });
    const active = await call('PATCH', '/people/ESPGNU777ORG', asAna, { active: false });
    assert.equal(active.statusCode, 403);
    assert.deepEqual(active.json(), { error: 'Not allowed to change your own active status' });
    assert.deepEqual((await call('GET', '/people/ESPGNU777ORG', asAna)).json(), ANA_PUBLIC);
  });

  test('PATCH /people/<id>: only root changes roles; only the person or root the password', async () => {
    const hp = await call('PATCH', '/people/ESPGNU777ORG', asCameron, { roles: ['health_professional'] });
    assert.deepEqual([hp.statusCode, hp.json()], [403, { error: 'Only root may change roles' }]);
    const pw = await call('PATCH', '/people/ESPGNU777ORG', asCameron, { password: 'taken over' });
    assert.deepEqual([pw.statusCode, pw.json()], [403, { error: 'Only the person themself or root may change the password' }]);
    assert.equal((await call('PATCH', '/people/ESPROL004ABC', asRoot, { roles: ['end_user'], active: false })).statusCode, 200);
    assert.deepEqual((await stored('ESPROL004ABC')).roles, ['end_user']);
  });

  test('PATCH /people/<id> with a password stores it hashed, even one that looks like a hash', async () => {
    const own = { authorization: basic('ESPNEW001ABC', 'a fine passphrase') };
    assert.equal((await call('PATCH', '/people/ESPNEW001ABC', own, { password: 'another passphrase' })).statusCode, 200);
    const data = await stored('ESPNEW001ABC');
    assert.equal(await bcrypt.compare('another passphrase', data.password as string), true);
    assert.equal((await call('GET', '/login', own)).statusCode, 401);
    const hashLike = '$2b$12$1mI4z2vpAhUwq71pLtrHcOO7kyK7I2I1i4Yw1JNjuqFvjG4U1if9K';
    assert.equal((await call('PATCH', '/people/ESPNEW001ABC', asRoot, { password: hashLike })).statusCode, 200);
    assert.notEqual((await stored('ESPNEW001ABC')).password, hashLike);
  });

  test('PATCH /people/<id>: an id in the body is 422, an unknown person 404', async () => {
    const id = await call('PATCH', '/people/ESPGNU777ORG', asAna, { id: 'ESPGNU777ORG' });
    assert.deepEqual([id.statusCode, id.json()], [422, { error: 'Not allowed to change the person ID' }]);
    const missing = await call('PATCH', '/people/NOPNOP000NOP', asRoot, { name: 'x' });
    assert.deepEqual([missing.statusCode, missing.json()], [404, { error: 'User not found' }]);
  });

  test('PUT /people/<id> replaces the document, keeping the stored hash, roles and active', async () => {
    const before = (await stored('ESPHSH002ABC')).password;
    const res = await call('PUT', '/people/ESPHSH002ABC', asRoot, { id: 'ESPHSH002ABC', name: 'Replaced', gender: 'f' });
    assert.deepEqual([res.statusCode, res.body], [200, 'null']);
    assert.deepEqual(await stored('ESPHSH002ABC'), {
      id: 'ESPHSH002ABC',
      name: 'Replaced',
      gender: 'f',
      roles: ['end_user'],
      password: before,
    });
    const other = await call('PUT', '/people/ESPHSH002ABC', asRoot, { id: 'ESPGNU777ORG' });
    assert.deepEqual([other.statusCode, other.json()], [422, { error: 'Not allowed to change the person ID' }]);
    const self = await call('PUT', '/people/ESPGNU777ORG', asAna, { ...ANA_PUBLIC, roles: ['root'] });
    assert.deepEqual([self.statusCode, self.json()], [403, { error: 'Not allowed to change your own roles' }]);
    const missing = await call('PUT', '/people/NOPNOP000NOP', asRoot, {});
    assert.deepEqual([missing.statusCode, missing.json()], [404, { error: 'User not found' }]);
  });

  test('DELETE /people/<id>: root only, an inactive person with no pages or documents', async () => {
    assert.equal((await call('DELETE', '/people/ESPROL004ABC', asAna)).statusCode, 403);
    const active = await call('DELETE', '/people/ESPGNU777ORG', asRoot);
    assert.deepEqual([active.statusCode, active.json()], [422, { error: 'The user is active.' }]);
    const missing = await call('DELETE', '/people/NOPNOP000NOP', asRoot);
    assert.deepEqual([missing.statusCode, missing.json()], [404, { error: 'User does not exist' }]);
    const gone = await call('DELETE', '/people/ESPROL004ABC', asRoot);
    assert.deepEqual([gone.statusCode, gone.body], [200, 'null']);
    assert.equal((await call('GET', '/people/ESPROL004ABC', asRoot)).statusCode, 404);
  });

  test('DELETE /people/<id> of an inactive person who still has pages and documents is 422, nothing lost', async () => {
    await ctx.db.query(`UPDATE people SET data = data || '{"active": false}' WHERE id = 'ESPGNU777ORG'`);
    const res = await call('DELETE', '/people/ESPGNU777ORG', asRoot);
    assert.equal(res.statusCode, 422);
    assert.deepEqual(res.json(), { error: 'The user still has 2 pages of life and 1 personal documents; delete them first' });
    assert.equal((await ctx.db.query('SELECT id FROM pols WHERE book = $1', ['ESPGNU777ORG'])).length, 2);
    await ctx.db.query(`UPDATE people SET data = data || '{"active": true}' WHERE id = 'ESPGNU777ORG'`);
  });
});
