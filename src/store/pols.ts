// SQL for pages of life (table pols): every query scoped by page id AND book (its owner).
import type { Queryable } from '../db/db.ts';
import { WRITER, writerParams, type Writer } from './changes.ts';
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
    ? q.query(`SELECT id, ${JSON_COL} FROM pols WHERE book = $1${filter} ORDER BY id LIMIT $2`, [book, limit])
    : q.query(`SELECT id, ${JSON_COL} FROM pols WHERE book = $1 AND id > $2${filter} ORDER BY id LIMIT $3`, [book, after, limit]);
}

export async function getPageJson(q: Queryable, book: string, id: string): Promise<string | null> {
  const rows = await q.query<{ json: string }>(`SELECT ${JSON_COL} FROM pols WHERE id = $1 AND book = $2`, [id, book]);
  return rows[0]?.json ?? null;
}

export async function pageExists(q: Queryable, book: string, id: string): Promise<boolean> {
  const rows = await q.query('SELECT 1 FROM pols WHERE id = $1 AND book = $2', [id, book]);
  return rows.length === 1;
}

/**
 * Inserts a page into an existing person's book. 'no-person' when the book's owner does not
 * exist, 'duplicate' when the page id is taken (by anyone: ids are global), else 'created'.
 */
export async function insertPage(
  q: Queryable,
  writer: Writer,
  book: string,
  id: string,
  data: PageData,
): Promise<'created' | 'duplicate' | 'no-person'> {
  let rows;
  try {
    rows = await q.query(
      `${WRITER} INSERT INTO pols (id, book, data) SELECT $3::varchar, $4::varchar, $5::jsonb FROM writer
       WHERE EXISTS (SELECT 1 FROM people WHERE id = $4::varchar) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [...writerParams(writer), id, book, JSON.stringify(data)],
    );
  } catch (err) {
    // The person was deleted between the EXISTS and the foreign key's check (a concurrent DELETE).
    if (isForeignKeyViolation(err)) return 'no-person';
    throw err;
  }
  if (rows.length === 1) return 'created';
  const owner = await q.query('SELECT 1 FROM people WHERE id = $1', [book]);
  return owner.length === 0 ? 'no-person' : 'duplicate';
}

/** Shallow JSON merge of the page in that book; false when the book has no such page. */
export async function mergePage(q: Queryable, writer: Writer, book: string, id: string, patch: PageData): Promise<boolean> {
  const rows = await q.query(
    `${WRITER} UPDATE pols SET data = COALESCE(data, '{}'::jsonb) || $5::jsonb FROM writer WHERE id = $3 AND book = $4 RETURNING id`,
    [...writerParams(writer), id, book, JSON.stringify(patch)],
  );
  return rows.length === 1;
}

/** Replaces the whole page document in that book; false when the book has no such page. */
export async function replacePage(q: Queryable, writer: Writer, book: string, id: string, data: PageData): Promise<boolean> {
  const rows = await q.query(`${WRITER} UPDATE pols SET data = $5::jsonb FROM writer WHERE id = $3 AND book = $4 RETURNING id`, [
    ...writerParams(writer),
    id,
    book,
    JSON.stringify(data),
  ]);
  return rows.length === 1;
}

/** Locks the page for the rest of the transaction and returns its JSON as GET sends it (for its ETag); null when the book has no such page. */
export async function lockPageJson(q: Queryable, book: string, id: string): Promise<string | null> {
  const rows = await q.query<{ json: string }>(`SELECT ${JSON_COL} FROM pols WHERE id = $1 AND book = $2 FOR UPDATE`, [id, book]);
  return rows[0]?.json ?? null;
}

export async function countPageDocuments(q: Queryable, id: string): Promise<number> {
  const rows = await q.query<{ n: string | number }>('SELECT count(*) AS n FROM personal_docs WHERE pol = $1', [id]);
  return Number(rows[0].n);
}

export async function deletePage(q: Queryable, writer: Writer, book: string, id: string): Promise<boolean> {
  const rows = await q.query(`${WRITER} DELETE FROM pols USING writer WHERE id = $3 AND book = $4 RETURNING id`, [
    ...writerParams(writer),
    id,
    book,
  ]);
  return rows.length === 1;
}
