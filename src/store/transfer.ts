// SQL for `thalamus export`: the five reference tables read in keyset batches, and row counts.
import type { Db, Queryable } from '../db/db.ts';
import type { Table, TableRow } from './rows.ts';

// Every column of each table, so an export is the whole row (the reference schema, docs/wire-contract.md, "Storage").
const COLUMNS: Record<Table, string> = {
  people: 'id, data',
  dus: 'id, data',
  institutions: 'id, data',
  pols: 'id, book, data',
  personal_docs: 'id, fedacct, pol, document, data',
};

/**
 * Up to `limit` rows of `table` in id order after `after` (null: from the start). Keyset
 * pagination: each batch is one index range scan, so exporting a large table keeps memory flat.
 */
export async function readBatch(q: Queryable, table: Table, after: string | null, limit: number): Promise<TableRow[]> {
  const select = `SELECT ${COLUMNS[table]} FROM ${table}`;
  const rows =
    after === null
      ? await q.query<TableRow>(`${select} ORDER BY id LIMIT $1`, [limit])
      : await q.query<TableRow>(`${select} WHERE id > $1 ORDER BY id LIMIT $2`, [after, limit]);
  // PGlite hands bytea back as a Uint8Array, pg as a Buffer.
  for (const row of rows) {
    const doc = row.document as Uint8Array | null | undefined;
    if (doc && !Buffer.isBuffer(doc)) row.document = Buffer.from(doc.buffer, doc.byteOffset, doc.byteLength);
  }
  return rows;
}

export async function countRows(q: Queryable, table: Table): Promise<number> {
  const rows = await q.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(rows[0].n);
}

/** Runs fn in one read-only REPEATABLE READ transaction: an export sees a single snapshot. */
export function inSnapshot<T>(db: Db, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    return fn(tx);
  });
}
