// SQL for personal documents (table personal_docs): scoped by document id AND owner (and page).
import type { Queryable } from '../db/db.ts';
import { WRITER, writerParams, type Writer } from './changes.ts';
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
  pol: string;
  data: Record<string, unknown>;
  document: Buffer;
}

// Metadata only (never the bytes): the stored data plus where the document belongs and its size.
const METADATA = `COALESCE(CASE WHEN jsonb_typeof(data) = 'object' THEN data ELSE '{}'::jsonb END
  || jsonb_build_object('id', id, 'fedacct', fedacct, 'pol', pol, 'size', octet_length(document)), 'null')::text AS json`;

/** A keyset batch of a person's documents' metadata, all of them or those of one page. */
export async function listDocumentsJson(
  q: Queryable,
  fedacct: string,
  pol: string | null,
  after: string | null,
  limit: number,
): Promise<JsonRow[]> {
  const params: unknown[] = [fedacct];
  let where = 'fedacct = $1';
  if (pol !== null) where += ` AND pol = $${params.push(pol)}`;
  if (after !== null) where += ` AND id > $${params.push(after)}`;
  return q.query(`SELECT id, ${METADATA} FROM personal_docs WHERE ${where} ORDER BY id LIMIT $${params.push(limit)}`, params);
}

export async function getDocument(q: Queryable, fedacct: string, pol: string, id: string): Promise<DocumentRow | null> {
  const rows = await q.query<DocumentRow>('SELECT id, data, document FROM personal_docs WHERE id = $1 AND fedacct = $2 AND pol = $3', [
    id,
    fedacct,
    pol,
  ]);
  return rows[0] ?? null;
}

/**
 * Inserts a document into an existing page of that person: 'no-page' when the page is not
 * (or no longer) there, 'duplicate' when the document id is taken, else 'created'.
 */
export async function insertDocument(q: Queryable, writer: Writer, doc: NewDocument): Promise<'created' | 'duplicate' | 'no-page'> {
  let rows;
  try {
    rows = await q.query(
      `${WRITER} INSERT INTO personal_docs (id, fedacct, pol, document, data)
       SELECT $3::varchar, $4::varchar, $5::varchar, $6::bytea, $7::jsonb FROM writer
       WHERE EXISTS (SELECT 1 FROM pols WHERE id = $5::varchar AND book = $4::varchar)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [...writerParams(writer), doc.id, doc.fedacct, doc.pol, doc.document, JSON.stringify(doc.data)],
    );
  } catch (err) {
    // The page (or its person) was deleted between the EXISTS and the foreign keys' check.
    if (isForeignKeyViolation(err)) return 'no-page';
    throw err;
  }
  if (rows.length === 1) return 'created';
  const page = await q.query('SELECT 1 FROM pols WHERE id = $1 AND book = $2', [doc.pol, doc.fedacct]);
  return page.length === 0 ? 'no-page' : 'duplicate';
}

export async function deleteDocument(q: Queryable, writer: Writer, fedacct: string, pol: string, id: string): Promise<boolean> {
  const rows = await q.query(`${WRITER} DELETE FROM personal_docs USING writer WHERE id = $3 AND fedacct = $4 AND pol = $5 RETURNING id`, [
    ...writerParams(writer),
    id,
    fedacct,
    pol,
  ]);
  return rows.length === 1;
}
