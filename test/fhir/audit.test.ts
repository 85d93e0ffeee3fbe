// FHIR reads and searches leave audit entries as the legacy routes do: reads, lists, refusals and failed logins.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asAna, asCameron, basic, eachBackend, useApp } from '../helper.ts';
import { fhir } from './call.ts';

const BIRTH = 'a8f2e2b4-5e0b-4c2e-9d1c-3f6b8f9a0b01';
const PICTURE = '5b9c7f1e-8d2a-4e6b-9f3c-1a2b3c4d5e03';

eachBackend('FHIR audit', (backend) => {
  const ctx = useApp(backend);

  test('each FHIR read and search of person data is one audit entry: who, what, whose, how it ended', async () => {
    await ctx.app.audit.flush();
    const [{ n: before }] = await ctx.db.query<{ n: string }>('SELECT max(id)::text AS n FROM audit_log');
    await fhir(ctx.app, '/fhir/Patient/ESPGNU777ORG', asAna);
    await fhir(ctx.app, `/fhir/DocumentReference/${PICTURE}`, asAna);
    await fhir(ctx.app, `/fhir/Observation?patient=ESPGNU777ORG`, asCameron);
    await fhir(ctx.app, '/fhir/Patient/ITAPYT999HON', asAna);
    await fhir(ctx.app, '/fhir/Condition?patient=ITAPYT999HON', asAna);
    await fhir(
      ctx.app,
      `/fhir/DocumentReference/_search`,
      { ...asAna, 'content-type': 'application/x-www-form-urlencoded' },
      {
        method: 'POST',
        payload: 'subject=ESPGNU777ORG',
      },
    );
    await fhir(ctx.app, `/fhir/DocumentReference/${BIRTH}`, { authorization: basic('ESPGNU777ORG', 'wrong') });
    await fhir(ctx.app, '/fhir/metadata');
    await ctx.app.audit.flush();
    const rows = await ctx.db.query(
      `SELECT actor, action, resource, resource_id, subject, outcome, status FROM audit_log WHERE id > $1 ORDER BY id`,
      [before ?? '0'],
    );
    assert.deepEqual(rows, [
      {
        actor: 'ESPGNU777ORG',
        action: 'read',
        resource: 'person',
        resource_id: 'ESPGNU777ORG',
        subject: 'ESPGNU777ORG',
        outcome: 'success',
        status: 200,
      },
      {
        actor: 'ESPGNU777ORG',
        action: 'read',
        resource: 'document',
        resource_id: PICTURE,
        subject: 'ESPGNU777ORG',
        outcome: 'success',
        status: 200,
      },
      {
        actor: 'ITAPYT999HON',
        action: 'list',
        resource: 'page',
        resource_id: null,
        subject: 'ESPGNU777ORG',
        outcome: 'success',
        status: 200,
      },
      {
        actor: 'ESPGNU777ORG',
        action: 'read',
        resource: 'person',
        resource_id: 'ITAPYT999HON',
        subject: 'ITAPYT999HON',
        outcome: 'refused',
        status: 403,
      },
      {
        actor: 'ESPGNU777ORG',
        action: 'list',
        resource: 'page',
        resource_id: null,
        subject: 'ITAPYT999HON',
        outcome: 'refused',
        status: 403,
      },
      {
        actor: 'ESPGNU777ORG',
        action: 'list',
        resource: 'page',
        resource_id: null,
        subject: 'ESPGNU777ORG',
        outcome: 'success',
        status: 200,
      },
      { actor: 'ESPGNU777ORG', action: 'login', resource: 'account', resource_id: null, subject: null, outcome: 'failed', status: 401 },
    ]);
  });
});
