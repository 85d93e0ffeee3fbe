// The audit trail: an entry for every access to person data and every failed login; GET /audit and GET /people/<id>/audit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { changePassword } from '../web/pages.ts';
import { ANA, CAMERON, ROOT, asAna, asCameron, asRoot, basic, eachBackend, seededDb, testConfig, useApp } from '../helper.ts';

interface Entry {
  id: string;
  time: string;
  actor: string | null;
  action: string;
  resource: string;
  resource_id: string | null;
  subject: string | null;
  outcome: string;
  status: number;
  address?: string | null;
  request_id?: string | null;
}

/** What an entry says, without the parts that differ every run. */
const gist = ({ actor, action, resource, resource_id, subject, outcome, status }: Entry) => ({
  actor,
  action,
  resource,
  resource_id,
  subject,
  outcome,
  status,
});

eachBackend('audit trail', (backend) => {
  const ctx = useApp(backend);
  const get = (url: string, headers: Record<string, string>) => ctx.app.inject({ method: 'GET', url, headers });
  const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, body?: unknown) =>
    ctx.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });
  /** The newest `n` entries, oldest of them first, once the pending reads are written. */
  const newest = async (n: number) => {
    await ctx.app.audit.flush();
    const res = await get(`/audit?limit=${n}`, asRoot);
    assert.equal(res.statusCode, 200);
    return res.json<Entry[]>().reverse().map(gist);
  };
  const count = async () => Number((await ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM audit_log'))[0].n);

  test('reads, lists, refusals and failed logins: one entry each, with actor, action, resource, subject, outcome', async () => {
    await get('/people/ESPGNU777ORG', asCameron);
    await get('/pols/ESPGNU777ORG', asAna);
    await get('/people/ITAPYT999HON', asAna);
    await get('/login', { authorization: basic(ANA.id, 'not her password') });
    await get('/people/NOPNOP000NOP', asRoot);
    // /audit?limit reads the trail and is audited itself, after it answers.
    assert.deepEqual(await newest(5), [
      { actor: CAMERON.id, action: 'read', resource: 'person', resource_id: ANA.id, subject: ANA.id, outcome: 'success', status: 200 },
      { actor: ANA.id, action: 'list', resource: 'page', resource_id: null, subject: ANA.id, outcome: 'success', status: 200 },
      { actor: ANA.id, action: 'read', resource: 'person', resource_id: CAMERON.id, subject: CAMERON.id, outcome: 'refused', status: 403 },
      { actor: ANA.id, action: 'login', resource: 'account', resource_id: null, subject: null, outcome: 'failed', status: 401 },
      {
        actor: ROOT.id,
        action: 'read',
        resource: 'person',
        resource_id: 'NOPNOP000NOP',
        subject: 'NOPNOP000NOP',
        outcome: 'failed',
        status: 404,
      },
    ]);
  });

  test('a write commits its entry in its own transaction: there as soon as the write is answered', async () => {
    await ctx.app.audit.flush();
    const before = await count();
    const res = await send('PATCH', `/pols/${ANA.id}/${'4de8a0ef-6b8b-4bb4-9cb8-4e0bbfcd1d3f'}`, asAna, { summary: 'x' });
    const ok = await send('POST', `/pols/${ANA.id}/AUDITPAGE1`, asAna, { id: 'AUDITPAGE1', summary: 'audited' });
    assert.deepEqual([res.statusCode, ok.statusCode], [404, 200]);
    // No flush: the write's entry is already committed; the 404's waits in the batch.
    const rows = await ctx.db.query<{ action: string; resource_id: string; outcome: string }>(
      'SELECT action, resource_id, outcome FROM audit_log ORDER BY id DESC LIMIT 1',
    );
    assert.deepEqual(rows, [{ action: 'create', resource_id: 'AUDITPAGE1', outcome: 'success' }]);
    assert.equal(await count(), before + 1);
    await ctx.app.audit.flush();
    assert.equal(await count(), before + 2);
  });

  test('every kind of write is audited: person create/update/delete, page update/delete, document add/delete, password form', async () => {
    await send('POST', '/people/espaud001abc', asRoot, { name: 'Audited', active: false, password: 'a good long secret' });
    await send('PATCH', '/people/ESPAUD001ABC', asRoot, { lastname: 'Person' });
    await send('PATCH', `/pols/${ANA.id}/AUDITPAGE1`, asAna, { summary: 'changed' });
    const doc = { name: 'note.txt', document: Buffer.from('hello').toString('base64'), id: 'AUDITDOC1' };
    await send('POST', `/personal_docs/${ANA.id}/AUDITPAGE1`, asRoot, doc);
    await send('DELETE', `/personal_docs/${ANA.id}/AUDITPAGE1/AUDITDOC1`, asRoot);
    await send('DELETE', `/pols/${ANA.id}/AUDITPAGE1`, asRoot);
    await send('DELETE', '/people/ESPAUD001ABC', asRoot);
    const changed = await changePassword(ctx.app, ANA.id, asAna.authorization, 'short');
    assert.equal(changed.statusCode, 200, 'the form is shown again');
    const entries = (await newest(9)).filter((e) => e.action !== 'read' || e.resource !== 'person');
    const success = (actor: string, action: string, resource: string, resource_id: string, subject: string) => ({
      actor,
      action,
      resource,
      resource_id,
      subject,
      outcome: 'success',
      status: 200,
    });
    assert.deepEqual(entries, [
      success(ROOT.id, 'create', 'person', 'ESPAUD001ABC', 'ESPAUD001ABC'),
      success(ROOT.id, 'update', 'person', 'ESPAUD001ABC', 'ESPAUD001ABC'),
      success(ANA.id, 'update', 'page', 'AUDITPAGE1', ANA.id),
      success(ROOT.id, 'create', 'document', 'AUDITDOC1', ANA.id),
      success(ROOT.id, 'delete', 'document', 'AUDITDOC1', ANA.id),
      success(ROOT.id, 'delete', 'page', 'AUDITPAGE1', ANA.id),
      success(ROOT.id, 'delete', 'person', 'ESPAUD001ABC', 'ESPAUD001ABC'),
      { ...success(ANA.id, 'update', 'person', ANA.id, ANA.id), outcome: 'failed' },
    ]);
  });

  test('entries never hold a password, a hash or a body', async () => {
    await send('PATCH', `/people/${CAMERON.id}`, asCameron, { password: 'a secret never logged' });
    await get('/login', { authorization: basic(CAMERON.id, 'a wrong secret never logged') });
    await send(
      'PATCH',
      `/people/${CAMERON.id}`,
      { authorization: basic(CAMERON.id, 'a secret never logged') },
      { password: CAMERON.password },
    );
    await ctx.app.audit.flush();
    const all = JSON.stringify(await ctx.db.query('SELECT * FROM audit_log'));
    for (const secret of ['a secret never logged', 'a wrong secret never logged', '$2b$', '$2y$', 'gnusolidario', 'Basic ']) {
      assert.ok(!all.includes(secret), secret);
    }
  });

  test('GET /audit: root only, filtered by person, actor, action, time; newest first in pages with Link', async () => {
    assert.equal((await get('/audit', asCameron)).statusCode, 403);
    assert.equal((await get('/audit', asAna)).statusCode, 403);
    await ctx.app.audit.flush();
    const byActor = (await get(`/audit?actor=${CAMERON.id}&person=${ANA.id}&action=read`, asRoot)).json<Entry[]>();
    assert.ok(byActor.length >= 1);
    assert.ok(byActor.every((e) => e.actor === CAMERON.id && e.subject === ANA.id && e.action === 'read'));
    assert.ok(byActor.every((e) => typeof e.address === 'string' && typeof e.request_id === 'string'));
    const first = await get('/audit?limit=2', asRoot);
    const page = first.json<Entry[]>();
    assert.equal(page.length, 2);
    assert.ok(page[0].time >= page[1].time, 'newest first');
    assert.equal(first.headers.link, `</audit?limit=2&after=${page[1].id}>; rel="next"`);
    const next = (await get(`/audit?limit=2&after=${page[1].id}`, asRoot)).json<Entry[]>();
    assert.ok(next[0].time <= page[1].time && !page.some((e) => e.id === next[0].id));
    const future = (await get('/audit?since=2999-01-01T00:00:00Z', asRoot)).json<Entry[]>();
    assert.deepEqual(future, []);
    const past = (await get('/audit?until=2000-01-01T00:00:00Z', asRoot)).json<Entry[]>();
    assert.deepEqual(past, []);
    const bad = await get('/audit?since=yesterday', asRoot);
    assert.equal(bad.statusCode, 400);
  });

  test('GET /people/<id>/audit: who read or changed my record, for the person and root; no addresses', async () => {
    await ctx.app.audit.flush();
    const own = await get(`/people/${ANA.id}/audit`, asAna);
    assert.equal(own.statusCode, 200);
    const entries = own.json<Entry[]>();
    assert.ok(entries.some((e) => e.actor === CAMERON.id && e.action === 'read' && e.resource === 'person'));
    assert.ok(entries.every((e) => e.subject === ANA.id && !('address' in e) && !('request_id' in e)));
    assert.equal((await get(`/people/${ANA.id}/audit`, asRoot)).statusCode, 200);
    assert.equal((await get(`/people/${CAMERON.id}/audit`, asAna)).statusCode, 403);
    assert.equal((await get(`/people/${ANA.id}/audit`, asCameron)).statusCode, 403);
  });
});

eachBackend('audit trail at shutdown', (backend) => {
  test('entries still waiting in the batch are written when the server closes', async () => {
    const db = await seededDb(backend);
    try {
      const app = await buildApp({ config: testConfig(), db, logger: false });
      assert.equal((await app.inject({ method: 'GET', url: `/people/${ANA.id}`, headers: asAna })).statusCode, 200);
      await app.close();
      const rows = await db.query<{ actor: string; action: string }>('SELECT actor, action FROM audit_log');
      assert.deepEqual(rows, [{ actor: ANA.id, action: 'read' }]);
    } finally {
      await db.close();
    }
  });

  test('without a flush, a read is written within about a second', async () => {
    const db = await seededDb(backend);
    const app = await buildApp({ config: testConfig(), db, logger: false });
    try {
      await app.inject({ method: 'GET', url: `/people/${ANA.id}`, headers: asAna });
      // Bounded wait: the batch is due after one second.
      for (let waited = 0; waited < 10_000; waited += 100) {
        if ((await db.query('SELECT 1 FROM audit_log')).length > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.equal((await db.query('SELECT 1 FROM audit_log')).length, 1);
    } finally {
      await app.close();
      await db.close();
    }
  });
});
