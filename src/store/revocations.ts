// SQL for revoked tokens (tables oauth_revocations and oauth_revocation_epoch, migration 051).
import type { Queryable } from '../db/db.ts';

/** What a revocation names: one access token by its jti, or every token of a refresh family. */
export const revokedJti = (jti: string) => `jti:${jti}`;
export const revokedFamily = (family: string) => `fam:${family}`;

/**
 * Records revocations, kept until `expiresAt` (the last moment a token they name could be
 * valid). Bumps the epoch (trigger), so every server reloads its list at its next request.
 * Entries past their expiry are dropped on the way.
 */
export async function revoke(q: Queryable, ids: readonly string[], expiresAt: Date): Promise<void> {
  await q.query('DELETE FROM oauth_revocations WHERE expires_at < now()');
  await q.query(
    `INSERT INTO oauth_revocations (id, expires_at) SELECT unnest($1::text[]), $2
     ON CONFLICT (id) DO UPDATE SET expires_at = GREATEST(oauth_revocations.expires_at, EXCLUDED.expires_at)`,
    [ids, expiresAt.toISOString()],
  );
}

/** The epoch and every revocation still in force, read in one snapshot. */
export async function currentRevocations(q: Queryable): Promise<{ epoch: string; ids: string[] }> {
  const rows = await q.query<{ epoch: string; ids: string[] }>(
    `SELECT (SELECT version FROM oauth_revocation_epoch)::text AS epoch,
            ARRAY(SELECT id FROM oauth_revocations WHERE expires_at > now()) AS ids`,
  );
  return rows[0];
}
