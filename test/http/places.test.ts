// /domiciliary-units and /institutions: list, read one, create, patch, replace, delete, with their ACL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asAna, asCameron, asRoot, eachBackend, useApp } from '../helper.ts';

const DU = {
  id: 'DU-MILANO-0001',
  address_street: 'Via Roma',
  address_street_number: '12',
  address_city: 'Milano',
  members: ['ESPGNU777ORG'],
};
const HOSPITAL = { id: 'ITA-MILANO-GH', name: 'Milano General Hospital', institution_type: 'hospital' };

eachBackend('domiciliary units and institutions', (backend) => {
  const ctx = useApp(backend);
  const call = (method: string, url: string, headers: Record<string, string>, body?: unknown) =>
    ctx.app.inject({ method: method as 'GET', url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

  for (const [path, record, label] of [
    ['/domiciliary-units', DU, 'Domiciliary unit'],
    ['/institutions', HOSPITAL, 'Institution'],
  ] as const) {
    const url = `${path}/${record.id}`;

    test(`${path}: empty at first, then created by a health professional and listed`, async () => {
      assert.deepEqual((await call('GET', path, asCameron)).json(), []);
      const res = await call('POST', url, asCameron, record);
      assert.deepEqual([res.statusCode, res.body], [200, 'null']);
      const list = await call('GET', path, asRoot);
      assert.deepEqual([list.statusCode, list.json()], [200, [[record]]]);
      assert.deepEqual((await call('GET', url, asCameron)).json(), record);
      const dup = await call('POST', url, asRoot, {});
      assert.deepEqual([dup.statusCode, dup.json()], [422, { error: `${label} already exists` }]);
    });

    test(`${path}: end users may not read or write them`, async () => {
      const list = await call('GET', path, asAna);
      assert.equal(list.statusCode, 403);
      assert.equal((await call('POST', `${path}/OTHER`, asAna, {})).statusCode, 403);
      assert.equal((await call('PATCH', url, asAna, {})).statusCode, 403);
    });

    test(`${path}/<id>: PATCH merges, PUT replaces, ids cannot change, unknown ids 404`, async () => {
      assert.equal((await call('PATCH', url, asCameron, { phone: '+39 02 1234' })).statusCode, 200);
      assert.deepEqual((await call('GET', url, asCameron)).json(), { ...record, phone: '+39 02 1234' });
      assert.equal((await call('PUT', url, asCameron, { name: 'Renamed' })).statusCode, 200);
      assert.deepEqual((await call('GET', url, asCameron)).json(), { name: 'Renamed', id: record.id });
      const id = await call('PATCH', url, asCameron, { id: 'X' });
      assert.deepEqual([id.statusCode, id.json()], [422, { error: `Not allowed to change the ${label.toLowerCase()} ID` }]);
      const missing = await call('PATCH', `${path}/NOPE`, asCameron, {});
      assert.deepEqual([missing.statusCode, missing.json()], [404, { error: `${label} not found` }]);
      const read = await call('GET', `${path}/NOPE`, asCameron);
      assert.deepEqual([read.statusCode, read.json()], [404, { error: `${label} not found` }]);
      const other = await call('POST', `${path}/NEW`, asCameron, { id: 'OTHER' });
      assert.deepEqual(
        [other.statusCode, other.json()],
        [422, { error: `The body's id must be the ${label.toLowerCase()} ID of the URL` }],
      );
    });

    test(`${path}/<id>: DELETE for root only`, async () => {
      assert.equal((await call('DELETE', url, asCameron)).statusCode, 403);
      const res = await call('DELETE', url, asRoot);
      assert.deepEqual([res.statusCode, res.body], [200, 'null']);
      const again = await call('DELETE', url, asRoot);
      assert.deepEqual([again.statusCode, again.json()], [404, { error: `${label} not found` }]);
    });
  }
});
