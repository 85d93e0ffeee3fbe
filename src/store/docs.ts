// SQL for personal documents (table personal_docs): scoped by document id AND owner (and page).
import type { Queryable } from '../db/db.ts';
import { WRITER, writerParams, type Writer } from './changes.ts';
import { ownedRowId, routeIdSql } from './owned-ids.ts';
import { isForeignKeyViolation } from './races.ts';

interface JsonRow {
  id: string;
  json: string;
}
export interface DocumentRow {
  id: string;
  data: Record<string, unknown> | null;
  document: Buffer | Uint8Array | null;
}
export interface NewDocument {
  id: string;
  fedacct: string;
  /** The row id of its page (pageRowId in src/store/pols.ts). */
  pol: string;
  data: Record<string, unknown>;
  document: Buffer;
}

/**
 * The document id its routes use, and its page's: the row ids, but for a record stored under
 * '.<id>.<owner>' because another person held <id> (migration 023). Lookups and listings go
 * by (fedacct, DOC_ID), on the unique index of that pair, so both forms answer alike.
 */
const DOC_ID = routeIdSql('id', 'fedacct');
const PAGE_ID = routeIdSql('pol', 'fedacct');

// Metadata only (never the bytes): the stored data plus where the document belongs and its size.
const METADATA = `COALESCE(CASE WHEN jsonb_typeof(data) = 'object' THEN data ELSE '{}'::jsonb END
  || jsonb_build_object('id', ${DOC_ID}, 'fedacct', fedacct, 'pol', ${PAGE_ID}, 'size', octet_length(document)), 'null')::text AS json`;

/** A keyset batch of a person's documents' metadata, all of them or those of one page (by its row id). */
export async function listDocumentsJson(
  q: Queryable,
  fedacct: string,
  polRowId: string | null,
  after: string | null,
  limit: number,
): Promise<JsonRow[]> {
  const params: unknown[] = [fedacct];
  let where = 'fedacct = $1';
  if (polRowId !== null) where += ` AND pol = $${params.push(polRowId)}`;
  if (after !== null) where += ` AND ${DOC_ID} > $${params.push(after)}`;
  return q.query(
    `SELECT ${DOC_ID} AS id, ${METADATA} FROM personal_docs WHERE ${where} ORDER BY ${DOC_ID} LIMIT $${params.push(limit)}`,
    params,
  );
}

/** The document of that id on the person's page of that (route) id. */
export async function getDocument(q: Queryable, fedacct: string, pol: string, id: string): Promise<DocumentRow | null> {
  const rows = await q.query<DocumentRow>(
    `SELECT id, data, document FROM personal_docs WHERE fedacct = $2 AND ${DOC_ID} = $1 AND ${PAGE_ID} = $3`,
    [id, fedacct, pol],
  );
  return rows[0] ?? null;
}

/**
 * Inserts a document into an existing page of that person (`doc.pol`: the page's row id):
 * 'no-page' when the page is not (or no longer) there, 'duplicate' when this person has a
 * document of that id, else 'created'. A document id held by another person is no obstacle
 * and no answer of its own: it is stored under ownedRowId(id, fedacct), as pages are.
 */
export async function insertDocument(q: Queryable, writer: Writer, doc: NewDocument): Promise<'created' | 'duplicate' | 'no-page'> {
  // One statement whether the id is new or held by another person, as for pages (src/store/pols.ts, insertPage).
  const insert = () =>
    q.query(
      `${WRITER}, page AS (SELECT 1 FROM pols WHERE id = $5::varchar AND book = $4::varchar),
       plain AS (
         INSERT INTO personal_docs (id, fedacct, pol, document, data)
         SELECT $3::varchar, $4::varchar, $5::varchar, $6::bytea, $7::jsonb FROM writer
         WHERE EXISTS (SELECT 1 FROM page) ON CONFLICT DO NOTHING RETURNING id),
       owned AS (
         INSERT INTO personal_docs (id, fedacct, pol, document, data)
         SELECT $8::varchar, $4::varchar, $5::varchar, $6::bytea, $7::jsonb FROM writer
         WHERE NOT EXISTS (SELECT 1 FROM plain) AND EXISTS (SELECT 1 FROM page)
           AND EXISTS (SELECT 1 FROM personal_docs WHERE id = $3::varchar AND fedacct IS DISTINCT FROM $4::varchar)
         ON CONFLICT DO NOTHING RETURNING id)
       SELECT id FROM plain UNION ALL SELECT id FROM owned`,
      [...writerParams(writer), doc.id, doc.fedacct, doc.pol, doc.document, JSON.stringify(doc.data), ownedRowId(doc.id, doc.fedacct)],
    );
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      if ((await insert()).length === 1) return 'created';
      const [state] = await q.query<{ page: boolean; here: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM pols WHERE id = $3 AND book = $2) AS page,
                EXISTS (SELECT 1 FROM personal_docs WHERE fedacct = $2 AND ${DOC_ID} = $1) AS here`,
        [doc.id, doc.fedacct, doc.pol],
      );
      if (!state.page) return 'no-page';
      if (state.here) return 'duplicate';
    }
    return 'duplicate';
  } catch (err) {
    // The page (or its person) was deleted between the EXISTS and the foreign keys' check.
    if (isForeignKeyViolation(err)) return 'no-page';
    throw err;
  }
}

export async function deleteDocument(q: Queryable, writer: Writer, fedacct: string, pol: string, id: string): Promise<boolean> {
  const rows = await q.query(
    `${WRITER} DELETE FROM personal_docs USING writer WHERE fedacct = $4 AND ${DOC_ID} = $3 AND ${PAGE_ID} = $5 RETURNING id`,
    [...writerParams(writer), id, fedacct, pol],
  );
  return rows.length === 1;
}
