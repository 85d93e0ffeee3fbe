// SQL for domiciliary units (dus) and institutions: id + JSON document tables of the reference schema.
import type { Queryable } from '../db/db.ts';
import { WRITER, writerParams, type Writer } from './changes.ts';

export type PlaceTable = 'dus' | 'institutions';
// Table names cannot be parameters; only these two literals ever reach the SQL text.
const TABLE: Record<PlaceTable, string> = { dus: 'dus', institutions: 'institutions' };
const JSON_COL = "COALESCE(data::text, 'null') AS json";

export async function listPlacesJson(
  q: Queryable,
  table: PlaceTable,
  after: string | null,
  limit: number,
): Promise<{ id: string; json: string }[]> {
  const t = TABLE[table];
  return after === null
    ? q.query(`SELECT id, ${JSON_COL} FROM ${t} ORDER BY id LIMIT $1`, [limit])
    : q.query(`SELECT id, ${JSON_COL} FROM ${t} WHERE id > $1 ORDER BY id LIMIT $2`, [after, limit]);
}

export async function getPlaceJson(q: Queryable, table: PlaceTable, id: string): Promise<string | null> {
  const rows = await q.query<{ json: string }>(`SELECT ${JSON_COL} FROM ${TABLE[table]} WHERE id = $1`, [id]);
  return rows[0]?.json ?? null;
}

/** Locks the record for the rest of the transaction and returns its JSON as GET sends it (for its ETag); null when there is none. */
export async function lockPlaceJson(q: Queryable, table: PlaceTable, id: string): Promise<string | null> {
  const rows = await q.query<{ json: string }>(`SELECT ${JSON_COL} FROM ${TABLE[table]} WHERE id = $1 FOR UPDATE`, [id]);
  return rows[0]?.json ?? null;
}

/** Inserts a record; false when the id is taken. */
export async function insertPlace(
  q: Queryable,
  writer: Writer,
  table: PlaceTable,
  id: string,
  data: Record<string, unknown>,
): Promise<boolean> {
  const rows = await q.query(
    `${WRITER} INSERT INTO ${TABLE[table]} (id, data) SELECT $3, $4::jsonb FROM writer ON CONFLICT (id) DO NOTHING RETURNING id`,
    [...writerParams(writer), id, JSON.stringify(data)],
  );
  return rows.length === 1;
}

/** Shallow merge (patch) or whole replacement; false when there is no such record. */
export async function updatePlace(
  q: Queryable,
  writer: Writer,
  table: PlaceTable,
  id: string,
  data: Record<string, unknown>,
  mode: 'merge' | 'replace',
): Promise<boolean> {
  const value = mode === 'merge' ? "COALESCE(data, '{}'::jsonb) || $4::jsonb" : '$4::jsonb';
  const rows = await q.query(`${WRITER} UPDATE ${TABLE[table]} SET data = ${value} FROM writer WHERE id = $3 RETURNING id`, [
    ...writerParams(writer),
    id,
    JSON.stringify(data),
  ]);
  return rows.length === 1;
}

export async function deletePlace(q: Queryable, writer: Writer, table: PlaceTable, id: string): Promise<boolean> {
  const rows = await q.query(`${WRITER} DELETE FROM ${TABLE[table]} USING writer WHERE id = $3 RETURNING id`, [
    ...writerParams(writer),
    id,
  ]);
  return rows.length === 1;
}
