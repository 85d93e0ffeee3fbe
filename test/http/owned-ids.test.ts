// A page or document id another person already holds is answered as a new id is, and the page or document then works like any other.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { migrate } from '../../src/db/migrate.ts';
import { cli } from '../cli/cli-io.ts';
import { asAna, asCameron, asRoot, eachBackend, freshDb, testConfig, useApp } from '../helper.ts';
import { ANA_BIRTH_ID } from './expected.ts';

const ANA = 'ESPGNU777ORG';
const CAMERON = 'ITAPYT999HON';
const TAKEN = 'taken-page-1';
const FRESH = 'fresh-page-1';
const STORED_AS = `.${TAKEN}.${ANA}`;
const page = (id: string, summary: string) => ({
  id,
  page_type: 'medical',
  medical_context: 'health_condition',
  health_condition_code: 'J45',
  health_condition_text: 'Asthma',
  summary,
});
const PNG = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');

/** An answer as a client sees it, without what differs between any two answers (the time, the request id). */
function answer(res: LightMyRequestResponse) {
  const { date: _date, 'x-request-id': _requestId, ...headers } = res.headers;
  return { status: res.statusCode, headers, body: res.body };
}

eachBackend('ids held in another book', (backend) => {
  const ctx = useApp(backend);
  const call = (method: string, url: string, headers: Record<string, string>, body?: unknown) =>
    ctx.app.inject({ method: method as 'GET', url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  const read = async (url: string, headers: Record<string, string>): Promise<[number, unknown]> => {
    const res = await call('GET', url, headers);
    return [res.statusCode, res.json<unknown>()];
  };

  test('POST of a page id held in another book answers exactly as a fresh id does', async () => {
    assert.equal((await call('POST', `/pols/${CAMERON}/${TAKEN}`, asCameron, page(TAKEN, 'Cameron'))).statusCode, 200);
    const before = await call('GET', `/pols/${ANA}`, asAna);
    assert.equal(before.json<unknown[]>().length, 2);

    const taken = await call('POST', `/pols/${ANA}/${TAKEN}`, asAna, page(TAKEN, 'Ana'));
    const fresh = await call('POST', `/pols/${ANA}/${FRESH}`, asAna, page(FRESH, 'Ana'));
    assert.deepEqual(answer(taken), answer(fresh));
    assert.deepEqual([taken.statusCode, taken.body], [200, 'null']);

    // A second POST of either id into this book is the same duplicate.
    const again = await call('POST', `/pols/${ANA}/${TAKEN}`, asAna, page(TAKEN, 'Ana'));
    const againFresh = await call('POST', `/pols/${ANA}/${FRESH}`, asAna, page(FRESH, 'Ana'));
    assert.deepEqual(answer(again), answer(againFresh));
    assert.deepEqual([again.statusCode, again.json()], [422, { error: 'Page already exists' }]);

    // Each book holds its own page under that id.
    assert.deepEqual(await read(`/pols/${ANA}/${TAKEN}`, asAna), [200, { ...page(TAKEN, 'Ana'), book: ANA }]);
    assert.deepEqual(await read(`/pols/${CAMERON}/${TAKEN}`, asCameron), [200, { ...page(TAKEN, 'Cameron'), book: CAMERON }]);
    const stored = await ctx.db.query<{ id: string; book: string }>('SELECT id, book FROM pols WHERE id LIKE $1 ORDER BY id', [
      `%${TAKEN}%`,
    ]);
    assert.deepEqual(stored, [
      { id: STORED_AS, book: ANA },
      { id: TAKEN, book: CAMERON },
    ]);
  });

  test('the book lists the page in page id order, pages by page id, and the cache sees it', async () => {
    const ids = (res: LightMyRequestResponse) => res.json<[{ id: string }][]>().map(([p]) => p.id);
    const whole = await call('GET', `/pols/${ANA}`, asAna);
    assert.deepEqual(ids(whole), [ANA_BIRTH_ID, 'c41d7e9a-2b6f-4f8e-8a53-7e0d1c2b3a02', FRESH, TAKEN]);
    assert.deepEqual(ids(await call('GET', `/events/${ANA}`, asAna)), ids(whole));
    const first = await call('GET', `/pols/${ANA}?limit=3`, asAna);
    assert.equal(first.headers.link, `</pols/${ANA}?limit=3&after=${FRESH}>; rel="next"`);
    const next = await call('GET', `/pols/${ANA}?limit=3&after=${FRESH}`, asAna);
    assert.deepEqual([ids(next), next.headers.link], [[TAKEN], undefined]);
    assert.deepEqual((await call('GET', `/pols/${ANA}?limit=3&after=${TAKEN}`, asAna)).json(), []);
  });

  test('GET, PATCH, PUT and DELETE reach only the page of the book in the URL', async () => {
    const got = await call('GET', `/pols/${ANA}/${TAKEN}`, asAna);
    const patched = await call('PATCH', `/pols/${ANA}/${TAKEN}`, { ...asAna, 'if-match': String(got.headers.etag) }, { relevance: 'high' });
    assert.deepEqual([patched.statusCode, patched.body], [200, 'null']);
    const replaced = await call('PUT', `/pols/${ANA}/${TAKEN}`, asAna, { ...page(TAKEN, 'Ana again'), relevance: 'high' });
    assert.deepEqual([replaced.statusCode, replaced.body], [200, 'null']);
    assert.deepEqual(await read(`/pols/${ANA}/${TAKEN}`, asAna), [200, { ...page(TAKEN, 'Ana again'), relevance: 'high', book: ANA }]);
    assert.deepEqual(await read(`/pols/${CAMERON}/${TAKEN}`, asCameron), [200, { ...page(TAKEN, 'Cameron'), book: CAMERON }]);

    // The row id it is stored under is no address: it answers as any unknown page.
    assert.deepEqual(await read(`/pols/${ANA}/${encodeURIComponent(STORED_AS)}`, asAna), [404, { error: 'Book or page or not found' }]);
    assert.deepEqual(await read(`/pols/${ANA}/nothing-here`, asAna), [404, { error: 'Book or page or not found' }]);

    const other = await call('POST', `/pols/${CAMERON}/gone-page-1`, asCameron, page('gone-page-1', 'Cameron'));
    assert.equal(other.statusCode, 200);
    assert.equal((await call('POST', `/pols/${ANA}/gone-page-1`, asAna, page('gone-page-1', 'Ana'))).statusCode, 200);
    assert.deepEqual([(await call('DELETE', `/pols/${ANA}/gone-page-1`, asRoot)).statusCode], [200]);
    assert.deepEqual(await read(`/pols/${ANA}/gone-page-1`, asAna), [404, { error: 'Book or page or not found' }]);
    assert.deepEqual(await read(`/pols/${CAMERON}/gone-page-1`, asCameron), [200, { ...page('gone-page-1', 'Cameron'), book: CAMERON }]);
    // Gone from Ana's book, the id can be hers again.
    assert.equal((await call('POST', `/pols/${ANA}/gone-page-1`, asAna, page('gone-page-1', 'Ana'))).statusCode, 200);
  });

  test('a document id held by another person answers as a fresh one; its page keeps it until it is deleted', async () => {
    const doc = (id: string) => ({ id, name: 'scan.png', document: PNG });
    assert.equal((await call('POST', `/personal_docs/${CAMERON}/${TAKEN}`, asCameron, doc('taken-doc-1'))).statusCode, 200);
    const taken = await call('POST', `/personal_docs/${ANA}/${TAKEN}`, asAna, doc('taken-doc-1'));
    const fresh = await call('POST', `/personal_docs/${ANA}/${TAKEN}`, asAna, doc('fresh-doc-1'));
    const { location: takenAt, ...takenRest } = answer(taken).headers;
    const { location: freshAt, ...freshRest } = answer(fresh).headers;
    assert.deepEqual([taken.statusCode, taken.body, takenRest], [fresh.statusCode, fresh.body, freshRest]);
    assert.deepEqual([takenAt, freshAt], [`/personal_docs/${ANA}/${TAKEN}/taken-doc-1`, `/personal_docs/${ANA}/${TAKEN}/fresh-doc-1`]);
    const dup = await call('POST', `/personal_docs/${ANA}/${TAKEN}`, asAna, doc('taken-doc-1'));
    assert.deepEqual([dup.statusCode, dup.json()], [422, { error: 'Document already exists' }]);

    const listed = await call('GET', `/personal_docs/${ANA}/${TAKEN}`, asAna);
    const meta = listed
      .json<[{ id: string; pol: string; fedacct: string; size: number }][]>()
      .map(([d]) => [d.id, d.pol, d.fedacct, d.size]);
    assert.deepEqual(meta, [
      ['fresh-doc-1', TAKEN, ANA, 8],
      ['taken-doc-1', TAKEN, ANA, 8],
    ]);
    const bytes = await call('GET', `/personal_docs/${ANA}/${TAKEN}/taken-doc-1`, asAna);
    assert.deepEqual([bytes.statusCode, bytes.rawPayload.toString('base64')], [200, PNG]);
    assert.equal((await call('GET', `/personal_docs/${CAMERON}/${TAKEN}`, asCameron)).json<unknown[]>().length, 1);

    const kept = await call('DELETE', `/pols/${ANA}/${TAKEN}`, asRoot);
    assert.deepEqual([kept.statusCode, kept.json()], [422, { error: 'The page still has 2 personal documents; delete them first' }]);
    assert.equal((await call('DELETE', `/personal_docs/${ANA}/${TAKEN}/taken-doc-1`, asRoot)).statusCode, 200);
    assert.deepEqual(await read(`/personal_docs/${ANA}/${TAKEN}/taken-doc-1`, asAna), [404, { error: 'Document not found' }]);
    assert.equal((await call('GET', `/personal_docs/${CAMERON}/${TAKEN}/taken-doc-1`, asCameron)).statusCode, 200);
  });

  test('two POSTs of a taken id into one book at once: one page, one duplicate', async () => {
    assert.equal((await call('POST', `/pols/${CAMERON}/race-page-1`, asCameron, page('race-page-1', 'Cameron'))).statusCode, 200);
    const answers = await Promise.all([1, 2].map(() => call('POST', `/pols/${ANA}/race-page-1`, asAna, page('race-page-1', 'Ana'))));
    assert.deepEqual(answers.map((r) => r.statusCode).sort(), [200, 422]);
    const rows = await ctx.db.query('SELECT id FROM pols WHERE book = $1 AND data->>$2 = $3', [ANA, 'id', 'race-page-1']);
    assert.equal(rows.length, 1);
  });

  test('pages arriving together: a taken id is written in the same transaction as the new ones', async () => {
    assert.equal((await call('POST', `/pols/${CAMERON}/batch-taken-1`, asCameron, page('batch-taken-1', 'Cameron'))).statusCode, 200);
    const ids = ['batch-fresh-1', 'batch-taken-1', 'batch-fresh-2'];
    const answers = await Promise.all(ids.map((id) => call('POST', `/pols/${ANA}/${id}`, asAna, page(id, 'Ana'))));
    assert.deepEqual(
      answers.map((r) => answer(r)),
      ids.map(() => answer(answers[0])),
    );
    assert.deepEqual([answers[0].statusCode, answers[0].body], [200, 'null']);
    const rows = await ctx.db.query<{ id: string; tx: string }>(
      `SELECT id, xmin::text AS tx FROM pols WHERE book = $1 AND data->>'id' LIKE 'batch-%' ORDER BY id`,
      [ANA],
    );
    assert.deepEqual(
      rows.map((r) => r.id),
      ['.batch-taken-1.ESPGNU777ORG', 'batch-fresh-1', 'batch-fresh-2'],
    );
    assert.equal(new Set(rows.map((r) => r.tx)).size, 1);
    const changes = await ctx.db.query<{ actor: string }>(`SELECT actor FROM changes WHERE id = $1`, ['.batch-taken-1.ESPGNU777ORG']);
    assert.deepEqual(changes, [{ actor: ANA }]);
    // Together again: each is now a duplicate in this book, answered alike.
    const again = await Promise.all(ids.map((id) => call('POST', `/pols/${ANA}/${id}`, asAna, page(id, 'Ana'))));
    assert.deepEqual(
      again.map((r) => [r.statusCode, r.json<{ error: string }>().error]),
      ids.map(() => [422, 'Page already exists']),
    );
  });

  test('the change feed names the page and document by their ids, never the row id', async () => {
    const res = await call('GET', '/changes?since=0&limit=1000', asAna);
    const changes = res.json<{ changes: { resource: string; id: string; person: string; operation: string }[] }>().changes;
    const mine = changes.filter((c) => c.id === TAKEN || c.id === 'taken-doc-1');
    assert.deepEqual(
      mine.map((c) => [c.resource, c.id, c.person, c.operation]),
      [
        ['pols', TAKEN, ANA, 'create'],
        ['pols', TAKEN, ANA, 'update'],
        ['pols', TAKEN, ANA, 'update'],
        ['personal_docs', 'taken-doc-1', ANA, 'create'],
        ['personal_docs', 'taken-doc-1', ANA, 'delete'],
      ],
    );
    assert.equal(
      changes.some((c) => c.id.startsWith('.')),
      false,
    );
  });

  test('FHIR shows both pages, each under its own book; the later one under the id it is stored as', async () => {
    const fhir = (url: string, headers: Record<string, string>) => call('GET', url, headers);
    const search = await fhir(`/fhir/Condition?patient=${ANA}`, asAna);
    assert.equal(search.statusCode, 200);
    const conditions = search
      .json<{ entry: { resource: { id: string; identifier: { value: string }[]; subject: { reference: string } } }[] }>()
      .entry.map((e) => [e.resource.id, e.resource.identifier[0].value, e.resource.subject.reference]);
    assert.deepEqual(
      conditions.filter(([id]) => id.includes(TAKEN)),
      [[STORED_AS, TAKEN, `Patient/${ANA}`]],
    );
    const own = await fhir(`/fhir/Condition/${STORED_AS}`, asAna);
    assert.equal(own.statusCode, 200);
    const his = await fhir(`/fhir/Condition/${TAKEN}`, asCameron);
    assert.deepEqual([his.statusCode, his.json<{ subject: { reference: string } }>().subject.reference], [200, `Patient/${CAMERON}`]);
    assert.equal((await fhir(`/fhir/Condition/${TAKEN}`, asAna)).statusCode, 404);

    const docs = await fhir(`/fhir/DocumentReference?patient=${ANA}`, asAna);
    const urls = docs
      .json<{ entry: { resource: { id: string; content: { attachment: { url?: string } }[] } }[] }>()
      .entry.map((e) => [e.resource.id, e.resource.content[0].attachment.url]);
    const [[, url]] = urls.filter(([id]) => id === 'fresh-doc-1');
    assert.match(String(url), new RegExp(`/personal_docs/${ANA}/${TAKEN}/fresh-doc-1$`));
  });

  test('export and import carry both pages over, each still in its own book', async () => {
    const exported = await cli(['export'], { db: ctx.db });
    assert.equal(exported.code, 0);
    const target = await freshDb(backend);
    try {
      await migrate(target);
      const imported = await cli(['import', '-'], { db: target, stdin: exported.raw });
      assert.equal(imported.code, 0, imported.stderr);
      const app = await buildApp({ config: testConfig(), db: target, logger: false });
      try {
        const get = async (url: string, headers: Record<string, string>) =>
          (await app.inject({ method: 'GET', url, headers })).json<unknown>();
        assert.deepEqual(await get(`/pols/${ANA}/${TAKEN}`, asAna), (await call('GET', `/pols/${ANA}/${TAKEN}`, asAna)).json());
        assert.deepEqual(
          await get(`/pols/${CAMERON}/${TAKEN}`, asCameron),
          (await call('GET', `/pols/${CAMERON}/${TAKEN}`, asCameron)).json(),
        );
        assert.deepEqual(await get(`/pols/${ANA}`, asAna), (await call('GET', `/pols/${ANA}`, asAna)).json());
      } finally {
        await app.close();
      }
    } finally {
      await target.close();
    }
  });
});
