// Person -> Patient: a person document of the federation as a FHIR R4 Patient (never the password or roles).
import type { Address, CodeableConcept, ContactPoint, Extension, HumanName, Patient } from 'fhir/r4.js';
import { fhirDate, fhirDateTime } from './dates.ts';
import { optional, text } from './values.ts';
import { BCP_47, EXTENSION, FEDERATION_ACCOUNT, V3_MARITAL_STATUS, V3_NULL_FLAVOR } from './uris.ts';

type Data = Record<string, unknown>;

const GENDERS: Record<string, Patient['gender']> = {
  m: 'male',
  male: 'male',
  f: 'female',
  female: 'female',
  nb: 'other',
  other: 'other',
  'f-m': 'other',
  'm-f': 'other',
  nd: 'unknown',
  u: 'unknown',
  unknown: 'unknown',
};

/** gender, else biological_sex; the same rule as the SQL function fhir_gender (migration 030), which search uses. */
export function patientGender(data: Data): Patient['gender'] {
  const raw = text(data.gender) ?? text(data.biological_sex);
  return raw === undefined ? undefined : (GENDERS[raw.toLowerCase()] ?? 'unknown');
}

const MARITAL: Record<string, [string, string]> = {
  s: ['U', 'unmarried'],
  single: ['U', 'unmarried'],
  m: ['M', 'Married'],
  married: ['M', 'Married'],
  c: ['T', 'Domestic partner'],
  w: ['W', 'Widowed'],
  widowed: ['W', 'Widowed'],
  d: ['D', 'Divorced'],
  divorced: ['D', 'Divorced'],
  x: ['L', 'Legally Separated'],
};

function maritalStatus(raw: string): CodeableConcept {
  const known = MARITAL[raw.toLowerCase()];
  const coding = known
    ? { system: V3_MARITAL_STATUS, code: known[0], display: known[1] }
    : { system: V3_NULL_FLAVOR, code: 'UNK', display: 'unknown' };
  return { coding: [coding], text: raw };
}

function humanName(data: Data): HumanName | undefined {
  const family = text(data.lastname);
  const given = text(data.name)?.split(/\s+/);
  if (!family && !given) return undefined;
  return {
    use: 'official',
    text: [given?.join(' '), family].filter(Boolean).join(' '),
    ...(family ? { family } : {}),
    ...(given ? { given } : {}),
  };
}

function telecom(data: Data): ContactPoint[] {
  const points: ContactPoint[] = [];
  const phone = text(data.phone);
  const mobile = text(data.mobile);
  const email = text(data.email);
  if (phone) points.push({ system: 'phone', value: phone, use: 'home' });
  if (mobile) points.push({ system: 'phone', value: mobile, use: 'mobile' });
  if (email) points.push({ system: 'email', value: email });
  return points;
}

/** The domiciliary unit's address (GNU Health's address_* fields). */
export function duAddress(du: Data): Address | undefined {
  const line = [text(du.address_street), text(du.address_street_number)].filter(Boolean).join(' ');
  const address: Address = {
    use: 'home',
    ...(line ? { line: [line] } : {}),
    ...optional('city', text(du.address_city) ?? text(du.address_municipality)),
    ...optional('state', text(du.address_subdivision)),
    ...optional('postalCode', text(du.address_zip)),
    ...optional('country', text(du.address_country)),
  };
  return Object.keys(address).length > 1 ? address : undefined;
}

function extensions(data: Data): Extension[] {
  const list: Extension[] = [];
  const sex = text(data.biological_sex);
  if (sex && !/\s/.test(sex)) list.push({ url: EXTENSION('biological-sex'), valueCode: sex });
  for (const field of ['education', 'ethnicity', 'profession']) {
    const value = text(data[field]);
    if (value) list.push({ url: EXTENSION(field), valueString: value });
  }
  return list;
}

export interface PersonRecord {
  id: string;
  data: Data;
  /** The person's domiciliary unit document, when `du` names one. */
  du?: Data | null;
  version?: string | null;
  updated?: Date | null;
}

/** The Patient of one person: FHIR.md's mapping, field by field; empty fields are left out. */
export function toPatient({ id, data, du, version, updated }: PersonRecord): Patient {
  const name = humanName(data);
  const gender = patientGender(data);
  const birthDate = fhirDate(data.dob);
  const deathTime = fhirDateTime(data.dod);
  const marital = text(data.marital_status);
  const points = telecom(data);
  const address = du ? duAddress(du) : undefined;
  const lang = text(data.lang);
  const ext = extensions(data);
  return {
    resourceType: 'Patient',
    id,
    ...(version ? { meta: { versionId: version, ...(updated ? { lastUpdated: updated.toISOString() } : {}) } } : {}),
    ...(ext.length > 0 ? { extension: ext } : {}),
    identifier: [{ use: 'official', system: FEDERATION_ACCOUNT, value: id }],
    ...(typeof data.active === 'boolean' ? { active: data.active } : {}),
    ...(name ? { name: [name] } : {}),
    ...(points.length > 0 ? { telecom: points } : {}),
    ...(gender ? { gender } : {}),
    ...(birthDate ? { birthDate } : {}),
    ...(deathTime ? { deceasedDateTime: deathTime } : typeof data.deceased === 'boolean' ? { deceasedBoolean: data.deceased } : {}),
    ...(address ? { address: [address] } : {}),
    ...(marital ? { maritalStatus: maritalStatus(marital) } : {}),
    ...(lang && /^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$/.test(lang)
      ? { communication: [{ language: { coding: [{ system: BCP_47, code: lang.replace(/_/g, '-') }] }, preferred: true }] }
      : {}),
  };
}
