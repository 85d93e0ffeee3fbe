// The book cache: a Book of Life is served from memory only while its version is unchanged, whoever wrote.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asAna, asCameron, asRoot, eachBackend, useApp } from '../helper.ts';
import { ANA_BIRTH, ANA_CERTIFICATE } from './expected.ts';

const ANA = 'ESPGNU777ORG';
const VISIT = { id: 'zz-ana-visit-1', book: ANA, summary: 'Follow-up', page_type: 'medical', medical_context: 'encounter' };

eachBackend('book cache', (backend) => {
  const ctx = useApp(backend);
  const get = async (url: string, headers = asAna) => {
    const res = await ctx.app.inject({ method: 'GET', url, headers });
    assert.equal(res.statusCode, 200, res.body);
    return res.json<unknown>();
  };
  const version = async (book: string) =>
    (await ctx.db.query<{ v: string }>('SELECT version::text AS v FROM book_versions WHERE book = $1', [book]))[0]?.v;

  test('a read leaves the rendered book in the cache under the version read with the credentials', async () => {
    assert.deepEqual(await get(`/pols/${ANA}`), [[ANA_BIRTH], [ANA_CERTIFICATE]]);
    const current = await version(ANA);
    assert.ok(current);
    assert.deepEqual(JSON.parse(ctx.app.bookCache.get(ANA, 'book', current)!), [[ANA_BIRTH], [ANA_CERTIFICATE]]);
    assert.deepEqual(await get(`/pols/${ANA}`), [[ANA_BIRTH], [ANA_CERTIFICATE]]);
  });

  test('writes through the API show on the next read: POST, PATCH, DELETE', async () => {
    await get(`/pols/${ANA}`);
    const post = await ctx.app.inject({ method: 'POST', url: `/pols/${ANA}/${VISIT.id}`, headers: asAna, payload: JSON.stringify(VISIT) });
    assert.equal(post.statusCode, 200);
    assert.deepEqual(await get(`/pols/${ANA}`), [[ANA_BIRTH], [ANA_CERTIFICATE], [VISIT]]);
    assert.deepEqual(await get(`/encounters/${ANA}`), [[VISIT]]);

    const patch = await ctx.app.inject({
      method: 'PATCH',
      url: `/pols/${ANA}/${VISIT.id}`,
      headers: asAna,
      payload: '{"summary":"Seen again"}',
    });
    assert.equal(patch.statusCode, 200);
    assert.deepEqual(await get(`/pols/${ANA}`), [[ANA_BIRTH], [ANA_CERTIFICATE], [{ ...VISIT, summary: 'Seen again' }]]);
    assert.deepEqual(await get(`/encounters/${ANA}`), [[{ ...VISIT, summary: 'Seen again' }]]);

    const del = await ctx.app.inject({ method: 'DELETE', url: `/pols/${ANA}/${VISIT.id}`, headers: asRoot });
    assert.equal(del.statusCode, 200, del.body);
    assert.deepEqual(await get(`/pols/${ANA}`), [[ANA_BIRTH], [ANA_CERTIFICATE]]);
    assert.deepEqual(await get(`/encounters/${ANA}`), []);
  });

  test('a write made straight in the database (another instance, the reference server, psql) shows on the next read', async () => {
    assert.deepEqual(await get(`/pols/${ANA}`), [[ANA_BIRTH], [ANA_CERTIFICATE]]);
    assert.deepEqual(await get(`/pols/${ANA}`, asCameron), [[ANA_BIRTH], [ANA_CERTIFICATE]]);
    await ctx.db.query('UPDATE pols SET data = data || \'{"summary": "Corrected by a node"}\' WHERE id = $1', [ANA_BIRTH.id]);
    const corrected = [[{ ...ANA_BIRTH, summary: 'Corrected by a node' }], [ANA_CERTIFICATE]];
    assert.deepEqual(await get(`/pols/${ANA}`), corrected);
    // Cameron reads Ana's book as a health professional: the version is the book's, not the caller's.
    assert.deepEqual(await get(`/pols/${ANA}`, asCameron), corrected);
    await ctx.db.query('UPDATE pols SET data = $2::jsonb WHERE id = $1', [ANA_BIRTH.id, JSON.stringify(ANA_BIRTH)]);
    assert.deepEqual(await get(`/pols/${ANA}`, asCameron), [[ANA_BIRTH], [ANA_CERTIFICATE]]);
  });

  test('a page moved to another book in SQL leaves the first book and appears in the second', async () => {
    await get(`/pols/${ANA}`);
    await get('/pols/ITAPYT999HON', asCameron);
    await ctx.db.query("UPDATE pols SET book = 'ITAPYT999HON' WHERE id = $1", [ANA_CERTIFICATE.id]);
    try {
      assert.deepEqual(await get(`/pols/${ANA}`), [[ANA_BIRTH]]);
      assert.deepEqual(await get('/pols/ITAPYT999HON', asCameron), [[ANA_CERTIFICATE]]);
    } finally {
      await ctx.db.query('UPDATE pols SET book = $2 WHERE id = $1', [ANA_CERTIFICATE.id, ANA]);
    }
    assert.deepEqual(await get(`/pols/${ANA}`), [[ANA_BIRTH], [ANA_CERTIFICATE]]);
  });

  test('paged and resumed reads (?limit, ?after) are never served from the cache', async () => {
    await get(`/pols/${ANA}`);
    assert.deepEqual(await get(`/pols/${ANA}?limit=1`), [[ANA_BIRTH]]);
    assert.deepEqual(await get(`/pols/${ANA}?after=${encodeURIComponent(ANA_BIRTH.id)}`), [[ANA_CERTIFICATE]]);
  });
});

eachBackend('book cache turned off', (backend) => {
  const ctx = useApp(backend, { THALAMUS_BOOK_CACHE_MB: '0' });
  test('THALAMUS_BOOK_CACHE_MB=0 keeps nothing and reads every book from the database', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/pols/${ANA}`, headers: asAna });
    assert.deepEqual([res.statusCode, res.json()], [200, [[ANA_BIRTH], [ANA_CERTIFICATE]]]);
    const [{ v }] = await ctx.db.query<{ v: string }>('SELECT version::text AS v FROM book_versions WHERE book = $1', [ANA]);
    assert.equal(ctx.app.bookCache.get(ANA, 'book', v), undefined);
  });
});
