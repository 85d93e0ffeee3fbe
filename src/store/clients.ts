// SQL for registered OAuth clients (table oauth_clients, migration 052).
import type { Queryable } from '../db/db.ts';

export interface ClientRow {
  id: string;
  secret_hash: string;
  roles: string[];
}

/** A client as the Bearer check needs it, with the revocation epoch read in the same snapshot (migration 051). */
export interface ClientLookup {
  client: ClientRow | null;
  revocationEpoch: string;
}

/** False when a client with this id exists already. */
export async function insertClient(q: Queryable, row: ClientRow): Promise<boolean> {
  const rows = await q.query(
    'INSERT INTO oauth_clients (id, secret_hash, roles) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id',
    [row.id, row.secret_hash, row.roles],
  );
  return rows.length === 1;
}

export async function getClient(q: Queryable, id: string): Promise<ClientRow | null> {
  const rows = await q.query<ClientRow>('SELECT id, secret_hash, roles FROM oauth_clients WHERE id = $1', [id]);
  return rows[0] ?? null;
}

export async function lookupClient(q: Queryable, id: string): Promise<ClientLookup> {
  const rows = await q.query<{ id: string | null; secret_hash: string | null; roles: string[] | null; epoch: string }>(
    `SELECT c.id, c.secret_hash, c.roles, (SELECT version FROM oauth_revocation_epoch)::text AS epoch
     FROM (SELECT 1) AS one LEFT JOIN oauth_clients c ON c.id = $1`,
    [id],
  );
  const r = rows[0];
  const client = r.id !== null && r.secret_hash !== null ? { id: r.id, secret_hash: r.secret_hash, roles: r.roles ?? [] } : null;
  return { client, revocationEpoch: r.epoch };
}

/** False when there was no such client. */
export async function deleteClient(q: Queryable, id: string): Promise<boolean> {
  return (await q.query('DELETE FROM oauth_clients WHERE id = $1 RETURNING id', [id])).length === 1;
}

export async function listClients(q: Queryable): Promise<{ id: string; roles: string[]; created_at: string }[]> {
  return q.query(
    'SELECT id, roles, to_char(created_at AT TIME ZONE \'UTC\', \'YYYY-MM-DD"T"HH24:MI:SS"Z"\') AS created_at FROM oauth_clients ORDER BY id',
  );
}
