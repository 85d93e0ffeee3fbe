// The resource types made from pages of life and personal documents: their search parameters, access and search.
import { canReadEveryone } from '../auth/acl.ts';
import { mayRead } from '../auth/caller.ts';
import { forbidden } from '../errors.ts';
import { getPageResource, searchPageResources, type PageClause } from '../store/fhir-pages.ts';
import { parseDateBound } from './dates.ts';
import { keysOfCategory, keysOfLoinc } from './measurements.ts';
import { renderPageResource } from './page-resources.ts';
import { parseToken, referencedPatient, type Clause, type SearchParamDef } from './search-params.ts';
import { ID_PARAM, type FhirContext, type FhirType } from './types.ts';
import { ICD_10, LOINC, OBSERVATION_CATEGORY } from './uris.ts';

type Source = 'page' | 'doc';
/** roles.cfg endpoints: a page's resources are read as `page` and searched as `book`; documents as `personaldocs`. */
const READ_ENDPOINT: Record<Source, string> = { page: 'page', doc: 'personaldocs' };
const SEARCH_ENDPOINT: Record<Source, string> = { page: 'book', doc: 'personaldocs' };

const SUBJECT: SearchParamDef[] = [
  { name: 'patient', type: 'reference', documentation: 'The person: Patient/<id> or <id>' },
  { name: 'subject', type: 'reference', documentation: 'The person: Patient/<id> or <id>' },
];
const DATE: SearchParamDef = { name: 'date', type: 'date', documentation: 'When it happened (the page date; prefixes eq ne gt lt ge le)' };

const codesIn = (values: string[], system: string) =>
  values.map(parseToken).flatMap((t) => (t.system === undefined || t.system === system ? [t.code] : []));

function clauseOf(c: Clause, type: FhirType['type']): PageClause {
  switch (c.name) {
    case '_id':
      return { kind: 'id', values: c.values };
    case 'patient':
    case 'subject':
      return { kind: 'book', values: c.values.map(referencedPatient).filter((id): id is string => id !== null) };
    case 'date':
      return { kind: 'date', values: c.values.map(parseDateBound) };
    case 'category':
      return { kind: 'key', values: codesIn(c.values, OBSERVATION_CATEGORY).flatMap(keysOfCategory) };
    case 'code':
      // A Condition's code is ICD-10; an Observation's LOINC, one per measurement key.
      return type === 'Condition'
        ? { kind: 'code', values: codesIn(c.values, ICD_10) }
        : { kind: 'measurement', values: codesIn(c.values, LOINC).flatMap(keysOfLoinc) };
    default:
      return { kind: 'id', values: [] };
  }
}

/**
 * Whose records a search may see. Naming people (patient/subject) needs the endpoint of each
 * of them (403 otherwise, as the legacy routes answer); naming nobody searches every book for
 * a global role and the caller's own compartment for anyone else.
 */
function reachOf(ctx: FhirContext, sources: readonly Source[], named: string[] | null): PageClause {
  const values = sources.flatMap((source): { source: Source; books: string[] | null }[] => {
    const endpoint = SEARCH_ENDPOINT[source];
    if (named) return named.every((id) => mayRead(ctx.acl, ctx.caller, endpoint, id)) ? [{ source, books: named }] : [];
    if (canReadEveryone(ctx.acl, ctx.caller.roles, endpoint)) return [{ source, books: null }];
    return mayRead(ctx.acl, ctx.caller, endpoint, ctx.caller.id) ? [{ source, books: [ctx.caller.id] }] : [];
  });
  if (values.length === 0) throw forbidden(`Not permitted: search ${named ? `the records of ${named.join(', ')}` : 'these records'}`);
  return { kind: 'reach', values };
}

/** The people a search names (patient, subject), or null when it names nobody. */
function namedPeople(clauses: readonly Clause[]): string[] | null {
  const named = clauses.filter((c) => c.name === 'patient' || c.name === 'subject');
  if (named.length === 0) return null;
  return [...new Set(named.flatMap((c) => c.values.map(referencedPatient)))].filter((p): p is string => p !== null);
}

function pageType(type: FhirType['type'], documentation: string, params: SearchParamDef[], sources: Source[] = ['page']): FhirType {
  return {
    type,
    audit: 'page',
    documentation,
    params: [ID_PARAM, ...SUBJECT, ...params],
    sorts: ['date'],
    async read(ctx, id) {
      const row = await getPageResource(ctx.db, type, id, [{ kind: 'source', values: sources }]);
      if (!row || !row.book) return null;
      const endpoint = READ_ENDPOINT[row.source];
      if (!mayRead(ctx.acl, ctx.caller, endpoint, row.book)) {
        // Someone else's record is not in your reach: not found, as the legacy routes answer; no right at all is 403.
        if (mayRead(ctx.acl, ctx.caller, endpoint, ctx.caller.id)) return null;
        throw forbidden(`Not permitted: read ${type}`);
      }
      return {
        resource: renderPageResource(row, ctx.base),
        version: row.version,
        updated: row.updated,
        audit: { resource: row.source === 'doc' ? 'document' : 'page', subject: row.book },
      };
    },
    async search(ctx, clauses, window) {
      const where = clauses.map((c) => clauseOf(c, type));
      where.push(reachOf(ctx, sources, namedPeople(clauses)));
      const { total, rows } = await searchPageResources(ctx.db, type, where, window);
      return { total, resources: rows.map((row) => renderPageResource(row, ctx.base)) };
    },
    cacheBook(ctx, clauses) {
      // Personal documents do not change a book's version (migration 003 counts pages only).
      if (sources.includes('doc')) return null;
      const reach = reachOf(ctx, sources, namedPeople(clauses));
      const books = reach.kind === 'reach' && reach.values.length === 1 ? reach.values[0].books : null;
      return books?.length === 1 ? books[0] : null;
    },
  };
}

const FROM_PAGES = 'From pages of life (not private). Read: roles.cfg endpoint `page` of the owner; search: `book`.';

export const pageTypes: FhirType[] = [
  pageType('Observation', `${FROM_PAGES} One per measurement (id <page>-<key>), genetics and social pages.`, [
    { name: 'category', type: 'token', documentation: 'vital-signs | laboratory | activity | social-history' },
    { name: 'code', type: 'token', documentation: 'LOINC code (http://loinc.org|8867-4)' },
    DATE,
  ]),
  pageType('Condition', FROM_PAGES, [{ name: 'code', type: 'token', documentation: `ICD-10 code (${ICD_10}|O80)` }, DATE]),
  pageType('Encounter', FROM_PAGES, [DATE]),
  pageType('Procedure', FROM_PAGES, [DATE]),
  pageType('Immunization', FROM_PAGES, [DATE]),
  pageType('MedicationStatement', FROM_PAGES, [DATE]),
  pageType('DiagnosticReport', FROM_PAGES, [DATE]),
  pageType('FamilyMemberHistory', FROM_PAGES, [DATE]),
  pageType(
    'DocumentReference',
    `${FROM_PAGES} Also personal documents: read and search as roles.cfg endpoint \`personaldocs\`.`,
    [DATE],
    ['page', 'doc'],
  ),
];
