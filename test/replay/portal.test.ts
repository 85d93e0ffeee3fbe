// Replay of the Federation Portal (Vue) and the FRL resource locator: login, people list, account creation and search.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAMERON, ROOT, basic, eachBackend, useApp } from '../helper.ts';
import { ANA_PUBLIC } from '../http/expected.ts';
import { pythonRequest } from './python-client.ts';

eachBackend('replay: Federation Portal and FRL', (backend) => {
  const ctx = useApp(backend);
  // The portal is a browser app: fetch() with Basic auth and a JSON Content-Type.
  const portal = (method: 'GET' | 'POST', url: string, auth = ROOT, body?: unknown) =>
    ctx.app.inject({
      method,
      url,
      headers: {
        authorization: basic(auth.id, auth.password),
        origin: 'https://portal.example',
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });

  test('login, then the people list read as person[0].name', async () => {
    const login = await portal('GET', '/login');
    assert.deepEqual([login.statusCode, login.json(), login.headers['access-control-allow-origin']], [200, true, '*']);
    const people = (await portal('GET', '/people')).json<{ name: string }[][]>();
    assert.deepEqual(
      people.map((person) => person[0].name),
      ['Admin', 'Ana', 'Cameron'],
    );
  });

  test('account creation with a plain password, then logging in with it', async () => {
    const account = { name: 'Lucia', lastname: 'Ferrari', gender: 'f', dob: '2000-02-02', active: true, password: 'lucia-in-the-sky' };
    const res = await portal('POST', '/people/itarom456luc', ROOT, account);
    assert.deepEqual([res.statusCode, res.body], [200, 'null']);
    const login = await portal('GET', '/login', { id: 'ITAROM456LUC', password: 'lucia-in-the-sky' });
    assert.deepEqual([login.statusCode, login.json()], [200, true]);
  });

  test('account search: GET /people/<id>, without the hash', async () => {
    const res = await portal('GET', '/people/ITAROM456LUC');
    assert.deepEqual(res.json(), {
      id: 'ITAROM456LUC',
      name: 'Lucia',
      lastname: 'Ferrari',
      gender: 'f',
      dob: '2000-02-02',
      active: true,
      roles: ['end_user'],
    });
    const missing = await portal('GET', '/people/NOPNOP000NOP');
    assert.equal(missing.statusCode, 404);
  });

  test('FRL lookup: a health professional reads a person by federation id', async () => {
    const res = await pythonRequest(ctx.app, 'GET', '/people/ESPGNU777ORG', CAMERON);
    assert.deepEqual([res.statusCode, res.json()], [200, ANA_PUBLIC]);
    assert.equal((await pythonRequest(ctx.app, 'GET', '/people/NOPNOP000NOP', CAMERON)).statusCode, 404);
  });
});
