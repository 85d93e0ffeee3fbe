// Institution -> Organization, read and searched as roles.cfg's institution/institutions endpoints.
import type { Organization } from 'fhir/r4.js';
import { mayRead } from '../auth/caller.ts';
import { forbidden } from '../errors.ts';
import { countOrganizations, getOrganization, searchOrganizations, type OrganizationRow } from '../store/fhir-organizations.ts';
import { duAddress } from './patient.ts';
import { ID_PARAM, type FhirType } from './types.ts';
import { optional, text } from './values.ts';

export const INSTITUTION = 'https://www.gnuhealth.org/fhir/sid/institution';

export function toOrganization({ id, data, version, updated }: OrganizationRow): Organization {
  const d = data ?? {};
  const address = duAddress(d);
  const phone = text(d.phone);
  const email = text(d.email);
  const telecom = [
    ...(phone ? [{ system: 'phone' as const, value: phone }] : []),
    ...(email ? [{ system: 'email' as const, value: email }] : []),
  ];
  return {
    resourceType: 'Organization',
    id,
    ...(version ? { meta: { versionId: version, ...(updated ? { lastUpdated: updated.toISOString() } : {}) } } : {}),
    identifier: [{ system: INSTITUTION, value: id }, ...(text(d.code) ? [{ value: text(d.code) }] : [])],
    ...(typeof d.active === 'boolean' ? { active: d.active } : {}),
    ...optional('name', text(d.name) ?? text(d.rec_name)),
    ...(telecom.length > 0 ? { telecom } : {}),
    ...(address ? { address: [{ ...address, use: 'work' as const }] } : {}),
  };
}

export const organizationType: FhirType = {
  type: 'Organization',
  documentation: 'Institutions. Read: roles.cfg endpoint `institution`; search: `institutions`.',
  params: [ID_PARAM, { name: 'name', type: 'string', documentation: 'Any word of the name starts with the value' }],
  async read(ctx, id) {
    if (!mayRead(ctx.acl, ctx.caller, 'institution')) throw forbidden('Not permitted: read Organization');
    const row = await getOrganization(ctx.db, id);
    return row && { resource: toOrganization(row), version: row.version, updated: row.updated };
  },
  async search(ctx, clauses, window) {
    if (!mayRead(ctx.acl, ctx.caller, 'institutions')) throw forbidden('Not permitted: search Organization');
    const where = clauses.map((c) =>
      c.name === '_id' ? { kind: 'id' as const, values: c.values } : { kind: 'name' as const, values: c.values },
    );
    const [total, rows] = await Promise.all([
      countOrganizations(ctx.db, where),
      window.limit === 0 ? Promise.resolve([]) : searchOrganizations(ctx.db, where, window),
    ]);
    return { total, resources: rows.map(toOrganization) };
  },
};
