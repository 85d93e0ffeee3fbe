// Every statement the hot requests send walks an index: EXPLAIN finds no sequential scan of people or pols.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import type { Db, Queryable } from '../../src/db/db.ts';
import { nationalLines } from '../../bench/generate.ts';
import { nationalSize, PASSWORDS, person, personId } from '../../bench/national.ts';
import { page } from '../../bench/national-pages.ts';
import { ANA, asCameron, asRoot, basic, eachBackend, seededDb, testConfig } from '../helper.ts';
import { cli } from '../cli/cli-io.ts';

interface Sent {
  sql: string;
  params: readonly unknown[];
}

/** A Db that remembers each statement it is sent (in transactions too), with its parameters. */
function recording(db: Db, sent: Sent[]): Db {
  const wrap = (q: Queryable): Queryable => ({
    query: (sql, params = []) => {
      sent.push({ sql, params });
      return q.query(sql, params);
    },
    exec: (sql) => q.exec(sql),
    copyIn: (sql, data) => q.copyIn(sql, data),
  });
  return { ...db, ...wrap(db), transaction: (fn) => db.transaction((tx) => fn(wrap(tx))) };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

// 2,000 people with 10,000 pages, analyzed: enough rows that a scan of a table costs what it would at scale.
const set = nationalSize(2000, 11);
/** A generated person who can sign in (a fifth were created by HMIS nodes, without a password). */
const n = Array.from({ length: 50 }, (_, i) => i).find((i) => (person(set, i).data as { password?: string }).password)!;
const someone = personId(set, n);
const asSomeone = { authorization: basic(someone, PASSWORDS[n % 4]) };
const aPage = page(set, 3);

eachBackend('hot queries use indexes', (backend) => {
  let db: Db;
  let app: FastifyInstance;
  const sent: Sent[] = [];
  before(async () => {
    db = await seededDb(backend);
    const run = await cli(['import', '-'], { db, stdin: [...nationalLines(set)].join('\n') });
    assert.equal(run.code, 0, run.stderr);
    await db.exec('ANALYZE');
    app = await buildApp({ config: testConfig(), db: recording(db, sent), logger: false });
    await app.ready();
  });
  after(async () => {
    await app.close();
    await db.close();
  });

  test('person read, book read, page read, page write, the people list and FHIR reads: no Seq Scan on people or pols', async () => {
    const book = aPage.book!;
    const requests: [string, string, Record<string, string>, unknown?][] = [
      ['GET', `/people/${someone}`, asSomeone],
      ['GET', `/people/${book}`, asCameron],
      ['GET', `/pols/${book}`, asCameron],
      ['GET', `/pols/${book}?limit=2`, asCameron],
      ['GET', `/pols/${book}/${aPage.id}`, asCameron],
      ['POST', `/pols/${someone}/hot-query-page`, asSomeone, { id: 'hot-query-page', page_type: 'medical', summary: 'x' }],
      ['PATCH', `/pols/${someone}/hot-query-page`, asSomeone, { summary: 'y' }],
      ['PATCH', `/people/${someone}`, asSomeone, { profession: 'Nurse' }],
      ['GET', `/people?limit=100&after=${ANA.id}`, asRoot],
      ['GET', `/personal_docs/${book}`, asCameron],
      ['GET', `/fhir/Patient/${book}`, asCameron],
      ['GET', `/fhir/Observation?patient=${book}`, asCameron],
    ];
    let explained = 0;
    for (const [method, url, headers, body] of requests) {
      sent.length = 0;
      const res = await app.inject({ method: method as 'GET', url, headers, ...(body ? { payload: body } : {}) });
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      const statements = sent.filter((s) => /\b(people|pols)\b/.test(s.sql));
      assert.ok(statements.length > 0 || method === 'GET', `${method} ${url} sent no statement`);
      for (const { sql, params } of statements) {
        const [row] = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] | string }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
        const json = row['QUERY PLAN'];
        const plan = (typeof json === 'string' ? (JSON.parse(json) as [{ Plan: PlanNode }]) : json)[0].Plan;
        const scans = nodes(plan).filter((n) => n['Node Type'] === 'Seq Scan' && ['people', 'pols'].includes(n['Relation Name'] ?? ''));
        assert.deepEqual(scans, [], `${method} ${url}: ${sql}`);
        explained++;
      }
    }
    assert.ok(explained >= requests.length, `only ${explained} statements explained`);
  });
});
