// SQL for the FHIR Organization read and search: institutions by id and name, keyset-paged by id.
import type { Queryable } from '../db/db.ts';
import type { KeysetWindow } from './fhir-patients.ts';

export type OrganizationClause = { kind: 'id'; values: string[] } | { kind: 'name'; values: string[] };

export interface OrganizationRow {
  id: string;
  data: Record<string, unknown> | null;
  version: string | null;
  updated: Date | null;
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, '\\$&');
const NAME = "COALESCE(i.data->>'name', '')";

function whereOf(clauses: readonly OrganizationClause[], params: unknown[]): string {
  const param = (value: unknown) => `$${params.push(value)}`;
  const parts = ["i.id ~ '^[A-Za-z0-9.-]{1,64}$'"];
  for (const c of clauses) {
    if (c.kind === 'id') parts.push(`i.id = ANY(${param(c.values)}::varchar[])`);
    else parts.push(`(${c.values.map((v) => `(' ' || lower(${NAME})) LIKE ${param(`% ${likeEscape(v.toLowerCase())}%`)}`).join(' OR ')})`);
  }
  return parts.join(' AND ');
}

const SELECT = `SELECT i.id, CASE WHEN jsonb_typeof(i.data) = 'object' THEN i.data END AS data, v.version::text AS version, v.updated
  FROM institutions i LEFT JOIN record_versions v ON v.tbl = 'institutions' AND v.id = i.id`;

export async function searchOrganizations(
  q: Queryable,
  clauses: readonly OrganizationClause[],
  window: KeysetWindow,
): Promise<OrganizationRow[]> {
  const params: unknown[] = [];
  let where = whereOf(clauses, params);
  if (window.after !== undefined) where += ` AND i.id > $${params.push(window.after)}`;
  if (window.before !== undefined) where += ` AND i.id < $${params.push(window.before)}`;
  const order = window.before !== undefined ? 'DESC' : 'ASC';
  const rows = await q.query<OrganizationRow>(
    `${SELECT} WHERE ${where} ORDER BY i.id ${order} LIMIT $${params.push(window.limit)}`,
    params,
  );
  return order === 'DESC' ? rows.reverse() : rows;
}

export async function countOrganizations(q: Queryable, clauses: readonly OrganizationClause[]): Promise<number> {
  const params: unknown[] = [];
  const rows = await q.query<{ n: string | number }>(`SELECT count(*) AS n FROM institutions i WHERE ${whereOf(clauses, params)}`, params);
  return Number(rows[0].n);
}

export async function getOrganization(q: Queryable, id: string): Promise<OrganizationRow | null> {
  const rows = await searchOrganizations(q, [{ kind: 'id', values: [id] }], { limit: 1 });
  return rows[0] ?? null;
}
