// Searching the resources of pages of life: every parameter form, access by compartment, paging, and rows read per page.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import type { Db } from '../../src/db/db.ts';
import { asAna, asCameron, asRoot, eachBackend, useApp } from '../helper.ts';
import { entryIds, fhir, linkOf, outcome } from './call.ts';
import { HMIS, MGH } from './pages-data.ts';

const ANA = 'ESPGNU777ORG';
const CAMERON = 'ITAPYT999HON';
const BP = MGH.bpHr.id;
const ENC = HMIS.encounter.id;

/** A Db that remembers how many rows each query over the FHIR index returned. */
function counting(db: Db, seen: number[]): Db {
  return {
    ...db,
    kind: db.kind,
    async query<T>(sql: string, params?: readonly unknown[]) {
      const rows = await db.query<T>(sql, params);
      // The total comes in the same statement as the page (store/fhir-pages.ts): each row still one resource at most.
      if (sql.includes('FROM fhir_page_resources r')) seen.push(rows.length);
      return rows;
    },
    exec: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction(fn),
    close: () => db.close(),
  };
}

eachBackend('FHIR searches of pages', (backend) => {
  const ctx = useApp(backend);
  before(async () => {
    for (const page of Object.values(MGH)) {
      const res = await ctx.app.inject({ method: 'POST', url: `/pols/${ANA}/${page.id}`, headers: asAna, payload: JSON.stringify(page) });
      assert.equal(res.statusCode, 200, res.body);
    }
    for (const page of Object.values(HMIS)) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: `/pols/${CAMERON}/${page.id}`,
        headers: asCameron,
        payload: JSON.stringify(page),
      });
      assert.equal(res.statusCode, 200, res.body);
    }
  });
  const ids = async (query: string, headers = asCameron) => {
    const res = await fhir(ctx.app, `/fhir/${query}`, headers);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return entryIds(res.body);
  };

  test('reference forms: patient or subject, Patient/<id>, a bare id, an absolute URL; another type matches nothing', async () => {
    const expected = [`${ENC}-bp`, `${ENC}-hr`, `${ENC}-t`, `${ENC}-wt`];
    for (const q of [
      `patient=${CAMERON}`,
      `subject=Patient/${CAMERON}`,
      `patient=http://localhost/fhir/Patient/${CAMERON}`,
      `subject:Patient=${CAMERON}`,
    ]) {
      assert.deepEqual(await ids(`Observation?${q}`), expected, q);
    }
    assert.deepEqual(await ids(`Observation?subject=Group/${CAMERON}`), []);
  });

  test('token forms: code, system|code, |code; category; an unknown system matches nothing', async () => {
    assert.deepEqual(await ids('Observation?code=8867-4'), [`${BP}-hr`, `${ENC}-hr`]);
    assert.deepEqual(await ids('Observation?code=http://loinc.org|8867-4'), [`${BP}-hr`, `${ENC}-hr`]);
    assert.deepEqual(await ids('Observation?code=http://snomed.info/sct|8867-4'), []);
    assert.deepEqual(await ids('Observation?code=|8867-4'), []);
    assert.deepEqual(await ids('Observation?code=85354-9,29463-7'), [`${BP}-bp`, `${MGH.weightBmi.id}-wt`, `${ENC}-bp`, `${ENC}-wt`]);
    assert.deepEqual(await ids('Observation?code=41653-7'), [`${MGH.glucose.id}-bg`]);
    assert.deepEqual(await ids('Observation?code=2339-0'), []);
    assert.deepEqual(await ids('Observation?code=59408-5'), [`${MGH.osat.id}-osat`]);
    assert.deepEqual(await ids('Observation?code=69548-6'), [MGH.genetics.id]);
    assert.deepEqual(await ids(`Observation?patient=${ANA}&category=laboratory`), [`${MGH.glucose.id}-bg`, MGH.genetics.id]);
    assert.deepEqual(
      await ids(`Observation?patient=${ANA}&category=http://terminology.hl7.org/CodeSystem/observation-category|social-history`),
      ['c41d7e9a-2b6f-4f8e-8a53-7e0d1c2b3a02'],
    );
    assert.deepEqual(await ids('Condition?code=I10'), [HMIS.condition.id]);
    assert.deepEqual(await ids('Condition?code=http://hl7.org/fhir/sid/icd-10|I10'), [HMIS.condition.id]);
    assert.deepEqual(await ids('Condition?code=http://loinc.org|I10'), []);
    assert.deepEqual(await ids(`Encounter?_id=${ENC}`), [ENC]);
  });

  test('date with every prefix, over ISO and RFC 1123 page dates', async () => {
    assert.deepEqual(await ids('Encounter?date=2024-03-05'), [ENC]);
    assert.deepEqual(await ids('Encounter?date=eq2024-03-05T10:30'), [ENC]);
    assert.deepEqual(await ids('Encounter?date=gt2024-03-05'), [HMIS.hospitalization.id]);
    assert.deepEqual(await ids('Encounter?date=ge2024-03-05'), [ENC, HMIS.hospitalization.id]);
    assert.deepEqual(await ids('Encounter?date=lt2024-03-12'), [ENC]);
    assert.deepEqual(await ids('Encounter?date=le2024-03-12'), [ENC, HMIS.hospitalization.id]);
    assert.deepEqual(await ids('Encounter?date=ne2024-03'), []);
    assert.deepEqual(await ids(`Observation?patient=${ANA}&date=ge2024-03-02&date=lt2024-03-04`), [
      `${MGH.glucose.id}-bg`,
      `${MGH.osat.id}-osat`,
    ]);
  });

  test("an end user sees only her own compartment: others' records are 404 to read and 403 to name", async () => {
    assert.deepEqual(await ids('Observation?code=8867-4', asAna), [`${BP}-hr`]);
    const other = await fhir(ctx.app, `/fhir/Observation/${ENC}-hr`, asAna);
    assert.deepEqual([other.status, other.body], [404, outcome('not-found', `Observation/${ENC}-hr is not known`)]);
    const named = await fhir(ctx.app, `/fhir/Observation?patient=${CAMERON}`, asAna);
    assert.deepEqual([named.status, named.body], [403, outcome('forbidden', `Not permitted: search the records of ${CAMERON}`)]);
    assert.deepEqual(await ids(`Condition`, asAna), []);
    assert.equal((await fhir(ctx.app, `/fhir/Observation/${BP}-hr`, asAna)).status, 200);
  });

  test('Organization from institutions: read, search by name, as institution/institutions', async () => {
    const inst = { name: 'Las Palmas General Hospital', address_city: 'Las Palmas', address_country: 'ES', phone: '+34 928 000 000' };
    const made = await ctx.app.inject({ method: 'POST', url: '/institutions/LPGH', headers: asRoot, payload: JSON.stringify(inst) });
    assert.equal(made.statusCode, 200, made.body);
    const res = await fhir(ctx.app, '/fhir/Organization/LPGH', asCameron);
    const { meta: _meta, ...org } = res.body;
    assert.deepEqual(org, {
      resourceType: 'Organization',
      id: 'LPGH',
      identifier: [{ system: 'https://www.gnuhealth.org/fhir/sid/institution', value: 'LPGH' }],
      name: 'Las Palmas General Hospital',
      telecom: [{ system: 'phone', value: '+34 928 000 000' }],
      address: [{ use: 'work', city: 'Las Palmas', country: 'ES' }],
    });
    assert.deepEqual(await ids('Organization?name=palmas'), ['LPGH']);
    assert.deepEqual(await ids('Organization?name=milano'), []);
    const ana = await fhir(ctx.app, '/fhir/Organization?name=palmas', asAna);
    assert.deepEqual([ana.status, ana.body], [403, outcome('forbidden', 'Not permitted: search Organization')]);
  });

  test('a search of one book is kept while its version holds, and follows every change, whoever writes it', async () => {
    const url = `/fhir/Observation?patient=${CAMERON}&code=8867-4&_count=50`;
    const totalNow = async () => (await fhir(ctx.app, url, asCameron)).body.total as number;
    const first = await fhir(ctx.app, url, asCameron);
    const again = await fhir(ctx.app, url, asCameron);
    assert.deepEqual(again.body, first.body);
    const before = first.body.total as number;
    // Through the API.
    const id = 'e0000000-0000-4000-8000-000000000001';
    const page = { id, domain: 'medical', context: 'self_monitoring', page_date: '2024-05-01', measurements: [{ hr: 61 }] };
    const res = await ctx.app.inject({ method: 'POST', url: `/pols/${CAMERON}/${id}`, headers: asCameron, payload: JSON.stringify(page) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(await totalNow(), before + 1);
    // Behind the server's back (another instance, the reference Thalamus, psql).
    await ctx.db.query('DELETE FROM pols WHERE id = $1', [id]);
    assert.equal(await totalNow(), before);
    // Someone else's book changing does not matter to it, and another caller's access is still checked first.
    assert.deepEqual((await fhir(ctx.app, url, asCameron)).body, first.body);
    const refused = await fhir(ctx.app, url, asAna);
    assert.deepEqual([refused.status, refused.body], [403, outcome('forbidden', `Not permitted: search the records of ${CAMERON}`)]);
  });

  test('_sort=date and -date: by when it happened (undated last), then id, paging both ways without gaps', async () => {
    type Entry = { resource: { id: string; effectiveDateTime?: string } };
    const walk = async (sort: string) => {
      const seen: Entry['resource'][] = [];
      let url: string | undefined = `/fhir/Observation?patient=${ANA}&_sort=${sort}&_count=2`;
      const selfs: string[] = [];
      while (url) {
        const res = await fhir(ctx.app, url, asAna);
        assert.equal(res.status, 200);
        selfs.push(linkOf(res.body, 'self')!);
        seen.push(...((res.body.entry ?? []) as Entry[]).map((e) => e.resource));
        url = linkOf(res.body, 'next');
      }
      return { seen, selfs };
    };
    const byId = await fhir(ctx.app, `/fhir/Observation?patient=${ANA}&_count=100`, asAna);
    const all = entryIds(byId.body).sort();
    const up = await walk('date');
    const down = await walk('-date');
    assert.match(up.selfs[0], /&_sort=date&_count=2$/);
    assert.deepEqual([...up.seen.map((r) => r.id)].sort(), all);
    assert.deepEqual([...down.seen.map((r) => r.id)].sort(), all);
    const time = (r: Entry['resource']) => (r.effectiveDateTime ? Date.parse(r.effectiveDateTime) : null);
    const dated = (list: Entry['resource'][]) => list.filter((r) => time(r) !== null);
    // Undated ones come last in both orders.
    assert.deepEqual(up.seen.slice(dated(up.seen).length).map(time), down.seen.slice(dated(down.seen).length).map(time));
    const t = dated(up.seen).map((r) => time(r)!);
    assert.deepEqual(
      t,
      [...t].sort((a, b) => a - b),
    );
    const d = dated(down.seen).map((r) => time(r)!);
    assert.deepEqual(
      d,
      [...d].sort((a, b) => b - a),
    );
    assert.ok(t.length >= 3 && t[0] < t[t.length - 1], `dates: ${t.join(', ')}`);
    // previous from the last page walks back over the same pages.
    let back: string | undefined = up.selfs[up.selfs.length - 1];
    const again: string[] = [];
    while (back) {
      const res = await fhir(ctx.app, back, asAna);
      again.unshift(...((res.body.entry ?? []) as Entry[]).map((e) => e.resource.id));
      back = linkOf(res.body, 'previous');
    }
    assert.deepEqual(
      again,
      up.seen.map((r) => r.id),
    );
    // Patient has no date to sort by: ignored, or 400 when strict.
    const patients = await fhir(ctx.app, '/fhir/Patient?_sort=date', asCameron);
    assert.equal(patients.status, 200);
    const strict = await fhir(ctx.app, '/fhir/Patient?_sort=date', { ...asCameron, prefer: 'handling=strict' });
    assert.deepEqual([strict.status, strict.body], [400, outcome('invalid', '_sort=date is not supported here (Prefer: handling=strict)')]);
  });

  test('paging 30 pages of one person: no duplicates or gaps, and no query reads more than the page plus one row', async () => {
    for (let i = 0; i < 30; i++) {
      const id = `d0000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`;
      const page = {
        id,
        domain: 'medical',
        context: 'self_monitoring',
        page_date: `2024-04-${String(1 + (i % 28)).padStart(2, '0')}`,
        measurements: [{ hr: 60 + i }],
      };
      await ctx.app.inject({ method: 'POST', url: `/pols/${CAMERON}/${id}`, headers: asCameron, payload: JSON.stringify(page) });
    }
    const seen: number[] = [];
    const app = await buildApp({ config: ctx.config, db: counting(ctx.db, seen), logger: false });
    try {
      const all: string[] = [];
      let url: string | undefined = `/fhir/Observation?patient=${CAMERON}&code=8867-4&_count=7`;
      while (url) {
        const res = await fhir(app, url, asCameron);
        assert.equal(res.body.total, 31);
        all.push(...entryIds(res.body));
        url = linkOf(res.body, 'next');
      }
      assert.equal(all.length, 31);
      assert.equal(new Set(all).size, 31);
      assert.ok(seen.length >= 5 && Math.max(...seen) <= 8, `rows per query: ${seen.join(', ')}`);
    } finally {
      await app.close();
    }
  });
});
