// Replay of MyGNUHealth (the personal health record app): connection test, then syncing a page with measurements.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ANA, eachBackend, useApp } from '../helper.ts';
import { pythonRequest } from './python-client.ts';

const PAGE_ID = '3e5c8f2a-9b1d-4c7e-8a6f-0d1e2f3a4b5c';
const PAGE = {
  id: PAGE_ID,
  book: ANA.id,
  page_date: '2024-06-01T08:30:00',
  page_type: 'medical',
  domain: 'medical',
  context: 'self_monitoring',
  relevance: 'normal',
  privacy: false,
  summary: 'Blood pressure and heart rate',
  info: '',
  genetic_info: { rsref: '', protein_name: '', gene: '', aa_change: '', variant: '', phenotype: '' },
  measurements: [{ bp: { systolic: 116, diastolic: 79 } }, { hr: 75 }],
  node: 'MyGNUHealth',
};

eachBackend('replay: MyGNUHealth', (backend) => {
  const ctx = useApp(backend);

  test('connection test: GET /login with the person account', async () => {
    const res = await pythonRequest(ctx.app, 'GET', '/login', ANA);
    assert.deepEqual([res.statusCode, res.json()], [200, true]);
  });

  test('POST a page with a list of measurements, then PATCH it', async () => {
    const post = await pythonRequest(ctx.app, 'POST', `/pols/${ANA.id}/${PAGE_ID}`, ANA, PAGE);
    assert.deepEqual([post.statusCode, post.body], [200, 'null']);
    const changed = {
      summary: 'Blood pressure and heart rate (morning)',
      measurements: [{ bp: { systolic: 118, diastolic: 80 } }, { hr: 72 }],
    };
    const patch = await pythonRequest(ctx.app, 'PATCH', `/pols/${ANA.id}/${PAGE_ID}`, ANA, changed);
    assert.deepEqual([patch.statusCode, patch.body], [200, 'null']);
    const read = await pythonRequest(ctx.app, 'GET', `/pols/${ANA.id}/${PAGE_ID}`, ANA);
    assert.deepEqual([read.statusCode, read.json()], [200, { ...PAGE, ...changed }]);
  });
});
