// SQL for pages of life (table pols): every query scoped by page id AND book (its owner).
import type { Queryable } from '../db/db.ts';
import { WRITER, writerParams, type Writer } from './changes.ts';
import { ownedRowId, routeIdSql } from './owned-ids.ts';
import { isForeignKeyViolation } from './races.ts';

export type PageData = Record<string, unknown>;
export interface PageRow {
  id: string;
  book: string;
  data: PageData | null;
}
interface JsonRow {
  id: string;
  json: string;
}

const JSON_COL = "COALESCE(data::text, 'null') AS json";
/**
 * The page id its routes use: its row id, or the id before '.<book>' of a page stored under
 * '.<id>.<book>' because another book held <id> (migration 023). Lookups and listings go by
 * (book, PAGE_ID), on the unique index of that pair, so both forms answer alike.
 */
const PAGE_ID = routeIdSql('id', 'book');
const THE_PAGE = `book = $2 AND ${PAGE_ID} = $1`;
// MyGNUHealth writes `context`, HMIS nodes `medical_context`: either names an encounter.
const ENCOUNTER = "'encounter' IN (data->>'context', data->>'medical_context')";

/** A keyset batch of one person's pages (optionally only encounters), serialized by PostgreSQL. */
export async function listPagesJson(
  q: Queryable,
  book: string,
  after: string | null,
  limit: number,
  options: { encountersOnly?: boolean } = {},
): Promise<JsonRow[]> {
  const filter = options.encountersOnly ? ` AND ${ENCOUNTER}` : '';
  return after === null
    ? q.query(`SELECT ${PAGE_ID} AS id, ${JSON_COL} FROM pols WHERE book = $1${filter} ORDER BY ${PAGE_ID} LIMIT $2`, [book, limit])
    : q.query(`SELECT ${PAGE_ID} AS id, ${JSON_COL} FROM pols WHERE book = $1 AND ${PAGE_ID} > $2${filter} ORDER BY ${PAGE_ID} LIMIT $3`, [
        book,
        after,
        limit,
      ]);
}

export async function getPageJson(q: Queryable, book: string, id: string): Promise<string | null> {
  const rows = await q.query<{ json: string }>(`SELECT ${JSON_COL} FROM pols WHERE ${THE_PAGE}`, [id, book]);
  return rows[0]?.json ?? null;
}

/** The row id the book's page of that id is stored under (documents refer to it); null when there is none. */
export async function pageRowId(q: Queryable, book: string, id: string): Promise<string | null> {
  const rows = await q.query<{ id: string }>(`SELECT id FROM pols WHERE ${THE_PAGE}`, [id, book]);
  return rows[0]?.id ?? null;
}

/**
 * Inserts a page into an existing person's book: 'no-person' when the book's owner does not
 * exist, 'duplicate' when this book has a page of that id, else 'created'. A page id held by
 * another book is no obstacle and no answer of its own: the page is stored under
 * ownedRowId(id, book) and is 'created' like any other (README.md, "Ids of pages and documents").
 */
export async function insertPage(
  q: Queryable,
  writer: Writer,
  book: string,
  id: string,
  data: PageData,
): Promise<'created' | 'duplicate' | 'no-person'> {
  // One statement whether the id is new or held by another book, so neither the answer nor its
  // time tells them apart. The unique indexes refuse a second page of this book under either
  // row id (pols_book_route_id_idx), whatever the interleaving of concurrent writers.
  const insert = () =>
    q.query(
      `${WRITER}, owner AS (SELECT 1 FROM people WHERE id = $4::varchar),
       plain AS (
         INSERT INTO pols (id, book, data) SELECT $3::varchar, $4::varchar, $5::jsonb FROM writer
         WHERE EXISTS (SELECT 1 FROM owner) ON CONFLICT DO NOTHING RETURNING id),
       owned AS (
         INSERT INTO pols (id, book, data) SELECT $6::varchar, $4::varchar, $5::jsonb FROM writer
         WHERE NOT EXISTS (SELECT 1 FROM plain) AND EXISTS (SELECT 1 FROM owner)
           AND EXISTS (SELECT 1 FROM pols WHERE id = $3::varchar AND book IS DISTINCT FROM $4::varchar)
         ON CONFLICT DO NOTHING RETURNING id)
       SELECT id FROM plain UNION ALL SELECT id FROM owned`,
      [...writerParams(writer), id, book, JSON.stringify(data), ownedRowId(id, book)],
    );
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await insert()).length === 1) return 'created';
      const [state] = await q.query<{ person: boolean; here: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM people WHERE id = $2) AS person, EXISTS (SELECT 1 FROM pols WHERE ${THE_PAGE}) AS here`,
        [id, book],
      );
      if (!state.person) return 'no-person';
      if (state.here) return 'duplicate';
      // Neither: another book's page of that id came or went while the statement ran. Again, on a newer snapshot.
    }
    return 'duplicate';
  } catch (err) {
    // The person was deleted between the EXISTS and the foreign key's check (a concurrent DELETE).
    if (isForeignKeyViolation(err)) return 'no-person';
    throw err;
  }
}

export interface NewPage {
  writer: Writer;
  book: string;
  id: string;
  data: PageData;
}

/**
 * Inserts many pages in one statement (the group commit of src/resources/page-inserts.ts), each
 * change attributed to its own writer (thalamus.writers, migration 079). Returns the page ids it
 * inserted: a page whose book already has its id, or whose person does not exist, is left out,
 * for the caller to write alone (insertPage says which it was). A page id another book holds is
 * inserted here as insertPage would, under ownedRowId, so it costs what a new id costs.
 * Page ids must be distinct.
 */
export async function insertPages(q: Queryable, pages: readonly NewPage[]): Promise<Set<string>> {
  const writers: Record<string, [string, string]> = {};
  for (const p of pages) {
    const writer: [string, string] = [p.writer.actor ?? '', p.writer.node ?? ''];
    writers[p.id] = writer;
    writers[ownedRowId(p.id, p.book)] = writer;
  }
  const rows = await q.query<{ id: string }>(
    `WITH writer AS MATERIALIZED (SELECT set_config('thalamus.writers', $1, true), set_config('thalamus.actor', '', true),
       set_config('thalamus.node', '', true)),
     r AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(id varchar, owned varchar, book varchar, data jsonb)
           WHERE EXISTS (SELECT 1 FROM people WHERE people.id = r.book)),
     plain AS (
       INSERT INTO pols (id, book, data) SELECT r.id, r.book, r.data FROM writer, r ON CONFLICT DO NOTHING RETURNING id),
     owned AS (
       INSERT INTO pols (id, book, data) SELECT r.owned, r.book, r.data FROM writer, r
       WHERE NOT EXISTS (SELECT 1 FROM plain WHERE plain.id = r.id)
         AND EXISTS (SELECT 1 FROM pols WHERE pols.id = r.id AND pols.book IS DISTINCT FROM r.book)
       ON CONFLICT DO NOTHING RETURNING ${PAGE_ID} AS id)
     SELECT id FROM plain UNION ALL SELECT id FROM owned`,
    [
      JSON.stringify(writers),
      JSON.stringify(pages.map((p) => ({ id: p.id, owned: ownedRowId(p.id, p.book), book: p.book, data: p.data }))),
    ],
  );
  return new Set(rows.map((r) => r.id));
}

/** Shallow JSON merge of the page in that book; false when the book has no such page. */
export async function mergePage(q: Queryable, writer: Writer, book: string, id: string, patch: PageData): Promise<boolean> {
  const rows = await q.query(
    `${WRITER} UPDATE pols SET data = COALESCE(data, '{}'::jsonb) || $5::jsonb FROM writer WHERE book = $4 AND ${PAGE_ID} = $3 RETURNING id`,
    [...writerParams(writer), id, book, JSON.stringify(patch)],
  );
  return rows.length === 1;
}

/** Replaces the whole page document in that book; false when the book has no such page. */
export async function replacePage(q: Queryable, writer: Writer, book: string, id: string, data: PageData): Promise<boolean> {
  const rows = await q.query(`${WRITER} UPDATE pols SET data = $5::jsonb FROM writer WHERE book = $4 AND ${PAGE_ID} = $3 RETURNING id`, [
    ...writerParams(writer),
    id,
    book,
    JSON.stringify(data),
  ]);
  return rows.length === 1;
}

/**
 * Locks the page for the rest of the transaction and returns its JSON as GET sends it (for its
 * ETag) and the row id it is stored under; null when the book has no such page.
 */
export async function lockPage(q: Queryable, book: string, id: string): Promise<{ json: string; rowId: string } | null> {
  const rows = await q.query<{ json: string; row_id: string }>(`SELECT id AS row_id, ${JSON_COL} FROM pols WHERE ${THE_PAGE} FOR UPDATE`, [
    id,
    book,
  ]);
  return rows[0] ? { json: rows[0].json, rowId: rows[0].row_id } : null;
}

/** The documents attached to the page stored under that row id. */
export async function countPageDocuments(q: Queryable, rowId: string): Promise<number> {
  const rows = await q.query<{ n: string | number }>('SELECT count(*) AS n FROM personal_docs WHERE pol = $1', [rowId]);
  return Number(rows[0].n);
}

export async function deletePage(q: Queryable, writer: Writer, book: string, id: string): Promise<boolean> {
  const rows = await q.query(`${WRITER} DELETE FROM pols USING writer WHERE book = $4 AND ${PAGE_ID} = $3 RETURNING id`, [
    ...writerParams(writer),
    id,
    book,
  ]);
  return rows.length === 1;
}
