// What every FHIR resource type of the facade provides: its search parameters, read and search.
import type { FhirResource } from 'fhir/r4.js';
import type { Roles } from '../auth/acl.ts';
import type { Caller } from '../auth/caller.ts';
import type { Queryable } from '../db/db.ts';
import type { PersonRow } from '../store/people.ts';
import type { KeysetWindow } from '../store/fhir-patients.ts';
import type { Clause, SearchParamDef } from './search-params.ts';

/** Who asks, and where the data is. */
export interface FhirContext {
  /** The absolute base URL the client used, e.g. https://thalamus.example:8443/fhir. */
  base: string;
  db: Queryable;
  caller: Caller;
  acl: Roles;
  /** The person the URL names, loaded with the caller by the auth hook (Patient read); undefined when not loaded. */
  subject?: PersonRow | null;
}

/** A resource as read, with what its ETag and Last-Modified come from. */
export interface Found {
  resource: FhirResource;
  /** The person it is about and what kind of record, for the audit trail. */
  audit?: { resource: AuditKind; subject: string | null };
  version?: string | null;
  updated?: Date | null;
}

/** One page of a search: the total number of matches and up to window.limit of them, in id order. */
export interface SearchPage {
  total: number;
  resources: FhirResource[];
}

/** The audit trail's names for person data; a type of no person's data (Organization) has none. */
export type AuditKind = 'person' | 'page' | 'document';

export interface FhirType {
  type: FhirResource['resourceType'];
  audit?: AuditKind;
  /** For the CapabilityStatement: the roles.cfg endpoints read and search are checked against. */
  documentation: string;
  params: readonly SearchParamDef[];
  /** What `_sort` may name besides `_id` (the default order). */
  sorts?: readonly string[];
  /** null when there is no such resource in the caller's reach; throws 403 when the caller may not read this type. */
  read(ctx: FhirContext, id: string): Promise<Found | null>;
  search(ctx: FhirContext, clauses: readonly Clause[], window: KeysetWindow): Promise<SearchPage>;
  /**
   * The one Book of Life a search's answer is made of, when it depends on nothing else (pages
   * only, of one person): its Bundle may then be kept while that book's version holds. Null
   * otherwise. Called after search access was checked.
   */
  cacheBook?(ctx: FhirContext, clauses: readonly Clause[]): string | null;
}

/** The search parameter every type has. */
export const ID_PARAM: SearchParamDef = { name: '_id', type: 'token', documentation: 'The resource id' };
