// SQL for the FHIR resources of pages of life and personal documents: the fhir_page_resources index (migration 031).
import type { Queryable } from '../db/db.ts';
import { dateSql, type DateCondition, type KeysetWindow } from './fhir-patients.ts';

/** One ANDed condition on the index; its values are ORed. */
export type PageClause =
  | { kind: 'id' | 'book' | 'code' | 'source' | 'key'; values: string[] }
  | { kind: 'date'; values: DateCondition[] }
  /** Which sources the caller may see, and in whose books (null: every book). */
  | { kind: 'reach'; values: { source: 'page' | 'doc'; books: string[] | null }[] }
  /** A measurement key, optionally only in (or only out of) one page context. */
  | { kind: 'measurement'; values: { key: string; context?: string; notContext?: string }[] };

export interface PageResourceRow {
  type: string;
  id: string;
  source: 'page' | 'doc';
  row_id: string;
  book: string | null;
  key: string | null;
  value: unknown;
  context: string | null;
  version: string;
  updated: Date | null;
  /** The page's or document's stored data (never a document's bytes). */
  data: Record<string, unknown> | null;
  /** For a document: its page, its size in bytes, and the first resource its page makes (for context.related). */
  pol: string | null;
  size: number | null;
  related_type: string | null;
  related_id: string | null;
}

const COLUMNS: Record<'id' | 'book' | 'code' | 'source' | 'key', string> = {
  id: 'r.id',
  book: 'r.book',
  code: 'r.code',
  source: 'r.source',
  key: 'r.key',
};

function clauseSql(clause: PageClause, param: (value: unknown) => string): string {
  switch (clause.kind) {
    case 'date':
      return `(${clause.values.map((c) => dateSql('r.date', c, param)).join(' OR ')})`;
    case 'measurement':
      if (clause.values.length === 0) return 'false';
      return `(${clause.values
        .map((m) => {
          let sql = `r.key = ${param(m.key)}`;
          if (m.context !== undefined) sql += ` AND r.context = ${param(m.context)}`;
          if (m.notContext !== undefined) sql += ` AND r.context IS DISTINCT FROM ${param(m.notContext)}`;
          return `(${sql})`;
        })
        .join(' OR ')})`;
    case 'reach':
      if (clause.values.length === 0) return 'false';
      return `(${clause.values
        .map((v) => `(r.source = ${param(v.source)}${v.books === null ? '' : ` AND r.book = ANY(${param(v.books)}::text[])`})`)
        .join(' OR ')})`;
    case 'id':
    case 'book':
    case 'code':
    case 'source':
    case 'key':
      return `${COLUMNS[clause.kind]} = ANY(${param(clause.values)}::text[])`;
  }
}

function whereOf(type: string, clauses: readonly PageClause[], params: unknown[]): string {
  const param = (value: unknown) => `$${params.push(value)}`;
  return [`r.type = ${param(type)}`, ...clauses.map((c) => clauseSql(c, param))].join(' AND ');
}

const SELECT = `SELECT r.type, r.id, r.source, r.row_id, r.book, r.key, r.value, r.context, r.version::text AS version, r.updated,
  CASE WHEN r.source = 'page' THEN p.data ELSE d.data END AS data, d.pol, octet_length(d.document) AS size,
  rel.type AS related_type, rel.id AS related_id
  FROM fhir_page_resources r
  LEFT JOIN pols p ON r.source = 'page' AND p.id = r.row_id
  LEFT JOIN personal_docs d ON r.source = 'doc' AND d.id = r.row_id
  LEFT JOIN LATERAL (
    SELECT x.type, x.id FROM fhir_page_resources x WHERE r.source = 'doc' AND x.source = 'page' AND x.row_id = d.pol
    ORDER BY x.key IS NOT NULL, x.id LIMIT 1
  ) rel ON true`;

/** One keyset page (window.limit rows at most) of the resources of that type matching every clause, in id order. */
export async function searchPageResources(
  q: Queryable,
  type: string,
  clauses: readonly PageClause[],
  window: KeysetWindow,
): Promise<PageResourceRow[]> {
  const params: unknown[] = [];
  let where = whereOf(type, clauses, params);
  if (window.after !== undefined) where += ` AND r.id > $${params.push(window.after)}`;
  if (window.before !== undefined) where += ` AND r.id < $${params.push(window.before)}`;
  const order = window.before !== undefined ? 'DESC' : 'ASC';
  const rows = await q.query<PageResourceRow>(
    `${SELECT} WHERE ${where} ORDER BY r.id ${order} LIMIT $${params.push(window.limit)}`,
    params,
  );
  return order === 'DESC' ? rows.reverse() : rows;
}

export async function countPageResources(q: Queryable, type: string, clauses: readonly PageClause[]): Promise<number> {
  const params: unknown[] = [];
  const rows = await q.query<{ n: string | number }>(
    `SELECT count(*) AS n FROM fhir_page_resources r WHERE ${whereOf(type, clauses, params)}`,
    params,
  );
  return Number(rows[0].n);
}

/** The resource of that type and id, among those matching the clauses (the caller's reach). */
export async function getPageResource(
  q: Queryable,
  type: string,
  id: string,
  clauses: readonly PageClause[],
): Promise<PageResourceRow | null> {
  const rows = await searchPageResources(q, type, [{ kind: 'id', values: [id] }, ...clauses], { limit: 1 });
  return rows[0] ?? null;
}
