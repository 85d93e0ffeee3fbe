// No cross-site writes: what a browser could send from another site without a preflight is refused; the real clients pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROOT, asRoot, basic, eachBackend, useApp } from '../helper.ts';
import { pythonRequest } from '../replay/python-client.ts';

// The attack of the report: a form on another site posting a root account with root's cached credentials.
const ROOT_ACCOUNT = JSON.stringify({ roles: ['root'], password: 'x-attacker-chosen-pass' });

eachBackend('cross-site writes', (backend) => {
  const ctx = useApp(backend);
  const exists = async (id: string) => (await ctx.db.query('SELECT 1 FROM people WHERE id = $1', [id])).length === 1;
  const post = (url: string, headers: Record<string, string>, payload = ROOT_ACCOUNT) =>
    ctx.app.inject({ method: 'POST', url, headers: { ...asRoot, ...headers }, payload });

  test('the Python clients (no Origin, no Content-Type, or a form type) write as before', async () => {
    const res = await pythonRequest(ctx.app, 'POST', '/pols/ESPGNU777ORG/PYPAGE001', ROOT, { id: 'PYPAGE001', summary: 'py' });
    assert.deepEqual([res.statusCode, res.body], [200, 'null']);
    const form = await post('/pols/ESPGNU777ORG/PYPAGE002', { 'content-type': 'application/x-www-form-urlencoded' }, '{"id":"PYPAGE002"}');
    assert.deepEqual([form.statusCode, form.body], [200, 'null']);
  });

  test('the Portal (fetch with JSON and its own Authorization, preflighted) writes from its own origin', async () => {
    const headers = {
      origin: 'https://portal.example',
      'sec-fetch-site': 'cross-site',
      'sec-fetch-mode': 'cors',
      'content-type': 'application/json',
    };
    const res = await post('/people/itapor001ptl', headers, JSON.stringify({ name: 'From the portal', roles: ['end_user'] }));
    assert.deepEqual([res.statusCode, res.body], [200, 'null']);
    // DELETE is always preflighted: nothing to refuse, even without a body.
    const del = await ctx.app.inject({ method: 'DELETE', url: '/pols/ESPGNU777ORG/NOPAGE', headers: { ...asRoot, ...headers } });
    assert.deepEqual([del.statusCode, del.json()], [404, { error: 'Page not found' }]);
  });

  test('a text/plain form from another site is refused, and no account is created', async () => {
    const res = await post('/people/EVILXX001ROO', { origin: 'https://evil.example', 'content-type': 'text/plain' });
    assert.deepEqual(
      [res.statusCode, res.json()],
      [403, { error: 'Cross-site request refused: a cross-site write must be sent as application/json (it was text/plain)' }],
    );
    assert.equal(await exists('EVILXX001ROO'), false);
    for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain;charset=UTF-8']) {
      const again = await post('/people/EVILXX002ROO', { origin: 'https://evil.example', 'content-type': type });
      assert.equal(again.statusCode, 403, type);
    }
    // An opaque origin (a sandboxed frame, a redirect) counts as another site.
    const opaque = await post('/people/EVILXX003ROO', { origin: 'null', 'content-type': 'text/plain' });
    assert.equal(opaque.statusCode, 403);
    assert.equal(await exists('EVILXX002ROO'), false);
    assert.equal(await exists('EVILXX003ROO'), false);
  });

  test('Sec-Fetch-Site cross-site (or same-site) with a body a form can send is refused, Origin or not', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const res = await post('/people/EVILXX004ROO', { 'sec-fetch-site': site, 'sec-fetch-mode': 'cors' });
      assert.deepEqual(
        [res.statusCode, res.json()],
        [
          403,
          { error: 'Cross-site request refused: a cross-site write must be sent as application/json (it was sent without a Content-Type)' },
        ],
      );
    }
    assert.equal(await exists('EVILXX004ROO'), false);
  });

  test('cross-site navigate and no-cors writes are refused whatever their Content-Type', async () => {
    for (const mode of ['navigate', 'no-cors']) {
      const res = await post('/people/EVILXX005ROO', {
        origin: 'https://evil.example',
        'sec-fetch-site': 'cross-site',
        'sec-fetch-mode': mode,
        'content-type': 'application/json',
      });
      assert.deepEqual(
        [res.statusCode, res.json()],
        [403, { error: `Cross-site request refused: a cross-site ${mode} request may not change anything` }],
      );
    }
    assert.equal(await exists('EVILXX005ROO'), false);
  });

  test('the refusal comes before the credentials are checked (no bcrypt work for it)', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/people/EVILXX006ROO',
      headers: { authorization: basic('NOPNOP000NOP', 'guess'), origin: 'https://evil.example', 'content-type': 'text/plain' },
      payload: ROOT_ACCOUNT,
    });
    assert.equal(res.statusCode, 403);
  });

  test('same-origin writes and cross-site reads are untouched', async () => {
    const same = await post(
      '/pols/ESPGNU777ORG/SAMEORIGIN1',
      { origin: 'http://localhost:80', 'content-type': 'text/plain' },
      '{"id":"SAMEORIGIN1"}',
    );
    assert.deepEqual([same.statusCode, same.body], [200, 'null']);
    const fetchMeta = await post(
      '/pols/ESPGNU777ORG/SAMEORIGIN2',
      { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin', 'content-type': 'text/plain' },
      '{"id":"SAMEORIGIN2"}',
    );
    assert.deepEqual([fetchMeta.statusCode, fetchMeta.body], [200, 'null']);
    const read = await ctx.app.inject({
      method: 'GET',
      url: '/login',
      headers: { ...asRoot, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' },
    });
    assert.deepEqual([read.statusCode, read.json()], [200, true]);
  });
});
