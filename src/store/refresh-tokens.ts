// SQL for refresh tokens (table oauth_refresh_tokens, migration 053).
import type { Queryable } from '../db/db.ts';

export interface RefreshTokenRow {
  hash: string;
  family: string;
  person: string;
  roles: string[];
  fp: string;
}

/** Stores a new refresh token of a family; expired ones are dropped on the way. */
export async function insertRefreshToken(q: Queryable, row: RefreshTokenRow, ttlSeconds: number): Promise<void> {
  await q.query('DELETE FROM oauth_refresh_tokens WHERE expires_at < now()');
  await q.query(
    `INSERT INTO oauth_refresh_tokens (hash, family, person, roles, fp, expires_at)
     VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
    [row.hash, row.family, row.person, row.roles, row.fp, ttlSeconds],
  );
}

/** The unexpired token with this digest, locked for the rest of the transaction, and whether it was used already. */
export async function lockRefreshToken(q: Queryable, hash: string): Promise<(RefreshTokenRow & { used: boolean }) | null> {
  const rows = await q.query<RefreshTokenRow & { used: boolean }>(
    `SELECT hash, family, person, roles, fp, used_at IS NOT NULL AS used FROM oauth_refresh_tokens
     WHERE hash = $1 AND expires_at > now() FOR UPDATE`,
    [hash],
  );
  return rows[0] ?? null;
}

export async function markRefreshTokenUsed(q: Queryable, hash: string): Promise<void> {
  await q.query('UPDATE oauth_refresh_tokens SET used_at = now() WHERE hash = $1', [hash]);
}

/** Forgets every refresh token of the family: none of them can be used again. */
export async function deleteRefreshFamily(q: Queryable, family: string): Promise<void> {
  await q.query('DELETE FROM oauth_refresh_tokens WHERE family = $1', [family]);
}
