// Person -> Patient mapping and the date forms it reads, field by field (FHIR.md's table as the facade documents it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fhirDate, fhirDateTime, parseDateBound } from '../../src/fhir/dates.ts';
import { toPatient } from '../../src/fhir/patient.ts';
import { assertValidFhir } from '../fhir/schema.ts';

const EXT = 'https://www.gnuhealth.org/fhir/StructureDefinition/';
const patient = (data: Record<string, unknown>, du?: Record<string, unknown>) => {
  const p = toPatient({ id: 'ESPGNU777ORG', data, du });
  assertValidFhir(p);
  return p;
};

test('dob: YYYY-MM-DD, ISO date-times and RFC 1123 dates give YYYY-MM-DD; anything else none', () => {
  assert.equal(fhirDate('1985-10-04'), '1985-10-04');
  assert.equal(fhirDate('1985-10-04T23:30:00-05:00'), '1985-10-04');
  assert.equal(fhirDate('Fri, 04 Oct 1985 13:05:00 GMT'), '1985-10-04');
  for (const bad of ['1985-02-30', '04/10/1985', '', 'Fri, 04 Foo 1985 13:05:00 GMT', 19851004, null])
    assert.equal(fhirDate(bad), undefined);
});

test('date-times: a time without zone is UTC; a date stays a date', () => {
  assert.equal(fhirDateTime('2020-01-02T03:04:05'), '2020-01-02T03:04:05Z');
  assert.equal(fhirDateTime('2020-01-02 03:04'), '2020-01-02T03:04:00Z');
  assert.equal(fhirDateTime('2020-01-02T03:04:05.123+02:00'), '2020-01-02T03:04:05.123+02:00');
  assert.equal(fhirDateTime('2020-01-02'), '2020-01-02');
  assert.equal(fhirDateTime('Fri, 04 Oct 1985 13:05:00 GMT'), '1985-10-04T13:05:00Z');
  assert.equal(fhirDateTime('yesterday'), undefined);
});

test('date search values: prefix and the period of their precision', () => {
  assert.deepEqual(parseDateBound('1985'), { prefix: 'eq', start: '1985-01-01T00:00:00', end: '1986-01-01T00:00:00' });
  assert.deepEqual(parseDateBound('ge1985-12'), { prefix: 'ge', start: '1985-12-01T00:00:00', end: '1986-01-01T00:00:00' });
  assert.deepEqual(parseDateBound('lt2020-02-29'), { prefix: 'lt', start: '2020-02-29T00:00:00', end: '2020-03-01T00:00:00' });
  assert.deepEqual(parseDateBound('ne2020-01-01T10:00+02:00'), { prefix: 'ne', start: '2020-01-01T08:00:00', end: '2020-01-01T08:01:00' });
  assert.deepEqual(parseDateBound('le2020-01-01T10:00:30Z'), { prefix: 'le', start: '2020-01-01T10:00:30', end: '2020-01-01T10:00:31' });
  assert.throws(() => parseDateBound('ap2020'), /Unsupported date prefix "ap"/);
  assert.throws(() => parseDateBound('2021-02-29'), /Invalid date/);
});

test('gender: GNU Health codes to FHIR; biological_sex when gender is missing; the sex also as an extension', () => {
  const cases: [Record<string, unknown>, string | undefined][] = [
    [{ gender: 'm' }, 'male'],
    [{ gender: 'Female' }, 'female'],
    [{ gender: 'nb' }, 'other'],
    [{ gender: 'f-m' }, 'other'],
    [{ gender: 'm-f' }, 'other'],
    [{ gender: 'other' }, 'other'],
    [{ gender: 'nd' }, 'unknown'],
    [{ gender: 'u' }, 'unknown'],
    [{ gender: 'zz' }, 'unknown'],
    [{ biological_sex: 'f' }, 'female'],
    [{}, undefined],
  ];
  for (const [data, gender] of cases) assert.equal(patient(data).gender, gender, JSON.stringify(data));
  assert.deepEqual(patient({ gender: 'nb', biological_sex: 'f' }).extension, [{ url: `${EXT}biological-sex`, valueCode: 'f' }]);
});

test('marital status: v3-MaritalStatus codes, else UNK of v3-NullFlavor', () => {
  const code = (raw: string) => patient({ marital_status: raw }).maritalStatus?.coding?.[0];
  const v3 = 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus';
  assert.deepEqual(
    ['s', 'single', 'm', 'married', 'c', 'w', 'widowed', 'd', 'divorced', 'x'].map((r) => [code(r)?.system, code(r)?.code]),
    [
      [v3, 'U'],
      [v3, 'U'],
      [v3, 'M'],
      [v3, 'M'],
      [v3, 'T'],
      [v3, 'W'],
      [v3, 'W'],
      [v3, 'D'],
      [v3, 'D'],
      [v3, 'L'],
    ],
  );
  assert.deepEqual(code('q'), { system: 'http://terminology.hl7.org/CodeSystem/v3-NullFlavor', code: 'UNK', display: 'unknown' });
});

test('deceased: the date wins over the flag; name split into given names; telecom; language', () => {
  assert.equal(patient({ deceased: true, dod: '2020-05-01T10:00:00' }).deceasedDateTime, '2020-05-01T10:00:00Z');
  assert.equal(patient({ deceased: true, dod: '2020-05-01T10:00:00' }).deceasedBoolean, undefined);
  assert.equal(patient({ deceased: false }).deceasedBoolean, false);
  assert.deepEqual(patient({ name: 'Ana  Maria', lastname: 'Betz' }).name, [
    { use: 'official', text: 'Ana Maria Betz', family: 'Betz', given: ['Ana', 'Maria'] },
  ]);
  assert.deepEqual(patient({ name: '', lastname: '' }).name, undefined);
  assert.deepEqual(patient({ phone: '+34 1', mobile: '+34 2', email: 'a@b.es' }).telecom, [
    { system: 'phone', value: '+34 1', use: 'home' },
    { system: 'phone', value: '+34 2', use: 'mobile' },
    { system: 'email', value: 'a@b.es' },
  ]);
  assert.deepEqual(patient({ lang: 'es_ES' }).communication, [
    { language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'es-ES' }] }, preferred: true },
  ]);
});

test('the domiciliary unit is the home address', () => {
  const du = {
    address_street: 'Calle Mayor',
    address_street_number: '7',
    address_city: 'Las Palmas',
    address_subdivision: 'Canarias',
    address_zip: '35001',
    address_country: 'ES',
  };
  assert.deepEqual(patient({ du: 'DU-1' }, du).address, [
    { use: 'home', line: ['Calle Mayor 7'], city: 'Las Palmas', state: 'Canarias', postalCode: '35001', country: 'ES' },
  ]);
  assert.equal(patient({ du: 'DU-1' }, {}).address, undefined);
});

test('never the password, the roles or anything not mapped', () => {
  const p = patient({ password: '$2b$12$x', roles: ['root'], name: 'Ana', secret: 'x' });
  assert.doesNotMatch(JSON.stringify(p), /2b\$12|root|secret/);
});
