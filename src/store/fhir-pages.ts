// SQL for the FHIR resources of pages of life and personal documents: the fhir_page_resources index (migration 031).
import type { Queryable } from '../db/db.ts';
import { routeIdSql } from './owned-ids.ts';
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
  /** The id the legacy routes give its page or document (the row id, unless stored under '.<id>.<owner>': migration 023). */
  route_id: string;
  book: string | null;
  key: string | null;
  value: unknown;
  context: string | null;
  version: string;
  updated: Date | null;
  /** The page's or document's stored data (never a document's bytes). */
  data: Record<string, unknown> | null;
  /** For a document: its page (its route id), its size in bytes, and the first resource its page makes (for context.related). */
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

/** `column` equal to one of `values`: plain equality for one value, so a prepared statement's generic plan still walks the (book, type, id) index in order. */
function oneOf(column: string, values: readonly string[], param: (value: unknown) => string): string {
  return values.length === 1 ? `${column} = ${param(values[0])}` : `${column} = ANY(${param(values)}::text[])`;
}

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
        .map((v) => `(r.source = ${param(v.source)}${v.books === null ? '' : ` AND ${oneOf('r.book', v.books, param)}`})`)
        .join(' OR ')})`;
    case 'id':
    case 'book':
    case 'code':
    case 'source':
    case 'key':
      if (clause.values.length === 0) return 'false';
      return oneOf(COLUMNS[clause.kind], clause.values, param);
  }
}

function whereOf(type: string, clauses: readonly PageClause[], params: unknown[]): string {
  const param = (value: unknown) => `$${params.push(value)}`;
  return [`r.type = ${param(type)}`, ...clauses.map((c) => clauseSql(c, param))].join(' AND ');
}

const COMMON = `r.type, r.id, r.source, r.row_id, ${routeIdSql('r.row_id', 'r.book')} AS route_id, r.book, r.key, r.value, r.context, r.version::text AS version, r.updated, r.date`;
/** Resources of pages only (every type but DocumentReference): the page's data, no document joins. */
const FROM_PAGES = `SELECT ${COMMON}, p.data, NULL::varchar AS pol, NULL::int AS size, NULL::text AS related_type, NULL::varchar AS related_id
  FROM fhir_page_resources r
  LEFT JOIN pols p ON p.id = r.row_id`;
/** Resources of pages or personal documents: a document's data, size, page, and the first resource its page makes. */
const FROM_ANY = `SELECT ${COMMON},
  CASE WHEN r.source = 'page' THEN p.data ELSE d.data END AS data, ${routeIdSql('d.pol', 'd.fedacct')} AS pol, octet_length(d.document) AS size,
  rel.type AS related_type, rel.id AS related_id
  FROM fhir_page_resources r
  LEFT JOIN pols p ON r.source = 'page' AND p.id = r.row_id
  LEFT JOIN personal_docs d ON r.source = 'doc' AND d.id = r.row_id
  LEFT JOIN LATERAL (
    SELECT x.type, x.id FROM fhir_page_resources x WHERE r.source = 'doc' AND x.source = 'page' AND x.row_id = d.pol
    ORDER BY x.key IS NOT NULL, x.id LIMIT 1
  ) rel ON true`;

/** Whether rows of this type may come from personal documents (only DocumentReference does). */
const fromDocs = (type: string) => type === 'DocumentReference';

/**
 * Where a keyset page starts and how it is ordered. By id; or by date (a resource without one
 * last either way), then id, the page's edge given by its resource id. A page before the
 * cursor is read in the reverse order (and turned round by the caller).
 */
function keysetOf(window: KeysetWindow, params: unknown[]): { keyset: string; order: string; outer: string } {
  const backward = window.before !== undefined;
  const cursor = window.after ?? window.before;
  if (window.byDate === undefined) {
    const dir = backward ? 'DESC' : 'ASC';
    const keyset = cursor === undefined ? '' : ` AND r.id ${backward ? '<' : '>'} $${params.push(cursor)}`;
    return { keyset, order: `r.id ${dir}`, outer: `page.id ${dir}` };
  }
  const descending = window.byDate === 'descending';
  const last = descending ? "'-infinity'" : "'infinity'";
  const key = (alias: string) => `COALESCE(${alias}.date, ${last}::timestamp)`;
  const scanDescending = descending !== backward;
  const dir = scanDescending ? 'DESC' : 'ASC';
  // The cursor's own (date, id), looked up by its id: type $1 and the id make it unique.
  const keyset =
    cursor === undefined
      ? ''
      : ` AND (${key('r')}, r.id) ${scanDescending ? '<' : '>'} (SELECT ${key('x')}, x.id FROM fhir_page_resources x WHERE x.type = $1 AND x.id = $${params.push(cursor)})`;
  return { keyset, order: `${key('r')} ${dir}, r.id ${dir}`, outer: `${key('page')} ${dir}, page.id ${dir}` };
}

/** The total of a search and one page of it. */
export interface PageResourcePage {
  total: number;
  rows: PageResourceRow[];
}

/**
 * The number of resources of that type matching every clause, and one keyset page of them
 * (window.limit rows at most, in id order), in one statement: one round trip, and PostgreSQL
 * reads the page's rows only, never all the matches' data.
 */
export async function searchPageResources(
  q: Queryable,
  type: string,
  clauses: readonly PageClause[],
  window: KeysetWindow,
): Promise<PageResourcePage> {
  const params: unknown[] = [];
  const where = whereOf(type, clauses, params);
  const { keyset, order, outer } = keysetOf(window, params);
  const rows = await q.query<PageResourceRow & { total: string | number }>(
    `SELECT t.total, page.* FROM (SELECT count(*) AS total FROM fhir_page_resources r WHERE ${where}) t
     LEFT JOIN LATERAL (${fromDocs(type) ? FROM_ANY : FROM_PAGES} WHERE ${where}${keyset} ORDER BY ${order} LIMIT $${params.push(window.limit)}) page ON true
     ORDER BY ${outer}`,
    params,
  );
  const found = rows.filter((r) => r.id !== null).map(({ total: _total, ...row }) => row);
  return { total: Number(rows[0]?.total ?? 0), rows: window.before !== undefined ? found.reverse() : found };
}

/** The resource of that type and id, among those matching the clauses (the caller's reach). */
export async function getPageResource(
  q: Queryable,
  type: string,
  id: string,
  clauses: readonly PageClause[],
): Promise<PageResourceRow | null> {
  const params: unknown[] = [];
  const where = whereOf(type, [{ kind: 'id', values: [id] }, ...clauses], params);
  const rows = await q.query<PageResourceRow>(`${fromDocs(type) ? FROM_ANY : FROM_PAGES} WHERE ${where}`, params);
  return rows[0] ?? null;
}
