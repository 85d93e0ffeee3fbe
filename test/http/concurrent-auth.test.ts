// Requests that arrive together share one person lookup: each still gets exactly its own answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asAna, asCameron, asRoot, basic, eachBackend, useApp } from '../helper.ts';
import { ANA_BIRTH, ANA_CERTIFICATE } from './expected.ts';

eachBackend('concurrent authentication', (backend) => {
  const ctx = useApp(backend);

  test("thirty requests at once, from several callers, right and wrong: every answer is that request's", async () => {
    const cases = [
      { url: '/people/ESPGNU777ORG', headers: asAna, status: 200, name: 'Ana' },
      { url: '/people/ITAPYT999HON', headers: asCameron, status: 200, name: 'Cameron' },
      { url: '/people/ESPGNU777ORG', headers: asCameron, status: 200, name: 'Ana' },
      { url: '/people/ITAPYT999HON', headers: asAna, status: 403 },
      { url: '/people/ESPGNU777ORG', headers: { authorization: basic('ESPGNU777ORG', 'not her password') }, status: 401 },
      { url: '/people/NOPNOP000NOP', headers: { authorization: basic('NOPNOP000NOP', 'gnusolidario') }, status: 401 },
      { url: '/people/NOPNOP000NOP', headers: asRoot, status: 404 },
      { url: '/pols/ESPGNU777ORG', headers: asCameron, status: 200, book: [[ANA_BIRTH], [ANA_CERTIFICATE]] },
      { url: '/pols/ITAPYT999HON', headers: asCameron, status: 200, book: [] },
      { url: '/login', headers: asRoot, status: 200 },
      // PostgreSQL cannot take a NUL in text: such a caller is refused alone, not with the batch.
      { url: '/login', headers: { authorization: basic('NUL\u0000NUL', 'x') }, status: 401 },
      { url: '/people/ITAPYT%00HON', headers: asCameron, status: 404 },
    ];
    const all = [...cases, ...cases, ...cases];
    const answers = await Promise.all(all.map((c) => ctx.app.inject({ method: 'GET', url: c.url, headers: c.headers })));
    all.forEach((c, i) => {
      const res = answers[i];
      assert.equal(res.statusCode, c.status, `${c.url} as ${c.headers.authorization}: ${res.body}`);
      if (c.name) assert.equal(res.json<{ name?: unknown }>().name, c.name);
      if (c.book) assert.deepEqual(res.json(), c.book);
    });
  });
});
