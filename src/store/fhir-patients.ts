// SQL for the FHIR Patient search and read: people filtered by FHIR's search parameters, keyset-paged by id.
import type { Queryable } from '../db/db.ts';

/** A period [start, end) as UTC ISO text and how a date must stand to it (FHIR date prefixes). */
export interface DateCondition {
  prefix: 'eq' | 'ne' | 'gt' | 'lt' | 'ge' | 'le';
  start: string;
  end: string;
}
export type StringMatch = 'starts' | 'exact' | 'contains';

/** One ANDed condition; its values are ORed. */
export type PatientClause =
  | { kind: 'id'; values: string[] }
  | { kind: 'name' | 'family' | 'given'; match: StringMatch; values: string[] }
  | { kind: 'birthdate'; values: DateCondition[] }
  | { kind: 'gender'; values: string[] }
  | { kind: 'active'; values: boolean[] };

export interface PatientRow {
  id: string;
  data: Record<string, unknown>;
  du: Record<string, unknown> | null;
  version: string | null;
  updated: Date | null;
}

export interface KeysetWindow {
  after?: string;
  before?: string;
  limit: number;
  /** Order by when it happened (page resources only; `_sort=date` / `-date`), else by id. */
  byDate?: 'ascending' | 'descending';
}

// Only ids FHIR can carry ([A-Za-z0-9-.]{1,64}) are Patients.
const FHIR_ID = "p.id ~ '^[A-Za-z0-9.-]{1,64}$'";
const FIELDS: Record<'name' | 'family' | 'given', string> = {
  name: "concat_ws(' ', p.data->>'name', p.data->>'lastname')",
  family: "(p.data->>'lastname')",
  given: "(p.data->>'name')",
};

const likeEscape = (s: string) => s.replace(/[\\%_]/g, '\\$&');

/** SQL for a date (an expression of type date or timestamp) standing to the condition in $start / $end. */
export function dateSql(column: string, c: DateCondition, param: (value: unknown) => string): string {
  const start = () => `${param(c.start)}::timestamp`;
  const end = () => `${param(c.end)}::timestamp`;
  switch (c.prefix) {
    case 'eq':
      return `(${column} >= ${start()} AND ${column} < ${end()})`;
    case 'ne':
      return `NOT (${column} >= ${start()} AND ${column} < ${end()})`;
    case 'gt':
      return `${column} >= ${end()}`;
    case 'ge':
      return `${column} >= ${start()}`;
    case 'lt':
      return `${column} < ${start()}`;
    case 'le':
      return `${column} < ${end()}`;
  }
}

function clauseSql(clause: PatientClause, param: (value: unknown) => string): string {
  const any = (parts: string[]) => `(${parts.join(' OR ')})`;
  switch (clause.kind) {
    case 'id':
      // One id as plain equality: a prepared statement's generic plan then looks it up by the primary key.
      if (clause.values.length === 1) return `p.id = ${param(clause.values[0])}`;
      return `p.id = ANY(${param(clause.values)}::varchar[])`;
    case 'gender':
      return `fhir_gender(p.data) = ANY(${param(clause.values)}::text[])`;
    case 'active':
      return any(clause.values.map((v) => `p.data->'active' = '${v ? 'true' : 'false'}'::jsonb`));
    case 'birthdate':
      return any(clause.values.map((c) => dateSql("fhir_date(p.data->>'dob')", c, param)));
    case 'name':
    case 'family':
    case 'given': {
      const field = FIELDS[clause.kind];
      return any(
        clause.values.map((v) => {
          if (clause.match === 'exact') return `${field} = ${param(v)}`;
          if (clause.match === 'contains') return `lower(${field}) LIKE ${param(`%${likeEscape(v.toLowerCase())}%`)}`;
          // FHIR's default string match: any word of the field starts with the value, case-insensitively.
          return `(' ' || lower(${field})) LIKE ${param(`% ${likeEscape(v.toLowerCase())}%`)}`;
        }),
      );
    }
  }
}

function whereOf(clauses: readonly PatientClause[], params: unknown[]): string {
  const param = (value: unknown) => `$${params.push(value)}`;
  return [FHIR_ID, ...clauses.map((c) => clauseSql(c, param))].join(' AND ');
}

const SELECT = `SELECT p.id, CASE WHEN jsonb_typeof(p.data) = 'object' THEN p.data - 'password' ELSE '{}'::jsonb END AS data,
  d.data AS du, v.version::text AS version, v.updated
  FROM people p
  LEFT JOIN record_versions v ON v.tbl = 'people' AND v.id = p.id
  LEFT JOIN dus d ON jsonb_typeof(p.data) = 'object' AND d.id = p.data->>'du'`;

/** The total of a search and one page of it. */
export interface PatientPage {
  total: number;
  rows: PatientRow[];
}

/**
 * The number of matching people and one keyset page of them (window.limit rows at most, in id
 * order), in one statement: one round trip, and only the page's rows are read whole.
 */
export async function searchPatients(q: Queryable, clauses: readonly PatientClause[], window: KeysetWindow): Promise<PatientPage> {
  const params: unknown[] = [];
  const where = whereOf(clauses, params);
  let keyset = '';
  if (window.after !== undefined) keyset += ` AND p.id > $${params.push(window.after)}`;
  if (window.before !== undefined) keyset += ` AND p.id < $${params.push(window.before)}`;
  const order = window.before !== undefined ? 'DESC' : 'ASC';
  const rows = await q.query<PatientRow & { total: string | number }>(
    `SELECT t.total, page.* FROM (SELECT count(*) AS total FROM people p WHERE ${where}) t
     LEFT JOIN LATERAL (${SELECT} WHERE ${where}${keyset} ORDER BY p.id ${order} LIMIT $${params.push(window.limit)}) page ON true
     ORDER BY page.id ${order}`,
    params,
  );
  const found = rows.filter((r) => r.id !== null).map(({ total: _total, ...row }) => row);
  return { total: Number(rows[0]?.total ?? 0), rows: order === 'DESC' ? found.reverse() : found };
}

export async function getPatient(q: Queryable, id: string): Promise<PatientRow | null> {
  const rows = await q.query<PatientRow>(`${SELECT} WHERE p.id = $1 AND ${FHIR_ID}`, [id]);
  return rows[0] ?? null;
}
