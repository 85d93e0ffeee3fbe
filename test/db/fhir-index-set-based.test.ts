// Migration 071's set-based FHIR indexing of bulk imports makes, page for page, the rows migration 031's fhir_page_rows says.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import type { Db } from '../../src/db/db.ts';
import { migrate } from '../../src/db/migrate.ts';
import { nationalSize } from '../../bench/national.ts';
import { page } from '../../bench/national-pages.ts';
import { eachBackend, freshDb } from '../helper.ts';

const EDGE: [string, unknown][] = [
  [
    'plain',
    { page_type: 'medical', medical_context: 'health_condition', health_condition_code: ' I10 ', page_date: '2024-05-02 10:15:00' },
  ],
  ['no-type', { medical_context: 'lab', page_date: 'Fri, 04 Oct 1985 13:05:00 GMT' }],
  ['empty', {}],
  ['social', { page_type: 'social', measurements: [{ hr: 1 }] }],
  ['Social-Upper', { page_type: ' Social ', medical_context: 'lab' }],
  ['life', { page_type: 'lifestyle' }],
  ['life2', { domain: 'lifestyle', context: 'lifestyle', measurements: [{ pa: { steps: 1 } }, { sleep: { time: 7 } }] }],
  ['enc', { page_type: 'medical', medical_context: 'encounter', page_date: '2024-02-30T10:00:00' }],
  ['enc2', { page_type: 'medical', medical_context: 'Encounter', measurements: [{ hr: 70 }, { hr: null }, { bp: { systolic: 1 } }] }],
  ['mon', { domain: 'medical', context: 'self_monitoring', measurements: [{ hr: 70, t: 36 }, 'x', null, { hr: 72 }] }],
  ['mon-null', { context: 'self_monitoring', measurements: [{ hr: 70 }, { hr: null }] }],
  ['mon-obj', { context: 'self_monitoring', measurements: { 'b g': 90, osat: null, wt: 70 } }],
  ['mon-str', { context: 'self_monitoring', measurements: "{'hr': 70, 'osat': None, 'ok': True}" }],
  ['mon-bad', { context: 'self_monitoring', measurements: "{'hr': <unreadable>}" }],
  ['mon-num', { context: 'self_monitoring', measurements: 5 }],
  ['mon-empty', { context: 'self_monitoring', measurements: [] }],
  ['mon-long-key', { context: 'self_monitoring', measurements: [{ ['k'.repeat(60)]: 1 }, { hr: 2 }] }],
  ['private', { context: 'self_monitoring', privacy: 'True', measurements: [{ hr: 1 }] }],
  ['private-no', { context: 'self_monitoring', privacy: false, measurements: [{ hr: 1 }] }],
  ['other-type', { page_type: 'genetic' }],
  ['genetics', { page_type: 'medical', medical_context: 'genetics' }],
  ['social-ctx', { page_type: 'medical', social_context: 'housing' }],
  ['bad id!', { page_type: 'medical' }],
  ['array', [1, 2]],
  ['string', 'text'],
  ['null', null],
];

/** What migration 031's trigger wrote for a page: fhir_page_rows, with the page's context, code and date. */
const EXPECTED = `SELECT r.type, r.id, r.key, r.value, fhir_page_context(p.data) AS context,
         CASE WHEN r.type = 'Condition' THEN NULLIF(trim(p.data->>'health_condition_code'), '') END AS code,
         fhir_timestamp(p.data->>'page_date')::text AS date
  FROM pols p CROSS JOIN LATERAL fhir_page_rows(p.id, p.data) r WHERE p.id = ANY($1::varchar[]) ORDER BY 2, 1`;
const INDEXED = `SELECT type, id, key, value, context, code, date::text AS date
  FROM fhir_page_resources WHERE source = 'page' AND row_id = ANY($1::varchar[]) ORDER BY 2, 1`;

eachBackend('FHIR index trigger (migration 071)', (backend) => {
  let db: Db;
  before(async () => {
    db = await freshDb(backend);
    await migrate(db);
  });
  after(() => db.close());

  /** Runs a statement as a bulk import does (src/store/bulk-import.ts). */
  const bulk = (sql: string, param: string) =>
    db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('thalamus.bulk_import', 'on', true)`);
      await tx.query(sql, [param]);
    });

  /** Inserts the pages in one statement, then updates them all in another: the index is what fhir_page_rows says. */
  async function check(pages: [string, unknown][], mutate: (data: unknown) => unknown): Promise<void> {
    const ids = pages.map(([id]) => id);
    const json = (list: [string, unknown][]) => JSON.stringify(list.map(([id, data]) => ({ id, data })));
    await bulk('INSERT INTO pols (id, data) SELECT id, data FROM jsonb_to_recordset($1::jsonb) AS p(id varchar, data jsonb)', json(pages));
    assert.deepEqual(await db.query(INDEXED, [ids]), await db.query(EXPECTED, [ids]));
    const changed = pages.map(([id, data]) => [id, mutate(data)] as [string, unknown]);
    await bulk(
      'UPDATE pols SET data = p.data FROM jsonb_to_recordset($1::jsonb) AS p(id varchar, data jsonb) WHERE pols.id = p.id',
      json(changed),
    );
    assert.deepEqual(await db.query(INDEXED, [ids]), await db.query(EXPECTED, [ids]));
    await db.query('DELETE FROM pols WHERE id = ANY($1::varchar[])', [ids]);
    assert.deepEqual(await db.query(INDEXED, [ids]), []);
  }

  test('the edge cases of README "Page of life -> resources", inserted together, then changed', () =>
    check(EDGE, (data) => (data && typeof data === 'object' && !Array.isArray(data) ? { ...data, medical_context: 'lab' } : data)));

  test('one page at a time', async () => {
    for (const edge of EDGE.slice(0, 12)) await check([edge], () => ({ context: 'self_monitoring', measurements: [{ hr: 1 }] }));
  });

  test('two thousand pages of the generated national data set', () => {
    const set = nationalSize(400, 3);
    const pages = Array.from({ length: 2000 }, (_, j) => page(set, j)).map((p) => [p.id, p.data] as [string, unknown]);
    return check(pages, (data) => ({ ...(data as object), privacy: false, context: 'self_monitoring' }));
  });

  test('arbitrary pages', () => {
    const word = fc.constantFrom('medical', 'social', 'lifestyle', 'encounter', 'self_monitoring', 'lab', 'genetics', ' Lab ', '', 'x');
    const value = fc.oneof(fc.integer(), fc.constant(null), fc.string(), fc.record({ systolic: fc.integer() }));
    const measurements = fc.oneof(
      fc.array(fc.oneof(fc.dictionary(fc.constantFrom('hr', 'bp', 'a b', 'wt'), value), value), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom('hr', 'bp', 't'), value),
      fc.constantFrom("{'hr': 70}", "{'hr': None}", 'nope', '[1]'),
    );
    const data = fc.record(
      { page_type: word, domain: word, medical_context: word, social_context: word, context: word, privacy: fc.boolean(), measurements },
      { requiredKeys: [] },
    );
    // Page ids without '-', so that no page's id is another page's Observation id.
    const pages = fc.sample(
      fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z0-9.]{1,8}$/), data), { selector: ([id]) => id, maxLength: 300 }),
      {
        numRuns: 1,
        seed: 16,
      },
    )[0];
    return check(pages, (d) => ({ ...(d as object), page_type: 'lifestyle' }));
  });
});
