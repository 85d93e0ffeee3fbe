// Group commit of page writes (src/resources/page-inserts.ts): pages that arrive together share a transaction, and each still gets its own answer, change and audit entry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANA, asAna, asCameron, CAMERON, eachBackend, useApp } from '../helper.ts';
import { ANA_BIRTH_ID } from './expected.ts';

eachBackend('page writes arriving together', (backend) => {
  const ctx = useApp(backend);
  const post = (url: string, headers: Record<string, string>, body: unknown) =>
    ctx.app.inject({ method: 'POST', url, headers, payload: JSON.stringify(body) });

  test('are committed together, each answered alone: created, duplicate, taken, no such person', async () => {
    const fresh = Array.from({ length: 24 }, (_, i) => ({
      id: `gc-${i}`,
      by: i % 2 ? CAMERON.id : ANA.id,
      node: i % 3 ? null : `node-${i}`,
    }));
    const before = await ctx.db.query<{ version: string }>('SELECT version::text FROM book_versions WHERE book = $1', [ANA.id]);
    const answers = await Promise.all([
      ...fresh.map(({ id, by, node }) =>
        post(`/pols/${ANA.id}/${id}`, by === ANA.id ? asAna : asCameron, {
          id,
          summary: `page ${id}`,
          ...(node ? { creation_info: { user: by, node } } : {}),
        }),
      ),
      post(`/pols/${ANA.id}/gc-0`, asCameron, { id: 'gc-0', summary: 'the same id again' }),
      post(`/pols/${ANA.id}/${ANA_BIRTH_ID}`, asAna, { id: ANA_BIRTH_ID }),
      post('/pols/NOPNOP000NOP/gc-nobody', asCameron, { id: 'gc-nobody' }),
    ]);
    // An error body may also carry the request's id (request_id), which says nothing of the write.
    const answer = (res: (typeof answers)[number]) => {
      const body = res.json<Record<string, unknown> | null>();
      if (body === null) return [res.statusCode, body];
      const { request_id: _id, ...rest } = body;
      return [res.statusCode, rest];
    };
    assert.deepEqual(answers.map(answer), [
      ...fresh.map(() => [200, null]),
      [422, { error: 'Page already exists' }],
      [422, { error: 'Page already exists' }],
      [404, { error: 'Person not found' }],
    ]);

    // Shared transactions: fewer transaction ids than pages (PostgreSQL's xmin names the inserting one).
    const xids = await ctx.db.query<{ n: string }>(`SELECT count(DISTINCT xmin::text) AS n FROM pols WHERE id LIKE 'gc-%'`);
    assert.ok(Number(xids[0].n) < fresh.length, `${xids[0].n} transactions for ${fresh.length} pages`);

    const pages = await ctx.db.query<{ id: string; summary: string }>(
      `SELECT id, data->>'summary' AS summary FROM pols WHERE book = $1 AND id LIKE 'gc-%' ORDER BY id`,
      [ANA.id],
    );
    assert.deepEqual(
      pages,
      fresh.map(({ id }) => ({ id, summary: `page ${id}` })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    );

    // Each change names its own caller and node, however the pages were grouped.
    const changes = await ctx.db.query<{ id: string; operation: string; actor: string; node: string | null }>(
      `SELECT id, operation, actor, node FROM changes WHERE resource = 'pols' AND id LIKE 'gc-%' ORDER BY id`,
    );
    assert.deepEqual(
      changes,
      fresh.map(({ id, by, node }) => ({ id, operation: 'create', actor: by, node })).sort((a, b) => (a.id < b.id ? -1 : 1)),
    );

    // One audit entry per written page, by its caller; the refusals are audited too, once each.
    await ctx.app.audit.flush();
    const audit = await ctx.db.query<{ resource_id: string; actor: string; outcome: string; status: number }>(
      `SELECT resource_id, actor, outcome, status FROM audit_log WHERE action = 'create' AND resource_id LIKE 'gc-%' ORDER BY resource_id, status`,
    );
    assert.deepEqual(
      audit,
      [
        ...fresh.map(({ id, by }) => ({ resource_id: id, actor: by, outcome: 'success', status: 200 })),
        { resource_id: 'gc-0', actor: CAMERON.id, outcome: 'failed', status: 422 },
        { resource_id: 'gc-nobody', actor: CAMERON.id, outcome: 'failed', status: 404 },
      ].sort((a, b) => (a.resource_id < b.resource_id ? -1 : a.resource_id > b.resource_id ? 1 : a.status - b.status)),
    );

    // The book's version moved, so no cache serves the book as it was.
    const after = await ctx.db.query<{ version: string }>('SELECT version::text FROM book_versions WHERE book = $1', [ANA.id]);
    assert.notEqual(after[0].version, before[0].version);
    const book = await ctx.app.inject({ method: 'GET', url: `/pols/${ANA.id}`, headers: asAna });
    const ids = book.json<{ id: string }[][]>().map(([page]) => page.id);
    assert.deepEqual(
      fresh.filter(({ id }) => !ids.includes(id)),
      [],
    );
  });
});
