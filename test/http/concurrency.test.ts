// Atomic merges (50 concurrent PATCHes of different keys all land) and optimistic concurrency: ETag, If-None-Match (304), If-Match (412).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asAna, asRoot, eachBackend, useApp } from '../helper.ts';

eachBackend('concurrent writers', (backend) => {
  const ctx = useApp(backend);
  const inject = (method: string, url: string, headers: Record<string, string>, payload?: unknown) =>
    ctx.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }) });

  for (const [what, url, headers] of [
    ['person', '/people/ESPGNU777ORG', asAna],
    ['page', '/pols/ESPGNU777ORG/a8f2e2b4-5e0b-4c2e-9d1c-3f6b8f9a0b01', asAna],
  ] as const) {
    test(`50 concurrent PATCHes of different keys of one ${what} all land`, async () => {
      const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => inject('PATCH', url, headers, { [`key_${i}`]: i })));
      assert.deepEqual(
        answers.map((r) => r.statusCode),
        answers.map(() => 200),
      );
      const stored = (await inject('GET', url, headers)).json<Record<string, unknown>>();
      for (let i = 0; i < 50; i++) assert.equal(stored[`key_${i}`], i, `key_${i}`);
    });
  }

  for (const [what, url, headers, change] of [
    ['person', '/people/ESPGNU777ORG', asRoot, { profession: 'nurse' }],
    ['page', '/pols/ESPGNU777ORG/c41d7e9a-2b6f-4f8e-8a53-7e0d1c2b3a02', asRoot, { summary: 'edited' }],
    ['institution', '/institutions/etag-inst', asRoot, { name: 'Edited' }],
    ['domiciliary unit', '/domiciliary-units/etag-du', asRoot, { address: 'Edited' }],
  ] as const) {
    test(`${what}: ETag on read, 304 for If-None-Match, 412 for a stale If-Match on PATCH, PUT and DELETE`, async () => {
      if (what === 'institution' || what === 'domiciliary unit') {
        assert.equal((await inject('POST', url, asRoot, { name: 'Original' })).statusCode, 200);
      }
      const first = await inject('GET', url, headers);
      const etag = first.headers.etag as string;
      assert.match(etag, /^"[0-9a-f]{32}"$/);
      const again = await inject('GET', url, { ...headers, 'if-none-match': etag });
      assert.deepEqual([again.statusCode, again.body, again.headers.etag], [304, '', etag]);
      assert.equal((await inject('GET', url, { ...headers, 'if-none-match': `W/${etag}, "other"` })).statusCode, 304);
      assert.equal((await inject('GET', url, { ...headers, 'if-none-match': '"other"' })).statusCode, 200);

      const changed = await inject('PATCH', url, { ...headers, 'if-match': etag }, change);
      assert.deepEqual([changed.statusCode, changed.body], [200, 'null']);
      const current = (await inject('GET', url, headers)).headers.etag as string;
      assert.notEqual(current, etag);

      const stale = { error: 'The record has changed since it was read (If-Match does not match its ETag); read it again' };
      for (const method of ['PATCH', 'PUT', 'DELETE']) {
        const res = await inject(method, url, { ...headers, 'if-match': etag }, method === 'DELETE' ? undefined : { other: 1 });
        assert.deepEqual([res.statusCode, res.json(), res.headers.etag], [412, stale, current], method);
      }
      assert.deepEqual((await inject('GET', url, headers)).headers.etag, current, 'nothing was written');
      // Without If-Match, as before: the write lands.
      assert.equal((await inject('PATCH', url, headers, { last: true })).statusCode, 200);
      assert.equal((await inject('PATCH', url, { ...headers, 'if-match': '*' }, { star: true })).statusCode, 200);
    });
  }
});
