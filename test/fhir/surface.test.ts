// The facade's surface, one test per rule: base and metadata, interactions, formats, errors, versions, access.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asAna, asCameron, basic, eachBackend, useApp } from '../helper.ts';
import type { CapabilityStatement } from 'fhir/r4.js';
import { entryIds, fhir, linkOf, outcome } from './call.ts';

eachBackend('FHIR surface', (backend) => {
  const ctx = useApp(backend);

  test('GET /fhir/metadata is public: a CapabilityStatement of what is served', async () => {
    const res = await fhir(ctx.app, '/fhir/metadata');
    assert.equal(res.status, 200);
    const cs = res.body as unknown as CapabilityStatement;
    assert.deepEqual(
      [cs.resourceType, cs.status, cs.kind, cs.fhirVersion, cs.format, cs.software?.name, cs.implementation?.url],
      ['CapabilityStatement', 'active', 'instance', '4.0.1', ['json'], 'Thalamus', 'http://localhost:80/fhir'],
    );
    assert.equal(typeof cs.date, 'string');
    const rest = cs.rest![0];
    assert.deepEqual([rest.mode, rest.security?.cors, rest.security?.service?.[0].coding?.[0].code], ['server', true, 'Basic']);
    const patient = rest.resource?.find((r) => r.type === 'Patient');
    assert.deepEqual(patient?.interaction, [{ code: 'read' }, { code: 'vread' }, { code: 'search-type' }]);
    assert.deepEqual(
      rest.searchParam?.map((p) => `${p.name}:${p.type}`),
      ['_summary:token', '_count:number', '_sort:special'],
    );
    assert.equal(patient?.versioning, 'versioned');
    assert.deepEqual(
      patient?.searchParam?.map((p) => `${p.name}:${p.type}`),
      ['_id:token', 'identifier:token', 'name:string', 'family:string', 'given:string', 'birthdate:date', 'gender:token', 'active:token'],
    );
  });

  test('formats: _format=json, application/fhir+json, application/json or no Accept give FHIR JSON', async () => {
    for (const [url, accept] of [
      ['/fhir/metadata?_format=json', undefined],
      ['/fhir/metadata?_format=application/fhir%2Bjson', undefined],
      ['/fhir/metadata?_format=application/fhir+json', undefined],
      ['/fhir/metadata', 'application/fhir+json'],
      ['/fhir/metadata', 'application/json'],
      ['/fhir/metadata', 'text/html,application/xhtml+xml,*/*;q=0.8'],
      ['/fhir/metadata', undefined],
    ] as const) {
      const res = await fhir(ctx.app, url, accept ? { accept } : {});
      assert.equal(res.status, 200, `${url} ${accept}`);
    }
  });

  test('formats: _format=xml, or an Accept of XML only, is 406 (as an OperationOutcome in JSON)', async () => {
    const message = (what: string) =>
      `${what} is not supported: this server speaks FHIR JSON only (_format=json, Accept: application/fhir+json)`;
    const viaFormat = await fhir(ctx.app, '/fhir/Patient/ESPGNU777ORG?_format=xml', asAna);
    assert.deepEqual([viaFormat.status, viaFormat.body], [406, outcome('not-supported', message('_format=xml'))]);
    const viaAccept = await fhir(ctx.app, '/fhir/metadata', { accept: 'application/fhir+xml' });
    assert.deepEqual([viaAccept.status, viaAccept.body], [406, outcome('not-supported', message('Accept: application/fhir+xml'))]);
    // _format wins over Accept.
    assert.equal((await fhir(ctx.app, '/fhir/metadata?_format=json', { accept: 'application/xml' })).status, 200);
  });

  test('401 without or with wrong credentials, with WWW-Authenticate', async () => {
    for (const headers of [{}, { authorization: basic('ESPGNU777ORG', 'wrong') }] as Record<string, string>[]) {
      const res = await fhir(ctx.app, '/fhir/Patient', headers);
      assert.deepEqual([res.status, res.body], [401, outcome('login', 'Unauthorized Access')]);
      assert.equal(res.headers['www-authenticate'], 'Basic realm="Thalamus", charset="UTF-8"');
    }
  });

  test('404 for an unknown type, an unknown id and a path the facade does not serve', async () => {
    const type = await fhir(ctx.app, '/fhir/Foo', asAna);
    assert.deepEqual(
      [type.status, type.body],
      [
        404,
        outcome(
          'not-found',
          'Unknown resource type "Foo" (served: Patient, Observation, Condition, Encounter, Procedure, Immunization, MedicationStatement, DiagnosticReport, FamilyMemberHistory, DocumentReference, Organization)',
        ),
      ],
    );
    const readType = await fhir(ctx.app, '/fhir/Foo/1', asAna);
    assert.equal(readType.status, 404);
    const path = await fhir(ctx.app, '/fhir/Patient/ESPGNU777ORG/_history', asAna);
    assert.deepEqual(
      [path.status, path.body],
      [404, outcome('not-found', 'No FHIR interaction at GET /fhir/Patient/ESPGNU777ORG/_history')],
    );
  });

  test('405 for every write (create, update, patch, delete, transaction), whoever asks', async () => {
    const expected = outcome('not-supported', 'This FHIR server is read-only: only read and search are supported');
    for (const [method, url] of [
      ['POST', '/fhir/Patient'],
      ['PUT', '/fhir/Patient/ESPGNU777ORG'],
      ['PATCH', '/fhir/Patient/ESPGNU777ORG'],
      ['DELETE', '/fhir/Patient/ESPGNU777ORG'],
      ['POST', '/fhir'],
    ] as const) {
      const res = await fhir(ctx.app, url, asCameron, { method, payload: '{"resourceType":"Patient"}' });
      assert.deepEqual([res.status, res.body, res.headers.allow], [405, expected, 'GET, HEAD'], `${method} ${url}`);
    }
  });

  test('read answers carry meta.versionId and ETag W/"<version>", meta.lastUpdated and Last-Modified', async () => {
    const res = await fhir(ctx.app, '/fhir/Patient/ESPGNU777ORG', asAna);
    const meta = res.body.meta as { versionId: string; lastUpdated: string };
    assert.match(meta.versionId, /^\d+$/);
    assert.equal(res.headers.etag, `W/"${meta.versionId}"`);
    assert.equal(res.headers['last-modified'], new Date(meta.lastUpdated).toUTCString());
  });

  test('vread: the current version answers as read does; another version is not kept (404)', async () => {
    const read = await fhir(ctx.app, '/fhir/Patient/ESPGNU777ORG', asAna);
    const version = (read.body.meta as { versionId: string }).versionId;
    const vread = await fhir(ctx.app, `/fhir/Patient/ESPGNU777ORG/_history/${version}`, asAna);
    assert.deepEqual([vread.status, vread.body, vread.headers.etag], [200, read.body, read.headers.etag]);
    const old = await fhir(ctx.app, '/fhir/Patient/ESPGNU777ORG/_history/0', asAna);
    assert.deepEqual(
      [old.status, old.body],
      [404, outcome('not-found', `Patient/ESPGNU777ORG/_history/0 is not kept: only the current version is (${version})`)],
    );
    // Access is checked as for read: Ana may not read Cameron's, whatever version she names.
    const other = await fhir(ctx.app, '/fhir/Patient/ITAPYT999HON/_history/1', asAna);
    assert.deepEqual([other.status, other.body], [403, outcome('forbidden', 'Not permitted: read Patient/ITAPYT999HON')]);
  });

  test('CORS preflight under /fhir needs no credentials and exposes ETag and Last-Modified', async () => {
    const res = await ctx.app.inject({
      method: 'OPTIONS',
      url: '/fhir/Patient',
      headers: { origin: 'https://portal.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(res.statusCode, 204);
    const get = await ctx.app.inject({ url: '/fhir/metadata', headers: { origin: 'https://portal.example' } });
    assert.equal(get.headers['access-control-expose-headers'], 'Link, WWW-Authenticate, Retry-After, ETag, Last-Modified');
  });
  const TYPES = [
    'Patient',
    'Observation',
    'Condition',
    'Encounter',
    'Procedure',
    'Immunization',
    'MedicationStatement',
    'DiagnosticReport',
    'FamilyMemberHistory',
    'DocumentReference',
    'Organization',
  ];
  const BIRTH = 'a8f2e2b4-5e0b-4c2e-9d1c-3f6b8f9a0b01';
  const CERTIFICATE = 'c41d7e9a-2b6f-4f8e-8a53-7e0d1c2b3a02';

  test('resources: every type the facade lists is searchable and listed in the CapabilityStatement', async () => {
    const cs = (await fhir(ctx.app, '/fhir/metadata')).body as unknown as CapabilityStatement;
    assert.deepEqual(
      cs.rest?.[0].resource?.map((r) => r.type),
      TYPES,
    );
    for (const type of TYPES) {
      const res = await fhir(ctx.app, `/fhir/${type}`, asCameron);
      assert.deepEqual([res.status, res.body.resourceType, res.body.type], [200, 'Bundle', 'searchset'], type);
    }
  });

  test('interactions: read, search by GET, and POST _search with a form body answering the same', async () => {
    assert.equal((await fhir(ctx.app, `/fhir/Observation/${CERTIFICATE}`, asAna)).body.id, CERTIFICATE);
    const viaGet = await fhir(ctx.app, `/fhir/DocumentReference?patient=ESPGNU777ORG&_count=1`, asAna);
    const viaPost = await fhir(
      ctx.app,
      '/fhir/DocumentReference/_search',
      { ...asAna, 'content-type': 'application/x-www-form-urlencoded' },
      {
        method: 'POST',
        payload: 'patient=ESPGNU777ORG&_count=1',
      },
    );
    assert.deepEqual(viaPost.body, viaGet.body);
  });

  test('search parameters: each type lists at least the required ones, and none of them is refused as unknown', async () => {
    const cs = (await fhir(ctx.app, '/fhir/metadata')).body as unknown as CapabilityStatement;
    const required: Record<string, string[]> = {
      Patient: ['_id', 'identifier', 'name', 'family', 'given', 'birthdate', 'gender', 'active'],
      Observation: ['subject', 'patient', 'category', 'code', 'date'],
      Condition: ['subject', 'patient', 'code'],
    };
    for (const type of TYPES.filter((t) => t !== 'Patient' && t !== 'Organization' && !required[t]))
      required[type] = ['subject', 'patient', 'date'];
    for (const [type, names] of Object.entries(required)) {
      const listed = cs.rest?.[0].resource?.find((r) => r.type === type)?.searchParam?.map((p) => p.name) ?? [];
      for (const name of names) {
        assert.ok(listed.includes(name), `${type} lists ${name}`);
        const value = name === 'birthdate' || name === 'date' ? 'ge2000' : name === 'active' ? 'true' : name === 'gender' ? 'female' : 'x';
        const res = await fhir(ctx.app, `/fhir/${type}?${name}=${value}`, { ...asCameron, prefer: 'handling=strict' });
        assert.equal(res.status, 200, `${type}?${name}`);
      }
    }
  });

  test('search values: date prefixes, token system|code and reference Patient/<id> or a bare id', async () => {
    const q = (query: string) => fhir(ctx.app, `/fhir/DocumentReference?${query}`, asAna).then((r) => entryIds(r.body));
    assert.deepEqual(await q('patient=Patient/ESPGNU777ORG&date=le1978-04-21'), [BIRTH]);
    assert.deepEqual(await q('subject=ESPGNU777ORG&date=gt1978-04-21'), []);
    assert.deepEqual(await q('patient=ESPGNU777ORG&date=ne1978'), []);
    const token = await fhir(ctx.app, '/fhir/Patient?gender=http://hl7.org/fhir/administrative-gender|female', asAna);
    assert.deepEqual(entryIds(token.body), ['ESPGNU777ORG']);
  });

  test('results: total, absolute fullUrl, search.mode match, self link of what was used, _count default 20 and at most 100', async () => {
    const res = await fhir(ctx.app, '/fhir/Patient?_count=1000&nothing=1', asCameron);
    const bundle = res.body as { total: number; entry: { fullUrl: string; search: unknown }[] };
    assert.equal(bundle.total, 3);
    assert.ok(bundle.entry.every((e) => /^http:\/\/localhost:80\/fhir\/Patient\/[A-Z0-9]+$/.test(e.fullUrl)));
    assert.ok(bundle.entry.every((e) => (e.search as { mode: string }).mode === 'match'));
    assert.equal(linkOf(res.body, 'self'), '/fhir/Patient?_count=100');
    assert.equal(linkOf((await fhir(ctx.app, '/fhir/Patient', asCameron)).body, 'self'), '/fhir/Patient?_count=20');
    const first = await fhir(ctx.app, '/fhir/Patient?_count=2', asCameron);
    const next = await fhir(ctx.app, linkOf(first.body, 'next') ?? '', asCameron);
    const previous = await fhir(ctx.app, linkOf(next.body, 'previous') ?? '', asCameron);
    assert.deepEqual(
      [entryIds(first.body), entryIds(next.body), entryIds(previous.body)],
      [['ARGBUE111FAV', 'ESPGNU777ORG'], ['ITAPYT999HON'], ['ARGBUE111FAV', 'ESPGNU777ORG']],
    );
  });

  test('_summary=count answers the total alone (as _count=0 does); other summaries are 400', async () => {
    const full = await fhir(ctx.app, '/fhir/Patient', asCameron);
    const count = await fhir(ctx.app, '/fhir/Patient?_summary=count', asCameron);
    assert.deepEqual(
      [count.status, count.body.total, count.body.entry, linkOf(count.body, 'self'), linkOf(count.body, 'next')],
      [200, full.body.total, undefined, '/fhir/Patient?_summary=count&_count=20', undefined],
    );
    const asFull = await fhir(ctx.app, '/fhir/Patient?_summary=false', asCameron);
    assert.deepEqual(entryIds(asFull.body), entryIds(full.body));
    const text = await fhir(ctx.app, '/fhir/Patient?_summary=text', asCameron);
    assert.deepEqual(
      [text.status, text.body],
      [400, outcome('invalid', '_summary=text is not supported (only count, or false for the full resources)')],
    );
  });

  test('unknown search parameters: ignored and left out of the self link, or 400 with Prefer: handling=strict', async () => {
    const lenient = await fhir(ctx.app, '/fhir/Observation?_elements=id&_sort=name&color=blue', asAna);
    assert.equal(linkOf(lenient.body, 'self'), '/fhir/Observation?_count=20');
    const strict = await fhir(ctx.app, '/fhir/Observation?color=blue', { ...asAna, prefer: 'handling=strict' });
    assert.deepEqual([strict.status, strict.body], [400, outcome('invalid', 'Unknown search parameter "color" (Prefer: handling=strict)')]);
  });

  test('403 when not permitted: an end user naming someone else, or reading another Patient', async () => {
    const named = await fhir(ctx.app, '/fhir/Condition?patient=ITAPYT999HON', asAna);
    assert.deepEqual([named.status, named.body], [403, outcome('forbidden', 'Not permitted: search the records of ITAPYT999HON')]);
    const read = await fhir(ctx.app, '/fhir/Patient/ITAPYT999HON', asAna);
    assert.equal(read.status, 403);
  });

  test('access: an end user sees her own compartment, a global role everyone, a private page nobody', async () => {
    const secret = {
      id: 'f0000000-0000-4000-8000-000000000001',
      domain: 'medical',
      context: 'health_condition',
      summary: 'secret',
      privacy: true,
    };
    await ctx.app.inject({ method: 'POST', url: `/pols/ESPGNU777ORG/${secret.id}`, headers: asAna, payload: JSON.stringify(secret) });
    const mine = await fhir(ctx.app, '/fhir/DocumentReference', asAna);
    assert.deepEqual(entryIds(mine.body), ['5b9c7f1e-8d2a-4e6b-9f3c-1a2b3c4d5e03', BIRTH]);
    assert.deepEqual(entryIds((await fhir(ctx.app, '/fhir/Patient', asAna)).body), ['ESPGNU777ORG']);
    assert.equal((await fhir(ctx.app, '/fhir/Patient', asCameron)).body.total, 3);
    assert.equal((await fhir(ctx.app, `/fhir/Condition/${secret.id}`, asAna)).status, 404);
    assert.equal((await fhir(ctx.app, '/fhir/Condition', asCameron)).body.total, 0);
  });

  test('read answers of page resources carry a version too, which a change to the page moves', async () => {
    const before = await fhir(ctx.app, `/fhir/Observation/${CERTIFICATE}`, asAna);
    await ctx.app.inject({ method: 'PATCH', url: `/pols/ESPGNU777ORG/${CERTIFICATE}`, headers: asAna, payload: '{"info":"Registered"}' });
    const after = await fhir(ctx.app, `/fhir/Observation/${CERTIFICATE}`, asAna);
    assert.notEqual(after.headers.etag, before.headers.etag);
    assert.equal(after.headers.etag, `W/"${(after.body.meta as { versionId: string }).versionId}"`);
    assert.equal(after.headers['last-modified'], new Date((after.body.meta as { lastUpdated: string }).lastUpdated).toUTCString());
    assert.deepEqual(after.body.note, [{ text: 'Registered' }]);
  });
});
