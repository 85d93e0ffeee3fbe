// The facade through a real FHIR client (fhir-kit-client over HTTP): capability statement, read, search, paging to the end.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Client } from 'fhir-kit-client';
import type { Bundle, CapabilityStatement, Patient } from 'fhir/r4.js';
import { asCameron, basic, CAMERON, eachBackend, useApp } from '../helper.ts';
import { ANA_PATIENT } from './expected.ts';
import { assertValidFhir } from './schema.ts';

const ANA = 'ESPGNU777ORG';
/** fhir-kit-client's own type for a Bundle with links. */
const paged = (bundle: Bundle) => bundle as unknown as Parameters<Client['nextPage']>[0]['bundle'];

eachBackend('FHIR through fhir-kit-client', (backend) => {
  const ctx = useApp(backend);
  let client: Client;
  let baseUrl: string;
  before(async () => {
    // 23 self-monitoring pages: 23 heart-rate Observations to page through.
    for (let i = 0; i < 23; i++) {
      const id = `e0000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`;
      const page = {
        id,
        domain: 'medical',
        context: 'self_monitoring',
        page_date: `2024-05-${String(i + 1).padStart(2, '0')}T08:00:00`,
        measurements: [{ hr: 60 + i }],
      };
      const res = await ctx.app.inject({ method: 'POST', url: `/pols/${ANA}/${id}`, headers: asCameron, payload: JSON.stringify(page) });
      assert.equal(res.statusCode, 200, res.body);
    }
    const address = await ctx.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `${address}/fhir`;
    client = new Client({ baseUrl, customHeaders: { Authorization: basic(CAMERON.id, CAMERON.password) } });
  });
  after(() => ctx.app.close());

  test('capabilityStatement(): R4, JSON, every served type with read and search', async () => {
    const cs = (await client.capabilityStatement()) as unknown as CapabilityStatement;
    assertValidFhir(cs);
    assert.equal(cs.fhirVersion, '4.0.1');
    assert.deepEqual(
      cs.rest?.[0].resource?.map((r) => r.type),
      [
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
      ],
    );
  });

  test('read(): Ana as a Patient', async () => {
    const patient = (await client.read({ resourceType: 'Patient', id: ANA })) as Patient;
    assertValidFhir(patient);
    const { meta, ...rest } = patient;
    assert.deepEqual(rest, ANA_PATIENT);
    assert.match(meta?.versionId ?? '', /^\d+$/);
  });

  test('search(): Patients by family name, and an Observation search', async () => {
    const found = (await client.search({ resourceType: 'Patient', searchParams: { family: 'betz' } })) as unknown as Bundle;
    assertValidFhir(found);
    assert.deepEqual([found.total, found.entry?.map((e) => e.resource?.id)], [1, [ANA]]);
    const hr = (await client.search({
      resourceType: 'Observation',
      searchParams: { patient: ANA, code: 'http://loinc.org|8867-4' },
    })) as unknown as Bundle;
    assert.equal(hr.total, 23);
  });

  test('nextPage() to the end and prevPage() back: every Observation once, in order, no duplicates', async () => {
    let bundle = (await client.search({
      resourceType: 'Observation',
      searchParams: { patient: ANA, code: '8867-4', _count: 5 },
    })) as unknown as Bundle;
    const ids: string[] = [];
    let pages = 0;
    for (;;) {
      assertValidFhir(bundle);
      pages++;
      ids.push(...(bundle.entry ?? []).map((e) => e.resource?.id ?? ''));
      const next = client.nextPage({ bundle: paged(bundle) });
      if (!next) break;
      bundle = (await next) as unknown as Bundle;
    }
    assert.equal(pages, 5);
    assert.equal(ids.length, 23);
    assert.equal(new Set(ids).size, 23);
    assert.deepEqual(ids, [...ids].sort());
    const back: string[] = [];
    for (let prev = client.prevPage({ bundle: paged(bundle) }); prev; prev = client.prevPage({ bundle: paged(bundle) })) {
      bundle = (await prev) as unknown as Bundle;
      back.unshift(...(bundle.entry ?? []).map((e) => e.resource?.id ?? ''));
    }
    assert.deepEqual(back, ids.slice(0, 20));
  });

  test('errors reach the client as OperationOutcomes: 404, 403, 405', async () => {
    const failure = async (promise: Promise<unknown>) => {
      const err = (await promise.then(
        () => assert.fail('expected an error'),
        (e: unknown) => e,
      )) as { response: { status: number; data: unknown } };
      assertValidFhir(err.response.data);
      return [err.response.status, (err.response.data as { issue: { code: string }[] }).issue[0].code];
    };
    assert.deepEqual(await failure(client.read({ resourceType: 'Patient', id: 'NOPNOP000NOP' })), [404, 'not-found']);
    const ana = new Client({ baseUrl, customHeaders: { Authorization: basic(ANA, 'gnusolidario') } });
    assert.deepEqual(await failure(ana.read({ resourceType: 'Patient', id: CAMERON.id })), [403, 'forbidden']);
    assert.deepEqual(await failure(client.create({ resourceType: 'Patient', body: { resourceType: 'Patient' } })), [405, 'not-supported']);
  });
});
