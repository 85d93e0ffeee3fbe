// Replay of a GNU Health HMIS node (health_federation): connection test, then person and page sync.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CAMERON, basic, eachBackend, useApp } from '../helper.ts';
import { pythonRequest } from './python-client.ts';

const FED_ACCT = 'ITAMIL123GNU';
const PAGE_ID = '8d0f3b1c-6a7e-4a55-9f0e-2d2b0c1e4f10';
const PERSON = {
  id: FED_ACCT,
  name: 'Giulia',
  lastname: 'Rossi',
  gender: 'f',
  dob: '1990-06-15',
  active: true,
  creation_info: { user: 'admin', timestamp: '2024-05-02 10:11:12.123456', node: 'Milano General Hospital' },
};
const PAGE = {
  id: PAGE_ID,
  book: FED_ACCT,
  page_date: '2024-05-02 10:15:00',
  age: '33y 10m 17d',
  page_type: 'medical',
  medical_context: 'encounter',
  health_condition_text: 'Essential (primary) hypertension',
  health_condition_code: 'I10',
  procedure_text: '',
  procedure_code: '',
  gene: '',
  phenotype: '',
  natural_variant: '',
  social_context: '',
  relevance: 'important',
  summary: 'Follow-up visit',
  info: 'Blood pressure under control',
  measurements: [{ bp: { systolic: 128, diastolic: 82 } }],
  author: 'Cameron Cordara',
  author_acct: CAMERON.id,
  node: 'Milano General Hospital',
  creation_info: { user: 'admin', timestamp: '2024-05-02 10:16:00.000001', node: 'Milano General Hospital' },
};

eachBackend('replay: HMIS node', (backend) => {
  const ctx = useApp(backend);

  test('connection test: GET /login with the node account', async () => {
    const res = await pythonRequest(ctx.app, 'GET', '/login', CAMERON);
    assert.deepEqual([res.statusCode, res.json()], [200, true]);
  });

  test('POST person without a password, with creation_info; it exists but cannot log in', async () => {
    const res = await pythonRequest(ctx.app, 'POST', `/people/${FED_ACCT}`, CAMERON, PERSON);
    assert.deepEqual([res.statusCode, res.body], [200, 'null']);
    const read = await pythonRequest(ctx.app, 'GET', `/people/${FED_ACCT}`, CAMERON);
    assert.deepEqual(read.json(), { ...PERSON, roles: ['end_user'] });
    const login = await ctx.app.inject({ method: 'GET', url: '/login', headers: { authorization: basic(FED_ACCT, '') } });
    assert.equal(login.statusCode, 401);
  });

  test('PATCH person with modification_info', async () => {
    const patch = {
      lastname: 'Rossi Bianchi',
      modification_info: { user: 'admin', timestamp: '2024-05-03 09:00:00.5', node: 'Milano General Hospital' },
    };
    const res = await pythonRequest(ctx.app, 'PATCH', `/people/${FED_ACCT}`, CAMERON, patch);
    assert.deepEqual([res.statusCode, res.body], [200, 'null']);
    const read = await pythonRequest(ctx.app, 'GET', `/people/${FED_ACCT}`, CAMERON);
    assert.deepEqual(read.json(), { ...PERSON, ...patch, roles: ['end_user'] });
  });

  test('POST then PATCH a page of life', async () => {
    const post = await pythonRequest(ctx.app, 'POST', `/pols/${FED_ACCT}/${PAGE_ID}`, CAMERON, PAGE);
    assert.deepEqual([post.statusCode, post.body], [200, 'null']);
    const patch = {
      info: 'Blood pressure under control; continue treatment',
      modification_info: { user: 'admin', timestamp: '2024-05-04 08:00:00', node: 'Milano General Hospital' },
    };
    const res = await pythonRequest(ctx.app, 'PATCH', `/pols/${FED_ACCT}/${PAGE_ID}`, CAMERON, patch);
    assert.deepEqual([res.statusCode, res.body], [200, 'null']);
    const read = await pythonRequest(ctx.app, 'GET', `/pols/${FED_ACCT}/${PAGE_ID}`, CAMERON);
    assert.deepEqual(read.json(), { ...PAGE, ...patch });
    const book = await pythonRequest(ctx.app, 'GET', `/pols/${FED_ACCT}`, CAMERON);
    assert.deepEqual(book.json(), [[{ ...PAGE, ...patch }]]);
  });
});
