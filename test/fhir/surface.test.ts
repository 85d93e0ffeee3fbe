// The facade's surface, one test per rule: base and metadata, interactions, formats, errors, versions, access.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asAna, asCameron, basic, eachBackend, useApp } from '../helper.ts';
import type { CapabilityStatement } from 'fhir/r4.js';
import { fhir, outcome } from './call.ts';

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
    assert.deepEqual(patient?.interaction, [{ code: 'read' }, { code: 'search-type' }]);
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
    assert.deepEqual([type.status, type.body], [404, outcome('not-found', 'Unknown resource type "Foo" (served: Patient)')]);
    const readType = await fhir(ctx.app, '/fhir/Foo/1', asAna);
    assert.equal(readType.status, 404);
    const path = await fhir(ctx.app, '/fhir/Patient/ESPGNU777ORG/_history/1', asAna);
    assert.deepEqual(
      [path.status, path.body],
      [404, outcome('not-found', 'No FHIR interaction at GET /fhir/Patient/ESPGNU777ORG/_history/1')],
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
});
