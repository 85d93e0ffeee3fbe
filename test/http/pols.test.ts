// /pols, /events, /encounters and /pols/<person_id>/<page_id>: the Book of Life, scoped by its owner.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asAna, asCameron, asRoot, eachBackend, useApp } from '../helper.ts';
import { ANA_BIRTH, ANA_BIRTH_ID, ANA_CERTIFICATE } from './expected.ts';

const CAMERON_PAGE = { id: 'cameron-page-1', summary: 'Check-up', page_type: 'medical', context: 'encounter' };

eachBackend('pages of life', (backend) => {
  const ctx = useApp(backend);
  const call = (method: string, url: string, headers: Record<string, string>, body?: unknown) =>
    ctx.app.inject({ method: method as 'GET', url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

  test('GET /pols/<person_id> is the Book of Life as one-element arrays, for its owner and global roles', async () => {
    for (const who of [asAna, asCameron]) {
      const res = await call('GET', '/pols/ESPGNU777ORG', who);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), [[ANA_BIRTH], [ANA_CERTIFICATE]]);
    }
    assert.deepEqual((await call('GET', '/events/ESPGNU777ORG', asAna)).json(), [[ANA_BIRTH], [ANA_CERTIFICATE]]);
    assert.deepEqual((await call('GET', '/pols/ESPGNU777ORG?limit=1', asAna)).json(), [[ANA_BIRTH]]);
    const none = await call('GET', '/pols/NOPNOP000NOP', asCameron);
    assert.deepEqual([none.statusCode, none.json()], [200, []]);
  });

  test('GET /pols/<someone else> is 403 for an end user', async () => {
    const res = await call('GET', '/pols/ITAPYT999HON', asAna);
    assert.deepEqual([res.statusCode, res.json()], [403, { error: 'Not permitted: GET book of another person' }]);
  });

  test('POST /pols/<person_id>/<page_id> stores id and book from the URL and answers null', async () => {
    const res = await call('POST', `/pols/ITAPYT999HON/${CAMERON_PAGE.id}`, asCameron, { ...CAMERON_PAGE, book: 'ITAPYT999HON' });
    assert.deepEqual([res.statusCode, res.body], [200, 'null']);
    const read = await call('GET', `/pols/ITAPYT999HON/${CAMERON_PAGE.id}`, asCameron);
    assert.deepEqual(read.json(), { ...CAMERON_PAGE, book: 'ITAPYT999HON' });
    assert.deepEqual((await call('GET', '/encounters/ITAPYT999HON', asCameron)).json(), [[{ ...CAMERON_PAGE, book: 'ITAPYT999HON' }]]);
    assert.deepEqual((await call('GET', '/encounters/ESPGNU777ORG', asAna)).json(), []);
  });

  test("GET /pols/<own id>/<someone else's page> is 404 (the reference served any page by id)", async () => {
    const res = await call('GET', `/pols/ESPGNU777ORG/${CAMERON_PAGE.id}`, asAna);
    assert.deepEqual([res.statusCode, res.json()], [404, { error: 'Book or page or not found' }]);
    const head = await call('HEAD', `/pols/ESPGNU777ORG/${ANA_BIRTH_ID}`, asAna);
    assert.equal(head.statusCode, 200);
  });

  test('POST page: the body must carry the URL page id; unknown person 404; a duplicate in the same book 422', async () => {
    const noId = await call('POST', '/pols/ESPGNU777ORG/new-page', asAna, { summary: 'x' });
    assert.deepEqual([noId.statusCode, noId.json()], [422, { error: 'wrong format on person or page ID' }]);
    const otherId = await call('POST', '/pols/ESPGNU777ORG/new-page', asAna, { id: 'another' });
    assert.deepEqual([otherId.statusCode, otherId.json()], [422, { error: 'wrong format on person or page ID' }]);
    const otherBook = await call('POST', '/pols/ESPGNU777ORG/new-page', asAna, { id: 'new-page', book: 'ITAPYT999HON' });
    assert.deepEqual([otherBook.statusCode, otherBook.json()], [422, { error: 'wrong format on person or page ID' }]);
    const nobody = await call('POST', '/pols/NOPNOP000NOP/new-page', asCameron, { id: 'new-page' });
    assert.deepEqual([nobody.statusCode, nobody.json()], [404, { error: 'Person not found' }]);
    // An id another book holds is answered like a new one: test/http/owned-ids.test.ts.
    const dup = await call('POST', `/pols/ESPGNU777ORG/${ANA_BIRTH_ID}`, asAna, { id: ANA_BIRTH_ID });
    assert.deepEqual([dup.statusCode, dup.json()], [422, { error: 'Page already exists' }]);
  });

  test("PATCH page: merged; someone else's page through your URL is 404; id or book in the body 422", async () => {
    const res = await call('PATCH', `/pols/ESPGNU777ORG/${ANA_BIRTH_ID}`, asAna, { relevance: 'normal' });
    assert.deepEqual([res.statusCode, res.body], [200, 'null']);
    assert.deepEqual((await call('GET', `/pols/ESPGNU777ORG/${ANA_BIRTH_ID}`, asAna)).json(), { ...ANA_BIRTH, relevance: 'normal' });
    const stolen = await call('PATCH', `/pols/ESPGNU777ORG/${CAMERON_PAGE.id}`, asAna, { summary: 'mine now' });
    assert.deepEqual([stolen.statusCode, stolen.json()], [404, { error: 'Page not found' }]);
    assert.equal((await call('GET', `/pols/ITAPYT999HON/${CAMERON_PAGE.id}`, asCameron)).json<{ summary?: unknown }>().summary, 'Check-up');
    const id = await call('PATCH', `/pols/ESPGNU777ORG/${ANA_BIRTH_ID}`, asAna, { id: 'x' });
    assert.deepEqual([id.statusCode, id.json()], [422, { error: 'Not allowed to change the page ID' }]);
    const book = await call('PATCH', `/pols/ESPGNU777ORG/${ANA_BIRTH_ID}`, asAna, { book: 'ITAPYT999HON' });
    assert.deepEqual([book.statusCode, book.json()], [422, { error: 'Not allowed to move the page to another book' }]);
  });

  test('PUT page replaces the whole document under the same id and book', async () => {
    const res = await call('PUT', `/pols/ITAPYT999HON/${CAMERON_PAGE.id}`, asCameron, { summary: 'Replaced' });
    assert.deepEqual([res.statusCode, res.body], [200, 'null']);
    assert.deepEqual((await call('GET', `/pols/ITAPYT999HON/${CAMERON_PAGE.id}`, asCameron)).json(), {
      summary: 'Replaced',
      id: CAMERON_PAGE.id,
      book: 'ITAPYT999HON',
    });
    const other = await call('PUT', `/pols/ITAPYT999HON/${CAMERON_PAGE.id}`, asCameron, { id: 'other' });
    assert.deepEqual([other.statusCode, other.json()], [422, { error: 'Not allowed to change the page ID' }]);
    const stolen = await call('PUT', `/pols/ESPGNU777ORG/${CAMERON_PAGE.id}`, asAna, {});
    assert.deepEqual([stolen.statusCode, stolen.json()], [404, { error: 'Page not found' }]);
  });

  test('DELETE page: root only; a page with documents is kept until they are deleted', async () => {
    const ana = await call('DELETE', `/pols/ESPGNU777ORG/${ANA_BIRTH_ID}`, asAna);
    assert.deepEqual([ana.statusCode, ana.json()], [403, { error: 'Not permitted: DELETE page' }]);
    const withDocs = await call('DELETE', `/pols/ESPGNU777ORG/${ANA_BIRTH_ID}`, asRoot);
    assert.deepEqual(
      [withDocs.statusCode, withDocs.json()],
      [422, { error: 'The page still has 1 personal documents; delete them first' }],
    );
    const wrongBook = await call('DELETE', `/pols/ESPGNU777ORG/${CAMERON_PAGE.id}`, asRoot);
    assert.deepEqual([wrongBook.statusCode, wrongBook.json()], [404, { error: 'Page not found' }]);
    const gone = await call('DELETE', `/pols/ITAPYT999HON/${CAMERON_PAGE.id}`, asRoot);
    assert.deepEqual([gone.statusCode, gone.body], [200, 'null']);
    assert.equal((await call('GET', `/pols/ITAPYT999HON/${CAMERON_PAGE.id}`, asRoot)).statusCode, 404);
  });
});
