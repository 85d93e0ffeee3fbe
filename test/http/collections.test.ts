// Large collections: GET /people streamed in keyset batches, and walked page by page through Link headers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asRoot, eachBackend, useApp } from '../helper.ts';

const EXTRA = 2500;

eachBackend('large collections', (backend) => {
  const ctx = useApp(backend);

  test('GET /people streams every person of a large index, in order, without passwords', async () => {
    await ctx.db.query(
      `INSERT INTO people (id, data)
       SELECT 'TST' || lpad(n::text, 9, '0'), jsonb_build_object('id', 'TST' || lpad(n::text, 9, '0'), 'name', 'P' || n, 'password', '$2b$12$x')
       FROM generate_series(1, $1::int) AS n`,
      [EXTRA],
    );
    const res = await ctx.app.inject({ method: 'GET', url: '/people', headers: asRoot });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], undefined, 'streamed, not buffered');
    const people = res.json<[Record<string, unknown>][]>();
    assert.equal(people.length, EXTRA + 3);
    assert.ok(people.every((p) => p.length === 1 && !('password' in p[0])));
    const ids = people.map((p) => p[0].id as string);
    assert.deepEqual(ids, [...ids].sort());
    assert.deepEqual(people[3], [{ id: 'TST000000001', name: 'P1' }]);
  });

  test('following Link rel="next" visits every person exactly once', async () => {
    let url: string | null = '/people?limit=1000';
    const seen: string[] = [];
    while (url) {
      const res: { statusCode: number; json: () => unknown; headers: Record<string, unknown> } = await ctx.app.inject({
        method: 'GET',
        url,
        headers: asRoot,
      });
      assert.equal(res.statusCode, 200);
      seen.push(...(res.json() as [{ id: string }][]).map((p) => p[0].id));
      const link = res.headers.link as string | undefined;
      url = link ? (/^<([^>]+)>; rel="next"$/.exec(link) as RegExpExecArray)[1] : null;
    }
    assert.equal(seen.length, EXTRA + 3);
    assert.equal(new Set(seen).size, seen.length);
  });
});
