// The demo people as FHIR Patients (meta left out: versions and times vary), as the mapping must render them.
const ACCOUNT = 'https://www.gnuhealth.org/fhir/sid/federation-account';
const EXT = 'https://www.gnuhealth.org/fhir/StructureDefinition/';
const MARITAL = 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus';

export const ANA_PATIENT = {
  resourceType: 'Patient',
  id: 'ESPGNU777ORG',
  extension: [
    { url: `${EXT}education`, valueString: 'tertiary' },
    { url: `${EXT}ethnicity`, valueString: 'european' },
    { url: `${EXT}profession`, valueString: 'Teacher' },
  ],
  identifier: [{ use: 'official', system: ACCOUNT, value: 'ESPGNU777ORG' }],
  active: true,
  name: [{ use: 'official', text: 'Ana Betz', family: 'Betz', given: ['Ana'] }],
  gender: 'female',
  birthDate: '1978-04-21',
  maritalStatus: { coding: [{ system: MARITAL, code: 'U', display: 'unmarried' }], text: 's' },
};

export const CAMERON_PATIENT = {
  resourceType: 'Patient',
  id: 'ITAPYT999HON',
  extension: [
    { url: `${EXT}education`, valueString: 'tertiary' },
    { url: `${EXT}ethnicity`, valueString: 'latino' },
    { url: `${EXT}profession`, valueString: 'Family physician' },
  ],
  identifier: [{ use: 'official', system: ACCOUNT, value: 'ITAPYT999HON' }],
  active: true,
  name: [{ use: 'official', text: 'Cameron Cordara', family: 'Cordara', given: ['Cameron'] }],
  gender: 'male',
  birthDate: '1985-10-04',
  maritalStatus: { coding: [{ system: MARITAL, code: 'M', display: 'Married' }], text: 'm' },
};
