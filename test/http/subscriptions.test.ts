// POST/GET/DELETE /subscriptions and replay: the webhook subscriptions' API, its checks and who sees what.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asAna, asCameron, asRoot, eachBackend, useApp } from '../helper.ts';

type Json = Record<string, unknown>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SECRET = 'a-shared-secret-of-some-length';

eachBackend('webhook subscriptions', (backend) => {
  // No receiver listens at these URLs; no delivery is awaited here.
  const ctx = useApp(backend, { THALAMUS_WEBHOOK_RETRY_MS: '3600000' });
  const call = (method: string, url: string, headers: Record<string, string>, body?: unknown) =>
    ctx.app.inject({ method: method as 'GET', url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  const head = async () => (await call('GET', '/changes?limit=1000', asRoot)).json<{ next: number }>().next;
  /** A subscription as answered, with its generated id and time checked and set aside. */
  function shape(body: Json): Json {
    assert.match(String(body.id), UUID);
    assert.match(String(body.created), /Z$/);
    const { id: _id, created: _created, ...rest } = body;
    return rest;
  }

  test('POST /subscriptions: 201, Location, and the subscription without its secret, starting at the end of the log', async () => {
    const position = await head();
    const res = await call('POST', '/subscriptions', asCameron, {
      url: 'http://node.example/hook',
      resources: ['pols', 'people'],
      secret: SECRET,
    });
    assert.equal(res.statusCode, 201);
    const body = res.json<Json>();
    assert.equal(res.headers.location, `/subscriptions/${String(body.id)}`);
    assert.deepEqual(shape(body), {
      owner: 'ITAPYT999HON',
      person: null,
      url: 'http://node.example/hook',
      resources: ['pols', 'people'],
      position,
    });
    assert.doesNotMatch(res.body, new RegExp(SECRET));
    const one = await call('GET', `/subscriptions/${String(body.id)}`, asCameron);
    assert.deepEqual([one.statusCode, one.json()], [200, { ...body, deliveries: { pending: 0, delivered: 0, failed: 0 } }]);
  });

  test("an end user's subscription is scoped to their own records; every resource when none are named", async () => {
    const res = await call('POST', '/subscriptions', asAna, { url: 'https://phr.example/ana', secret: SECRET });
    assert.equal(res.statusCode, 201);
    assert.deepEqual(shape(res.json<Json>()), {
      owner: 'ESPGNU777ORG',
      person: 'ESPGNU777ORG',
      url: 'https://phr.example/ana',
      resources: null,
      position: await head(),
    });
  });

  test("GET /subscriptions lists your own (root: everyone's); another's is 404 to you, DELETE too", async () => {
    const mine = (await call('GET', '/subscriptions', asAna)).json<Json[]>();
    assert.deepEqual(
      mine.map((s) => s.url),
      ['https://phr.example/ana'],
    );
    const all = (await call('GET', '/subscriptions', asRoot)).json<Json[]>();
    assert.deepEqual(
      all.map((s) => s.owner),
      ['ITAPYT999HON', 'ESPGNU777ORG'],
    );
    const cameron = all[0].id as string;
    for (const method of ['GET', 'DELETE']) {
      const res = await call(method, `/subscriptions/${cameron}`, asAna);
      assert.deepEqual([res.statusCode, res.json()], [404, { error: 'Subscription not found' }], method);
    }
    const replay = await call('POST', `/subscriptions/${cameron}/replay?since=0`, asAna);
    assert.deepEqual([replay.statusCode, replay.json()], [404, { error: 'Subscription not found' }]);
  });

  test('DELETE /subscriptions/<id>: 204, then it is gone', async () => {
    const id = (await call('GET', '/subscriptions', asAna)).json<Json[]>()[0].id as string;
    const res = await call('DELETE', `/subscriptions/${id}`, asAna);
    assert.deepEqual([res.statusCode, res.body], [204, '']);
    assert.equal((await call('GET', `/subscriptions/${id}`, asAna)).statusCode, 404);
    assert.equal((await call('DELETE', `/subscriptions/${id}`, asAna)).statusCode, 404);
  });

  test('replay: 202, the subscription goes back to since (never forward)', async () => {
    const id = (await call('GET', '/subscriptions', asCameron)).json<Json[]>()[0].id as string;
    const before = (await call('GET', `/subscriptions/${id}`, asCameron)).json<Json>().position as number;
    const res = await call('POST', `/subscriptions/${id}/replay?since=2`, asCameron);
    assert.deepEqual([res.statusCode, res.json()], [202, { replaying: id, since: 2 }]);
    assert.equal(before > 2, true);
    const later = await call('POST', `/subscriptions/${id}/replay?since=${before + 1000}`, asCameron);
    assert.equal(later.statusCode, 202);
    const position = (await call('GET', `/subscriptions/${id}`, asCameron)).json<Json>().position as number;
    // Queued again from seq 2 on (the deliverer may already have moved it on, never past the end).
    assert.ok(position <= (await head()), `position ${position}`);
  });

  test('bad subscriptions are refused: 400 for the shape, 422 for the URL', async () => {
    const cases: [unknown, number, string][] = [
      [{ url: 'http://x.example/h' }, 400, "Invalid request: body must have required property 'secret'"],
      [{ secret: SECRET }, 400, "Invalid request: body must have required property 'url'"],
      [{ url: 'http://x.example/h', secret: 'short' }, 400, 'Invalid request: body/secret must NOT have fewer than 16 characters'],
      [
        { url: 'http://x.example/h', secret: SECRET, resources: ['secrets'] },
        400,
        'Invalid request: body/resources/0 must be equal to one of the allowed values',
      ],
      [
        { url: 'http://x.example/h', secret: SECRET, resources: [] },
        400,
        'Invalid request: body/resources must NOT have fewer than 1 items',
      ],
      [{ url: 'ftp://x.example/h', secret: SECRET }, 422, 'url must be an absolute http:// or https:// URL'],
      [{ url: '/relative', secret: SECRET }, 422, 'url must be an absolute http:// or https:// URL'],
    ];
    for (const [body, status, error] of cases) {
      const res = await call('POST', '/subscriptions', asCameron, body);
      assert.deepEqual([res.statusCode, res.json()], [status, { error }], JSON.stringify(body));
    }
    const anonymous = await call('POST', '/subscriptions', {}, { url: 'http://x.example/h', secret: SECRET });
    assert.equal(anonymous.statusCode, 401);
  });
});
