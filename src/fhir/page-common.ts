// What every resource made from a page of life shares: id, meta (version, time, relevance tag), identifier, subject, note, date.
import type { Annotation, Identifier, Meta, Reference } from 'fhir/r4.js';
import type { PageResourceRow } from '../store/fhir-pages.ts';
import { fhirDateTime } from './dates.ts';
import { PAGE_OF_LIFE, RELEVANCE, URI_IDENTIFIER } from './uris.ts';
import { text } from './values.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `urn:uuid:<id>` for a UUID (system urn:ietf:rfc:3986); other ids under this project's page-of-life system. */
export function rowIdentifier(id: string): Identifier {
  return UUID.test(id) ? { system: URI_IDENTIFIER, value: `urn:uuid:${id.toLowerCase()}` } : { system: PAGE_OF_LIFE, value: id };
}

export function meta(row: PageResourceRow): Meta {
  const relevance = text(row.data?.relevance)?.replace(/\s+/g, ' ');
  return {
    versionId: row.version,
    ...(row.updated ? { lastUpdated: row.updated.toISOString() } : {}),
    ...(relevance ? { tag: [{ system: RELEVANCE, code: relevance }] } : {}),
  };
}

export const patientRef = (row: PageResourceRow): Reference => ({ reference: `Patient/${row.book ?? ''}` });

/** The page's data as strings: an absent or empty field is undefined. */
export const field = (row: PageResourceRow, name: string): string | undefined => text(row.data?.[name]);

export const pageDate = (row: PageResourceRow): string | undefined => fhirDateTime(row.data?.page_date);

export function note(row: PageResourceRow): { note?: Annotation[] } {
  const info = field(row, 'info');
  return info ? { note: [{ text: info }] } : {};
}

/** id, meta and identifier, which every page resource starts with. */
export function base(row: PageResourceRow): { id: string; meta: Meta; identifier: Identifier[] } {
  return { id: row.id, meta: meta(row), identifier: [rowIdentifier(row.route_id)] };
}
