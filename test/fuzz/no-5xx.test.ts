// Property: no request, however hostile, gets a 5xx; every error is {"error": ...} with CORS headers; the demo accounts still work afterwards.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import fc from 'fast-check';
import bcrypt from 'bcrypt';
import type { FastifyInstance } from 'fastify';
import { insertPerson } from '../../src/store/people.ts';
import { asAna, asCameron, basic, eachBackend, useApp } from '../helper.ts';
import { FUZZ_ROOT, fuzzRequest, fuzzWrite, type FuzzRequest } from './requests.ts';

/**
 * THALAMUS_FUZZ_SEED replays a run; THALAMUS_FUZZ_RUNS sets its length. By default 8,000 generated requests, 1,600 valid
 * writes and 80 rounds of delete races (10,240 requests) on PGlite, a quarter of that on PostgreSQL.
 */
const SEED = process.env.THALAMUS_FUZZ_SEED ? Number(process.env.THALAMUS_FUZZ_SEED) : Date.now() % 2 ** 31;
const RUNS = Number(process.env.THALAMUS_FUZZ_RUNS || 8000);

/** Routes whose errors are HTML pages for people (the welcome page and the password form), not JSON. */
const isHtmlRoute = (url: string) => url === '/' || url.startsWith('/password/') || url.startsWith('/password?');

/** Why the answer breaks the contract, or null when it keeps it. */
function violation(req: FuzzRequest, res: Awaited<ReturnType<FastifyInstance['inject']>>): string | null {
  if (res.statusCode >= 500) return `${res.statusCode} ${res.body.slice(0, 300)}`;
  if (!res.headers['access-control-allow-origin']) return `no CORS header on ${res.statusCode}`;
  if (res.statusCode >= 400 && req.method !== 'HEAD' && !isHtmlRoute(req.url)) {
    let body: unknown;
    try {
      body = res.json();
    } catch {
      return `${res.statusCode} with a body that is not JSON: ${res.body.slice(0, 200)}`;
    }
    const keys = body && typeof body === 'object' ? Object.keys(body) : [];
    if (!keys.includes('error') || typeof (body as { error: unknown }).error !== 'string') {
      return `${res.statusCode} without {"error": ...}: ${res.body.slice(0, 200)}`;
    }
  }
  return null;
}

async function runProperty(t: TestContext, app: FastifyInstance, arbitrary: fc.Arbitrary<FuzzRequest>, runs: number, seed: number) {
  let sent = 0;
  const statuses = new Map<number, number>();
  const property = fc.asyncProperty(arbitrary, async (req) => {
    const res = await app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, payload: req.payload });
    sent++;
    statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
    const wrong = violation(req, res);
    if (wrong) throw new Error(`${req.method} ${req.url.slice(0, 200)}: ${wrong}`);
  });
  try {
    await fc.assert(property, { numRuns: runs, seed, endOnFailure: true, includeErrorInReport: true });
  } finally {
    t.diagnostic(`seed ${seed}: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  }
  return sent;
}

/**
 * Deletes racing the writes that refer to what they delete: a page deleted while a document is
 * added to it, a person deleted while a page is added. Either may win; neither may give 5xx.
 */
async function raceDeletes(t: TestContext, app: FastifyInstance, rounds: number): Promise<number> {
  const asRoot = { authorization: basic(FUZZ_ROOT.id, FUZZ_ROOT.password), origin: 'http://localhost' };
  const statuses = new Map<string, number>();
  let sent = 0;
  const go = async (method: string, url: string, payload?: unknown) => {
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: asRoot,
      ...(payload ? { payload: JSON.stringify(payload) } : {}),
    });
    sent++;
    const key = `${method} ${url.split('/')[1]} ${res.statusCode}`;
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    assert.ok(res.statusCode < 500, `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.statusCode;
  };
  for (let i = 0; i < rounds; i++) {
    const person = `RACE${String(i).padStart(4, '0')}X`;
    assert.equal(await go('POST', `/people/${person}`, { name: 'Race', active: false }), 200);
    assert.equal(await go('POST', `/pols/${person}/race-${i}`, { id: `race-${i}` }), 200);
    await Promise.all([
      go('DELETE', `/pols/${person}/race-${i}`),
      go('POST', `/personal_docs/${person}/race-${i}`, { id: `race-doc-${i}`, name: 'a.txt', document: 'aGk=' }),
      go('DELETE', `/personal_docs/${person}/race-${i}/race-doc-${i}`),
    ]);
    await Promise.all([
      go('DELETE', `/people/${person}`),
      go('POST', `/pols/${person}/race-b-${i}`, { id: `race-b-${i}` }),
      go('DELETE', `/pols/${person}/race-${i}`),
    ]);
  }
  t.diagnostic(`races: ${sent} requests, ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
  return sent;
}

eachBackend('no 5xx on any input', (backend) => {
  const ctx = useApp(backend);
  const runs = backend === 'postgres' ? Math.ceil(RUNS / 4) : RUNS;

  test(`${runs} generated requests to every route, then the demo accounts still work (seed ${SEED})`, async (t) => {
    await insertPerson(ctx.db, { actor: 'test', node: null }, FUZZ_ROOT.id, {
      id: FUZZ_ROOT.id,
      roles: ['root'],
      active: true,
      password: await bcrypt.hash(FUZZ_ROOT.password, 10),
    });
    const sent =
      (await runProperty(t, ctx.app, fuzzRequest, runs, SEED)) +
      (await runProperty(t, ctx.app, fuzzWrite, Math.ceil(runs / 5), SEED + 1)) +
      (await raceDeletes(t, ctx.app, Math.ceil(runs / 100)));
    t.diagnostic(`${sent} requests in all`);
    const ana = await ctx.app.inject({ method: 'GET', url: '/people/ESPGNU777ORG', headers: asAna });
    assert.equal(ana.statusCode, 200);
    const cameron = await ctx.app.inject({ method: 'GET', url: '/login', headers: asCameron });
    assert.deepEqual([cameron.statusCode, cameron.json()], [200, true]);
  });
});
