// SQL shared by the demo loader and import: the five reference tables written row by row.
import type { Queryable } from '../db/db.ts';

export const TABLES = ['people', 'pols', 'personal_docs', 'dus', 'institutions'] as const;
export type Table = (typeof TABLES)[number];

/** A row of any reference table; `document` is the raw bytes of a personal document. */
export interface TableRow {
  id: string;
  data: unknown;
  book?: string | null;
  fedacct?: string | null;
  pol?: string | null;
  document?: Buffer | null;
}

const INSERT: Record<Table, string> = {
  people: 'INSERT INTO people (id, data) VALUES ($1, $2::jsonb)',
  dus: 'INSERT INTO dus (id, data) VALUES ($1, $2::jsonb)',
  institutions: 'INSERT INTO institutions (id, data) VALUES ($1, $2::jsonb)',
  pols: 'INSERT INTO pols (id, data, book) VALUES ($1, $2::jsonb, $3)',
  personal_docs: 'INSERT INTO personal_docs (id, data, fedacct, pol, document) VALUES ($1, $2::jsonb, $3, $4, $5)',
};
const UPDATE: Record<Table, string> = {
  people: 'ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data',
  dus: 'ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data',
  institutions: 'ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data',
  pols: 'ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, book = EXCLUDED.book',
  personal_docs:
    'ON CONFLICT (id) DO UPDATE SET data = EXCLUDED.data, fedacct = EXCLUDED.fedacct, pol = EXCLUDED.pol, document = EXCLUDED.document',
};

function params(table: Table, row: TableRow): unknown[] {
  const data = row.data === null || row.data === undefined ? null : JSON.stringify(row.data);
  if (table === 'pols') return [row.id, data, row.book ?? null];
  if (table === 'personal_docs') return [row.id, data, row.fedacct ?? null, row.pol ?? null, row.document ?? null];
  return [row.id, data];
}

/** Writes one row. With overwrite, an existing row of that id is replaced; without, it is an error. */
export async function writeRow(q: Queryable, table: Table, row: TableRow, overwrite: boolean): Promise<void> {
  const sql = overwrite ? `${INSERT[table]} ${UPDATE[table]}` : INSERT[table];
  await q.query(sql, params(table, row));
}

/** The ids among `ids` that already exist in `table`. */
export async function existingIds(q: Queryable, table: Table, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await q.query<{ id: string }>(`SELECT id FROM ${table} WHERE id = ANY($1::varchar[])`, [ids]);
  return rows.map((r) => r.id);
}
