// The Patient type: read and search of people, with roles.cfg's person/people endpoints.
import { mayRead } from '../auth/caller.ts';
import { badRequest, forbidden } from '../errors.ts';
import { getPatient, searchPatients, type PatientClause, type PatientRow, type StringMatch } from '../store/fhir-patients.ts';
import type { PersonRow } from '../store/people.ts';
import { parseDateBound } from './dates.ts';
import { toPatient } from './patient.ts';
import { parseToken, type Clause } from './search-params.ts';
import { ID_PARAM, type FhirContext, type FhirType } from './types.ts';
import { ADMINISTRATIVE_GENDER, FEDERATION_ACCOUNT } from './uris.ts';

const GENDERS = ['male', 'female', 'other', 'unknown'];
/** Only ids FHIR can carry are Patients (as store/fhir-patients.ts reads them). */
const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

/** A token's code when its system is `system` or unstated; null when it names another system (matches nothing). */
function codeIn(raw: string, system: string): string | null {
  const token = parseToken(raw);
  return token.system === undefined || token.system === system ? token.code : null;
}

function patientClause(c: Clause): PatientClause {
  switch (c.name) {
    case '_id':
      return { kind: 'id', values: c.values };
    case 'identifier':
      return { kind: 'id', values: c.values.map((v) => codeIn(v, FEDERATION_ACCOUNT)).filter((v): v is string => v !== null) };
    case 'name':
    case 'family':
    case 'given':
      return { kind: c.name, match: (c.modifier ?? 'starts') as StringMatch, values: c.values };
    case 'birthdate':
      return { kind: 'birthdate', values: c.values.map(parseDateBound) };
    case 'gender': {
      const codes = c.values.map((v) => codeIn(v, ADMINISTRATIVE_GENDER));
      const bad = codes.find((g) => g !== null && !GENDERS.includes(g));
      if (bad !== undefined) throw badRequest(`gender must be one of ${GENDERS.join(', ')}, not "${bad}"`);
      return { kind: 'gender', values: codes.filter((g): g is string => g !== null) };
    }
    case 'active':
      if (c.values.some((v) => v !== 'true' && v !== 'false')) throw badRequest('active must be true or false');
      return { kind: 'active', values: c.values.map((v) => v === 'true') };
    default:
      throw badRequest(`Unsupported Patient search parameter "${c.name}"`);
  }
}

/** A person as the account lookup loaded them, as getPatient would have read them (never the hash). */
function patientRowOf(person: PersonRow | null): PatientRow | null {
  if (!person || !FHIR_ID.test(person.id)) return null;
  const data = person.data && typeof person.data === 'object' && !Array.isArray(person.data) ? person.data : {};
  const { password: _password, ...shown } = data;
  return {
    id: person.id,
    data: shown,
    du: person.du ?? null,
    version: person.record_version ?? null,
    updated: person.record_updated ?? null,
  };
}

/**
 * Read is checked as roles.cfg's `person` endpoint of that person (yourself, or anyone with a
 * global role). Search is `people` (everyone); a caller with only `person` searches their own
 * compartment: themself.
 */
export const patientType: FhirType = {
  type: 'Patient',
  audit: 'person',
  documentation: 'People of the federation. Read: roles.cfg endpoint `person`; search: `people`, else only yourself.',
  params: [
    ID_PARAM,
    { name: 'identifier', type: 'token', documentation: `Federation account id (system ${FEDERATION_ACCOUNT})` },
    { name: 'name', type: 'string', documentation: 'Any word of the given names or family name starts with the value' },
    { name: 'family', type: 'string', documentation: 'The family name (lastname)' },
    { name: 'given', type: 'string', documentation: 'A given name' },
    { name: 'birthdate', type: 'date', documentation: 'Date of birth (prefixes eq ne gt lt ge le)' },
    { name: 'gender', type: 'token', documentation: 'male | female | other | unknown' },
    { name: 'active', type: 'token', documentation: 'true | false' },
  ],

  async read(ctx: FhirContext, id: string) {
    if (!mayRead(ctx.acl, ctx.caller, 'person', id)) throw forbidden(`Not permitted: read Patient/${id}`);
    // Loaded with the caller when the route asked (routes.ts): no query of its own.
    const row = ctx.subject !== undefined ? patientRowOf(ctx.subject) : await getPatient(ctx.db, id);
    return row && { resource: toPatient(row), version: row.version, updated: row.updated };
  },

  async search(ctx, clauses, window) {
    const where = clauses.map(patientClause);
    if (!mayRead(ctx.acl, ctx.caller, 'people')) {
      if (!mayRead(ctx.acl, ctx.caller, 'person', ctx.caller.id)) throw forbidden('Not permitted: search Patient');
      where.push({ kind: 'id', values: [ctx.caller.id] });
    }
    const { total, rows } = await searchPatients(ctx.db, where, window);
    return { total, resources: rows.map(toPatient) };
  },
};
