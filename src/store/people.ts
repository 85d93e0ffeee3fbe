// SQL for the person master index (table people): reads, inserts, merges, deletion.
import type { Queryable } from '../db/db.ts';
import { WRITER, writerParams, type Writer } from './changes.ts';

export type PersonData = Record<string, unknown>;
export interface PersonRow {
  id: string;
  /** null in a legacy row that has no document. */
  data: PersonData | null;
  /** The version of the person's Book of Life (migration 003), when read with it; null before any page. */
  book_version?: string | null;
  /** When read with the account lookup: the row's version and last change (migration 030), for FHIR's ETag and Last-Modified. */
  record_version?: string | null;
  record_updated?: Date | null;
  /** When read with the account lookup: the document of the domiciliary unit `data.du` names (FHIR's Patient.address). */
  du?: PersonData | null;
}

export async function getPerson(q: Queryable, id: string): Promise<PersonRow | null> {
  const rows = await q.query<PersonRow>('SELECT id, data FROM people WHERE id = $1', [id]);
  return rows[0] ?? null;
}

/** A person (null when there is none) with the login state of that account id (migration 020). */
export interface AccountLookup {
  id: string;
  person: PersonRow | null;
  /** Seconds this account id stays locked after too many failed logins; 0 when it is not locked. */
  lockedSeconds: number;
  /** Failed logins are on record for this id (the next verified password clears them). */
  failing: boolean;
  /** The token revocation epoch (migration 051), read in the same snapshot: Bearer checks revocations against it. */
  revocationEpoch: string;
}

interface LookupRow {
  id: string;
  found: boolean;
  data: PersonData | null;
  book_version: string | null;
  record_version: string | null;
  record_updated: Date | null;
  du: PersonData | null;
  locked_seconds: number | null;
  failing: boolean;
  revocation_epoch: string;
}

// Every id asked for gets a row: an unknown id has its login state too (a lockout must not tell who exists).
// The record's version and domiciliary unit come along (two primary-key probes), so a FHIR
// Patient read needs no query of its own (src/fhir/patient-type.ts).
const LOOKUP = `SELECT k.id, p.id IS NOT NULL AS found, p.data, v.version::text AS book_version,
  r.version::text AS record_version, r.updated AS record_updated, d.data AS du,
  CASE WHEN f.locked_until > now() THEN ceil(extract(epoch FROM f.locked_until - now()))::int ELSE 0 END AS locked_seconds,
  f.account IS NOT NULL AS failing, (SELECT version FROM oauth_revocation_epoch)::text AS revocation_epoch
  FROM IDS LEFT JOIN people p ON p.id = k.id LEFT JOIN book_versions v ON v.book = k.id
  LEFT JOIN record_versions r ON r.tbl = 'people' AND r.id = k.id
  LEFT JOIN dus d ON jsonb_typeof(p.data) = 'object' AND d.id = p.data->>'du'
  LEFT JOIN auth_account_failures f ON f.account = k.id`;
const LOOKUP_ONE = LOOKUP.replace('IDS', '(VALUES ($1::varchar)) AS k(id)');
const LOOKUP_MANY = LOOKUP.replace('IDS', 'unnest($1::varchar[]) AS k(id)');

/**
 * The accounts among `ids`, each person with the version of their Book of Life and the login
 * state of the id, read in one snapshot: one round trip for the callers of many requests,
 * the people their URLs name, and the brute-force lockouts that apply to them.
 */
export async function lookupAccounts(q: Queryable, ids: readonly string[]): Promise<AccountLookup[]> {
  const rows = ids.length === 1 ? await q.query<LookupRow>(LOOKUP_ONE, [ids[0]]) : await q.query<LookupRow>(LOOKUP_MANY, [ids]);
  return rows.map((r) => ({
    id: r.id,
    person: r.found
      ? {
          id: r.id,
          data: r.data,
          book_version: r.book_version,
          record_version: r.record_version,
          record_updated: r.record_updated,
          du: r.du,
        }
      : null,
    lockedSeconds: Number(r.locked_seconds ?? 0),
    failing: r.failing,
    revocationEpoch: r.revocation_epoch,
  }));
}

/** The document as it may leave the server, serialized here: never the password hash (docs/wire-contract.md). */
export function publicPersonJson(data: unknown): string {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return JSON.stringify(data ?? null);
  const { password: _password, ...rest } = data as PersonData;
  return JSON.stringify(rest);
}

/** Inserts a person; false when the id is taken (nothing is written then). */
export async function insertPerson(q: Queryable, writer: Writer, id: string, data: PersonData): Promise<boolean> {
  const rows = await q.query(
    `${WRITER} INSERT INTO people (id, data) SELECT $3, $4::jsonb FROM writer ON CONFLICT (id) DO NOTHING RETURNING id`,
    [...writerParams(writer), id, JSON.stringify(data)],
  );
  return rows.length === 1;
}

/** Shallow JSON merge (the reference's `data = data || body`); false when there is no such person. */
export async function mergePerson(q: Queryable, writer: Writer, id: string, patch: PersonData): Promise<boolean> {
  const rows = await q.query(
    `${WRITER} UPDATE people SET data = COALESCE(data, '{}'::jsonb) || $4::jsonb FROM writer WHERE id = $3 RETURNING id`,
    [...writerParams(writer), id, JSON.stringify(patch)],
  );
  return rows.length === 1;
}

/** Replaces the whole document; false when there is no such person. */
export async function replacePerson(q: Queryable, writer: Writer, id: string, data: PersonData): Promise<boolean> {
  const rows = await q.query(`${WRITER} UPDATE people SET data = $4::jsonb FROM writer WHERE id = $3 RETURNING id`, [
    ...writerParams(writer),
    id,
    JSON.stringify(data),
  ]);
  return rows.length === 1;
}

export async function countPeople(q: Queryable): Promise<number> {
  const rows = await q.query<{ n: string | number }>('SELECT count(*) AS n FROM people');
  return Number(rows[0].n);
}

/** Whether some active account holds the root role (roles is a list in our rows; a legacy row may hold one string). */
export async function hasRootAccount(q: Queryable): Promise<boolean> {
  const rows = await q.query<{ found: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM people WHERE (data->'roles' @> '["root"]'::jsonb OR data->'roles' = '"root"'::jsonb)
       AND data->'active' IS DISTINCT FROM 'false'::jsonb) AS found`,
  );
  return rows[0].found;
}

/** The document as it may leave the server: never the password hash (docs/wire-contract.md), removed in SQL. */
const PUBLIC_DATA = "CASE WHEN jsonb_typeof(data) = 'object' THEN data - 'password' ELSE data END";

/** A keyset batch of people without passwords, each serialized by PostgreSQL. */
export async function listPeopleJson(q: Queryable, after: string | null, limit: number): Promise<{ id: string; json: string }[]> {
  const select = `SELECT id, COALESCE((${PUBLIC_DATA})::text, 'null') AS json FROM people`;
  return after === null
    ? q.query(`${select} ORDER BY id LIMIT $1`, [limit])
    : q.query(`${select} WHERE id > $1 ORDER BY id LIMIT $2`, [after, limit]);
}

/** Reads and locks the person row for the rest of the transaction (guards, then write). */
export async function lockPerson(q: Queryable, id: string): Promise<PersonRow | null> {
  const rows = await q.query<PersonRow>('SELECT id, data FROM people WHERE id = $1 FOR UPDATE', [id]);
  return rows[0] ?? null;
}

/** How many pages of life and personal documents refer to the person. */
export async function countPersonRecords(q: Queryable, id: string): Promise<{ pages: number; documents: number }> {
  const rows = await q.query<{ pages: string | number; documents: string | number }>(
    'SELECT (SELECT count(*) FROM pols WHERE book = $1) AS pages, (SELECT count(*) FROM personal_docs WHERE fedacct = $1) AS documents',
    [id],
  );
  return { pages: Number(rows[0].pages), documents: Number(rows[0].documents) };
}

export async function deletePerson(q: Queryable, writer: Writer, id: string): Promise<boolean> {
  const rows = await q.query(`${WRITER} DELETE FROM people USING writer WHERE id = $3 RETURNING id`, [...writerParams(writer), id]);
  return rows.length === 1;
}
