// Pages of life as FHIR resources: golden mappings of MyGNUHealth and HMIS pages, private pages absent, search parameters, access.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { asAna, asCameron, eachBackend, useApp } from '../helper.ts';
import { entryIds, fhir, type FhirAnswer } from './call.ts';
import { HMIS, MGH } from './pages-data.ts';

const ANA = 'ESPGNU777ORG';
const CAMERON = 'ITAPYT999HON';
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const VITAL = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }];
const cat = (code: string) => [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code }] }];
const uuid = (id: string) => [{ system: 'urn:ietf:rfc:3986', value: `urn:uuid:${id}` }];
const qty = (value: number, unit: string) => ({ value, unit, system: UCUM, code: unit });

/** The resource with its varying meta (version, time) taken out; a relevance tag stays. */
function stable(answer: FhirAnswer): Record<string, unknown> {
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const { meta, ...rest } = answer.body as { meta: { versionId: string; lastUpdated?: string; tag?: unknown } };
  assert.equal(answer.headers.etag, `W/"${meta.versionId}"`);
  return meta.tag ? { ...rest, meta: { tag: meta.tag } } : rest;
}

eachBackend('FHIR pages of life', (backend) => {
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
  const read = (path: string, headers = asCameron) => fhir(ctx.app, `/fhir/${path}`, headers);
  const ids = async (query: string, headers = asCameron) => {
    const res = await fhir(ctx.app, `/fhir/${query}`, headers);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return entryIds(res.body);
  };

  test('MyGNUHealth blood pressure + heart rate: one Observation per measurement, LOINC and UCUM', async () => {
    const id = MGH.bpHr.id;
    const common = {
      resourceType: 'Observation',
      identifier: uuid(id),
      status: 'final',
      subject: { reference: `Patient/${ANA}` },
      effectiveDateTime: '2024-03-01T08:00:00Z',
      note: [{ text: 'Sitting, left arm' }],
      category: VITAL,
    };
    assert.deepEqual(stable(await read(`Observation/${id}-bp`, asAna)), {
      ...common,
      id: `${id}-bp`,
      meta: { tag: [{ system: 'https://www.gnuhealth.org/fhir/CodeSystem/relevance', code: 'normal' }] },
      code: {
        coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel with all children optional' }],
        text: 'Blood pressure panel with all children optional',
      },
      component: [
        {
          code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic blood pressure' }], text: 'Systolic blood pressure' },
          valueQuantity: qty(116, 'mm[Hg]'),
        },
        {
          code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic blood pressure' }], text: 'Diastolic blood pressure' },
          valueQuantity: qty(79, 'mm[Hg]'),
        },
      ],
    });
    assert.deepEqual(stable(await read(`Observation/${id}-hr`, asAna)), {
      ...common,
      id: `${id}-hr`,
      meta: { tag: [{ system: 'https://www.gnuhealth.org/fhir/CodeSystem/relevance', code: 'normal' }] },
      code: { coding: [{ system: LOINC, code: '8867-4', display: 'Heart rate' }], text: 'Heart rate' },
      valueQuantity: qty(75, '/min'),
    });
  });

  test('glucose (glucometer), oxygen saturation, weight and BMI', async () => {
    const g = stable(await read(`Observation/${MGH.glucose.id}-bg`));
    assert.deepEqual(
      [g.category, g.code, g.valueQuantity],
      [
        cat('laboratory'),
        {
          coding: [{ system: LOINC, code: '41653-7', display: 'Glucose [Mass/volume] in Capillary blood by Glucometer' }],
          text: 'Glucose [Mass/volume] in Capillary blood by Glucometer',
        },
        qty(118, 'mg/dL'),
      ],
    );
    const o = stable(await read(`Observation/${MGH.osat.id}-osat`));
    assert.deepEqual(
      [(o.code as { coding: { code: string }[] }).coding.map((c) => c.code), o.valueQuantity],
      [['2708-6', '59408-5'], qty(98, '%')],
    );
    const w = stable(await read(`Observation/${MGH.weightBmi.id}-wt`));
    const b = stable(await read(`Observation/${MGH.weightBmi.id}-bmi`));
    assert.deepEqual(
      [w.valueQuantity, b.valueQuantity, (b.code as { coding: { code: string }[] }).coding[0].code],
      [qty(72.5, 'kg'), qty(24.1, 'kg/m2'), '39156-5'],
    );
  });

  test('a lifestyle page: steps, calories and sleep, category activity', async () => {
    const id = MGH.lifestyle.id;
    const found = await ids(`Observation?patient=${ANA}&category=activity`);
    assert.deepEqual(found, [`${id}-nutrition`, `${id}-pa`, `${id}-sleep`]);
    const values = [];
    for (const key of ['pa', 'nutrition', 'sleep']) {
      const o = stable(await read(`Observation/${id}-${key}`));
      values.push([(o.code as { coding: { code: string }[] }).coding[0].code, o.valueQuantity, o.effectiveDateTime]);
    }
    assert.deepEqual(values, [
      ['55423-8', qty(8200, '{steps}'), '2024-03-05'],
      ['9052-2', qty(2100, 'kcal'), '2024-03-05'],
      ['93832-4', qty(7.5, 'h'), '2024-03-05'],
    ]);
  });

  test('a genetics page: one Observation 69548-6 with gene, dbSNP, amino-acid change and significance', async () => {
    const id = MGH.genetics.id;
    const comp = (code: string, display: string, text: string) => ({
      code: { coding: [{ system: LOINC, code, display }], text: display },
      valueCodeableConcept: { text },
    });
    assert.deepEqual(stable(await read(`Observation/${id}`)), {
      resourceType: 'Observation',
      id,
      identifier: uuid(id),
      status: 'final',
      subject: { reference: `Patient/${ANA}` },
      effectiveDateTime: '2024-03-06T12:00:00Z',
      category: cat('laboratory'),
      code: { coding: [{ system: LOINC, code: '69548-6', display: 'Genetic variant assessment' }], text: 'Genetic variant assessment' },
      component: [
        comp('48018-6', 'Gene studied [ID]', 'F5'),
        comp('81255-2', 'dbSNP [ID]', 'rs6025'),
        comp('48005-3', 'Amino acid change (pHGVS)', 'p.Arg534Gln'),
        comp('53037-8', 'Genetic variation clinical significance [Imp]', 'pathogenic'),
      ],
    });
  });

  test('a private page appears nowhere: not read, not searched, not counted', async () => {
    const id = MGH.private.id;
    for (const path of [`Condition/${id}`, `Observation/${id}-hr`, `DocumentReference/${id}`]) {
      const res = await read(path);
      assert.equal(res.status, 404, path);
    }
    for (const type of ['Condition', 'Observation', 'DocumentReference', 'Encounter']) {
      const res = await fhir(ctx.app, `/fhir/${type}?patient=${ANA}&_count=100`, asAna);
      assert.ok(!JSON.stringify(res.body).includes(id), type);
    }
  });

  test('an HMIS encounter whose measurements are a Python dict string: Encounter + an Observation per value', async () => {
    const id = HMIS.encounter.id;
    assert.deepEqual(stable(await read(`Encounter/${id}`)), {
      resourceType: 'Encounter',
      id,
      meta: { tag: [{ system: 'https://www.gnuhealth.org/fhir/CodeSystem/relevance', code: 'important' }] },
      identifier: uuid(id),
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
      type: [{ text: 'Check-up' }],
      subject: { reference: `Patient/${CAMERON}` },
      period: { start: '2024-03-05T10:30:00Z' },
      reasonCode: [{ coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10' }], text: 'Essential hypertension' }],
      serviceProvider: { display: 'Las Palmas General Hospital' },
    });
    assert.deepEqual(await ids(`Observation?patient=Patient/${CAMERON}`), [`${id}-bp`, `${id}-hr`, `${id}-t`, `${id}-wt`]);
    const bp = stable(await read(`Observation/${id}-bp`));
    assert.deepEqual(
      [bp.encounter, bp.effectiveDateTime, (bp.component as { valueQuantity: unknown }[]).map((c) => c.valueQuantity)],
      [{ reference: `Encounter/${id}` }, '2024-03-05T10:30:00Z', [qty(130, 'mm[Hg]'), qty(85, 'mm[Hg]')]],
    );
    const t = stable(await read(`Observation/${id}-t`));
    assert.deepEqual([(t.code as { coding: { code: string }[] }).coding[0].code, t.valueQuantity], ['8310-5', qty(36.8, 'Cel')]);
  });

  test('HMIS pages: Condition, Procedure, Immunization, MedicationStatement, DiagnosticReport, FamilyMemberHistory, Encounter IMP', async () => {
    const subject = { reference: `Patient/${CAMERON}` };
    const tag = { tag: [{ system: 'https://www.gnuhealth.org/fhir/CodeSystem/relevance', code: 'important' }] };
    assert.deepEqual(stable(await read(`Condition/${HMIS.condition.id}`)), {
      resourceType: 'Condition',
      id: HMIS.condition.id,
      meta: tag,
      identifier: uuid(HMIS.condition.id),
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10' }], text: 'Essential hypertension' },
      subject,
      recordedDate: '2024-03-05T10:40:00Z',
      note: [{ text: 'Diagnosed at the check-up' }],
    });
    const p = stable(await read(`Procedure/${HMIS.procedure.id}`));
    assert.deepEqual(
      [p.status, p.code, p.performedDateTime],
      [
        'completed',
        { coding: [{ system: 'http://www.cms.gov/Medicare/Coding/ICD10', code: '0DTJ4ZZ' }], text: 'Appendectomy' },
        '2024-03-06T10:00:00Z',
      ],
    );
    const i = stable(await read(`Immunization/${HMIS.immunization.id}`));
    assert.deepEqual(
      [i.status, i.vaccineCode, i.patient, i.occurrenceDateTime],
      ['completed', { text: 'Influenza vaccine' }, subject, '2024-03-07'],
    );
    const m = stable(await read(`MedicationStatement/${HMIS.prescription.id}`));
    assert.deepEqual([m.medicationCodeableConcept, m.effectiveDateTime], [{ text: 'Enalapril 10 mg daily' }, '2024-03-08T09:00:00Z']);
    const lab = stable(await read(`DiagnosticReport/${HMIS.lab.id}`));
    const rad = stable(await read(`DiagnosticReport/${HMIS.imaging.id}`));
    assert.deepEqual(
      [lab.category, lab.code, lab.conclusion, (rad.category as { coding: { code: string }[] }[])[0].coding[0].code],
      [
        [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB' }] }],
        { text: 'Lipid panel' },
        'LDL 130 mg/dL',
        'RAD',
      ],
    );
    const f = stable(await read(`FamilyMemberHistory/${HMIS.family.id}`));
    assert.deepEqual(
      [f.relationship, f.condition],
      [
        { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'FAMMEMB', display: 'family member' }] },
        [{ code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'E11' }], text: 'Type 2 diabetes' } }],
      ],
    );
    const h = stable(await read(`Encounter/${HMIS.hospitalization.id}`));
    assert.equal((h.class as { code: string }).code, 'IMP');
    const bio = stable(await read(`DocumentReference/${HMIS.biographical.id}`));
    assert.deepEqual([bio.type, bio.description, bio.date], [{ text: 'biographical' }, 'Moved to Las Palmas', undefined]);
  });

  test("Ana's demo pages: her birth page and birth picture as DocumentReferences, her certificate a social-history Observation", async () => {
    const birth = 'a8f2e2b4-5e0b-4c2e-9d1c-3f6b8f9a0b01';
    const doc = stable(await read(`DocumentReference/${birth}`, asAna));
    assert.deepEqual(doc, {
      resourceType: 'DocumentReference',
      id: birth,
      meta: { tag: [{ system: 'https://www.gnuhealth.org/fhir/CodeSystem/relevance', code: 'important' }] },
      identifier: uuid(birth),
      status: 'current',
      type: { text: 'birth' },
      subject: { reference: `Patient/${ANA}` },
      date: '1978-04-21T09:30:00Z',
      custodian: { display: 'Milano General Hospital' },
      description: 'Born at Milano General Hospital, 3.2 kg, Apgar 9/10',
      content: [
        {
          attachment: {
            contentType: 'text/plain; charset=utf-8',
            data: Buffer.from('Uncomplicated vaginal delivery at term. Healthy newborn girl.').toString('base64'),
            title: 'Born at Milano General Hospital, 3.2 kg, Apgar 9/10',
          },
        },
      ],
    });
    const picture = '5b9c7f1e-8d2a-4e6b-9f3c-1a2b3c4d5e03';
    const pic = stable(await read(`DocumentReference/${picture}`, asAna));
    assert.deepEqual(
      [pic.identifier, pic.content, pic.context, pic.description],
      [
        [
          ...uuid(picture),
          {
            system: 'https://www.gnuhealth.org/fhir/sid/sha512',
            value:
              'cfdabc8d58411155db36e7889ebbe7ed9cc68533bdb3014d331440170a1404ced4e141b486a765de601a59eec9c2f9d7150eb04024c910fb51246f793f3f5739',
          },
        ],
        [
          {
            attachment: {
              contentType: 'image/jpeg',
              url: `http://localhost:80/personal_docs/${ANA}/${birth}/${picture}`,
              size: 909,
              title: 'ana-birth-picture.jpg',
            },
          },
        ],
        { related: [{ reference: `DocumentReference/${birth}` }] },
        'Picture at birth',
      ],
    );
    const bytes = await ctx.app.inject({ url: `/personal_docs/${ANA}/${birth}/${picture}`, headers: asAna });
    assert.equal((pic.content as { attachment: { size: number } }[])[0].attachment.size, bytes.rawPayload.length);
    const cert = stable(await read('Observation/c41d7e9a-2b6f-4f8e-8a53-7e0d1c2b3a02', asAna));
    assert.deepEqual(
      [cert.category, cert.code, cert.valueString],
      [cat('social-history'), { text: 'Social history' }, 'Birth certificate'],
    );
    assert.deepEqual(await ids(`DocumentReference?patient=${ANA}`, asAna), [picture, birth]);
  });
});
