// GET /changes: every write of the five resources leaves one change row, read in seq order, scoped to end users.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { insertPerson } from '../../src/store/people.ts';
import { asAna, asCameron, asRoot, eachBackend, useApp } from '../helper.ts';

type Change = Record<string, unknown>;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A change without its time (asserted to be an ISO timestamp) and with its seq relative to `base`. */
function shape(change: Change, base: number): Change {
  assert.match(String(change.time), ISO);
  const { time: _time, seq, ...rest } = change;
  return { at: Number(seq) - base, ...rest };
}

eachBackend('change feed', (backend) => {
  const ctx = useApp(backend);
  const call = (method: string, url: string, headers: Record<string, string>, body?: unknown) =>
    ctx.app.inject({ method: method as 'GET', url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  /** The seq of the latest change: the start of what a test writes. */
  const head = async () => (await call('GET', '/changes?since=0&limit=1000', asRoot)).json<{ next: number }>().next;
  const feed = async (since: number, headers: Record<string, string> = asRoot, query = '') => {
    const res = await call('GET', `/changes?since=${since}${query}`, headers);
    assert.equal(res.statusCode, 200, res.body);
    return res.json<{ changes: Change[]; next: number }>();
  };

  test('the demo data was logged as it was loaded: six creations by "demo"', async () => {
    const { changes, next } = await feed(0);
    assert.deepEqual(
      changes.map((c) => shape(c, 0)),
      [
        { at: 1, resource: 'people', id: 'ITAPYT999HON', person: 'ITAPYT999HON', operation: 'create', actor: 'demo', node: null },
        { at: 2, resource: 'people', id: 'ESPGNU777ORG', person: 'ESPGNU777ORG', operation: 'create', actor: 'demo', node: null },
        { at: 3, resource: 'people', id: 'ARGBUE111FAV', person: 'ARGBUE111FAV', operation: 'create', actor: 'demo', node: null },
        ...changes.slice(3).map((c) => shape(c, 0)),
      ],
    );
    assert.deepEqual(
      changes.slice(3).map((c) => [c.resource, c.person, c.operation]),
      [
        ['pols', 'ESPGNU777ORG', 'create'],
        ['pols', 'ESPGNU777ORG', 'create'],
        ['personal_docs', 'ESPGNU777ORG', 'create'],
      ],
    );
    // At least the last seq: a sequence may jump ahead (PostgreSQL logs 32 values at a time).
    assert.ok(next >= 6, `next ${next}`);
  });

  test('each create, update and delete through the API appends one change: resource, ids, operation, actor, node', async () => {
    const base = await head();
    const page = { id: 'feed-page-1', summary: 'Check-up', creation_info: { user: 'dr', node: 'HOSPITAL-A' } };
    const writes: [string, string, Record<string, string>, unknown?][] = [
      ['POST', '/people/ITAFED001AAA', asCameron, { name: 'Lia', password: 'a long enough secret', creation_info: { node: 'HOSPITAL-A' } }],
      ['PATCH', '/people/ITAFED001AAA', asCameron, { lastname: 'Rossi', modification_info: { node: 'HOSPITAL-B' } }],
      ['POST', '/pols/ITAFED001AAA/feed-page-1', asCameron, page],
      ['PATCH', '/pols/ITAFED001AAA/feed-page-1', asCameron, { summary: 'Check-up, fine' }],
      ['PUT', '/pols/ITAFED001AAA/feed-page-1', asCameron, { ...page, node: 'LAB-1' }],
      ['POST', '/personal_docs/ITAFED001AAA/feed-page-1', asCameron, { id: 'feed-doc-1', name: 'x.txt', document: 'aGk=' }],
      ['DELETE', '/personal_docs/ITAFED001AAA/feed-page-1/feed-doc-1', asRoot],
      ['DELETE', '/pols/ITAFED001AAA/feed-page-1', asRoot],
      ['POST', '/institutions/INST-FEED', asCameron, { name: 'Clinic' }],
      ['PATCH', '/institutions/INST-FEED', asCameron, { beds: 4 }],
      ['DELETE', '/institutions/INST-FEED', asRoot],
      ['POST', '/domiciliary-units/DU-FEED', asCameron, { name: 'Home' }],
      ['PUT', '/domiciliary-units/DU-FEED', asCameron, { name: 'Home, renamed' }],
      ['PATCH', '/people/ITAFED001AAA', asRoot, { active: false }],
      ['DELETE', '/people/ITAFED001AAA', asRoot],
    ];
    for (const [method, url, headers, body] of writes) {
      const res = await call(method, url, headers, body);
      assert.equal(res.statusCode, 200, `${method} ${url}: ${res.body}`);
    }
    const { changes, next } = await feed(base);
    const lia = { person: 'ITAFED001AAA' };
    const cam = 'ITAPYT999HON';
    const root = 'ARGBUE111FAV';
    assert.deepEqual(
      changes.map((c) => shape(c, base)),
      [
        { at: 1, resource: 'people', id: 'ITAFED001AAA', ...lia, operation: 'create', actor: cam, node: 'HOSPITAL-A' },
        { at: 2, resource: 'people', id: 'ITAFED001AAA', ...lia, operation: 'update', actor: cam, node: 'HOSPITAL-B' },
        { at: 3, resource: 'pols', id: 'feed-page-1', ...lia, operation: 'create', actor: cam, node: 'HOSPITAL-A' },
        { at: 4, resource: 'pols', id: 'feed-page-1', ...lia, operation: 'update', actor: cam, node: null },
        { at: 5, resource: 'pols', id: 'feed-page-1', ...lia, operation: 'update', actor: cam, node: 'HOSPITAL-A' },
        { at: 6, resource: 'personal_docs', id: 'feed-doc-1', ...lia, operation: 'create', actor: cam, node: null },
        { at: 7, resource: 'personal_docs', id: 'feed-doc-1', ...lia, operation: 'delete', actor: root, node: null },
        { at: 8, resource: 'pols', id: 'feed-page-1', ...lia, operation: 'delete', actor: root, node: null },
        { at: 9, resource: 'institutions', id: 'INST-FEED', person: null, operation: 'create', actor: cam, node: null },
        { at: 10, resource: 'institutions', id: 'INST-FEED', person: null, operation: 'update', actor: cam, node: null },
        { at: 11, resource: 'institutions', id: 'INST-FEED', person: null, operation: 'delete', actor: root, node: null },
        { at: 12, resource: 'dus', id: 'DU-FEED', person: null, operation: 'create', actor: cam, node: null },
        { at: 13, resource: 'dus', id: 'DU-FEED', person: null, operation: 'update', actor: cam, node: null },
        { at: 14, resource: 'people', id: 'ITAFED001AAA', ...lia, operation: 'update', actor: root, node: null },
        { at: 15, resource: 'people', id: 'ITAFED001AAA', ...lia, operation: 'delete', actor: root, node: null },
      ],
    );
    assert.equal(next, base + 15);
    // Ids and metadata only: never a document, so never a password or its hash.
    assert.doesNotMatch(JSON.stringify(changes), /password|secret|\$2[aby]\$|Check-up/);
  });

  test('a refused write, or a write that changes nothing, leaves no change', async () => {
    const base = await head();
    assert.equal((await call('PATCH', '/people/ESPGNU777ORG', asAna, { roles: ['root'] })).statusCode, 403);
    assert.equal((await call('DELETE', '/people/ESPGNU777ORG', asRoot)).statusCode, 422);
    assert.equal((await call('POST', '/pols/ESPGNU777ORG/x', asAna, { id: 'other' })).statusCode, 422);
    assert.equal((await call('PATCH', '/pols/ESPGNU777ORG/nope', asAna, { summary: 'x' })).statusCode, 404);
    assert.equal((await call('PATCH', '/people/ESPGNU777ORG', asAna, { name: 'Ana' })).statusCode, 200);
    assert.deepEqual(await feed(base), { changes: [], next: base });
  });

  test('a write in a transaction that rolls back leaves no change row', async () => {
    const base = await head();
    await assert.rejects(
      ctx.db.transaction(async (tx) => {
        assert.equal(await insertPerson(tx, { actor: 'test', node: null }, 'ROLLED001BAK', { id: 'ROLLED001BAK' }), true);
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    const rows = await ctx.db.query('SELECT seq FROM changes WHERE id = $1', ['ROLLED001BAK']);
    assert.deepEqual(rows, []);
    assert.deepEqual((await feed(base)).changes, []);
  });

  test('reading from next in small pages never skips nor repeats a change', async () => {
    const base = await head();
    for (let i = 0; i < 7; i++) {
      assert.equal((await call('POST', `/pols/ESPGNU777ORG/paged-${i}`, asAna, { id: `paged-${i}` })).statusCode, 200);
    }
    const seen: string[] = [];
    let since = base;
    for (let round = 0; round < 10; round++) {
      const page = await feed(since, asAna, '&limit=3');
      assert.ok(page.changes.length <= 3);
      seen.push(...page.changes.map((c) => String(c.id)));
      if (page.changes.length === 0) break;
      assert.equal(page.next, page.changes[page.changes.length - 1].seq);
      since = page.next;
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 7 }, (_, i) => `paged-${i}`),
    );
  });

  test('an end user sees only the changes of their own records; global roles see all', async () => {
    const base = await head();
    assert.equal((await call('POST', '/pols/ESPGNU777ORG/mine-1', asAna, { id: 'mine-1' })).statusCode, 200);
    assert.equal((await call('POST', '/pols/ITAPYT999HON/not-hers', asCameron, { id: 'not-hers' })).statusCode, 200);
    assert.equal((await call('POST', '/institutions/INST-SCOPE', asCameron, { name: 'x' })).statusCode, 200);
    const ids = async (headers: Record<string, string>, query = '') => (await feed(base, headers, query)).changes.map((c) => c.id);
    assert.deepEqual(await ids(asAna), ['mine-1']);
    assert.deepEqual(await ids(asCameron), ['mine-1', 'not-hers', 'INST-SCOPE']);
    assert.deepEqual(await ids(asRoot, '&resource=institutions'), ['INST-SCOPE']);
    assert.deepEqual(await ids(asAna, '&resource=institutions'), []);
    // Nothing of hers to see up to the horizon: her cursor still moves past the others' changes.
    const empty = await feed(base + 1, asAna);
    assert.deepEqual(empty, { changes: [], next: base + 3 });
  });

  test('bad queries are 400; no credentials 401', async () => {
    for (const [query, message] of [
      ['since=-1', 'querystring/since must be >= 0'],
      ['since=abc', 'querystring/since must be integer'],
      ['limit=0', 'querystring/limit must be >= 1'],
      ['limit=1001', 'querystring/limit must be <= 1000'],
      ['resource=secrets', 'querystring/resource must be equal to one of the allowed values'],
    ]) {
      const res = await call('GET', `/changes?${query}`, asRoot);
      assert.deepEqual([res.statusCode, res.json()], [400, { error: `Invalid request: ${message}` }], query);
    }
    const anonymous = await call('GET', '/changes', {});
    assert.deepEqual([anonymous.statusCode, anonymous.json()], [401, { error: 'Unauthorized Access' }]);
  });
});

eachBackend('change feed: a roles.cfg without the changes endpoint', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'thalamus-roles-'));
  const roles = join(dir, 'roles.cfg');
  writeFileSync(roles, JSON.stringify([{ role: 'end_user', permissions: { GET: ['login'], global: 'False' } }]));
  const ctx = useApp(backend, { THALAMUS_ROLES: roles });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('GET /changes is 403', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/changes', headers: asAna });
    assert.deepEqual([res.statusCode, res.json()], [403, { error: 'Not permitted: GET changes' }]);
  });
});
