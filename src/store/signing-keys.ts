// SQL for the token server's signing keys (table oauth_signing_keys, migration 050).
import type { Db, Queryable } from '../db/db.ts';

export interface PublicKeyRow {
  kid: string;
  alg: string;
  public_jwk: Record<string, unknown>;
}

export interface SigningKeyRow extends PublicKeyRow {
  sealed_private_jwk: string;
}

// Any constant works; it only has to be the same for every Thalamus instance (migrations use 7_312_001).
const KEYS_LOCK = 7_312_050;

/**
 * The public keys a verifier may meet: the current one and those retired less than
 * `graceSeconds` ago (the lifetime of the tokens they signed), newest first.
 */
export async function publishedKeys(q: Queryable, graceSeconds: number): Promise<PublicKeyRow[]> {
  return q.query<PublicKeyRow>(
    `SELECT kid, alg, public_jwk FROM oauth_signing_keys
     WHERE retired_at IS NULL OR retired_at > now() - make_interval(secs => $1)
     ORDER BY created_at DESC, kid`,
    [graceSeconds],
  );
}

/** The key that signs now, or null before the first. */
export async function currentSigningKey(q: Queryable): Promise<SigningKeyRow | null> {
  const rows = await q.query<SigningKeyRow>(
    'SELECT kid, alg, public_jwk, sealed_private_jwk FROM oauth_signing_keys WHERE retired_at IS NULL',
  );
  return rows[0] ?? null;
}

/**
 * Makes `make()`'s key the current one, under a lock so instances starting together agree:
 * with `retireCurrent` the current key is retired (rotation), otherwise the new key is only
 * stored when there is none yet. Returns the key that signs afterwards.
 */
export async function installSigningKey(
  db: Db,
  make: () => Promise<SigningKeyRow>,
  options: { retireCurrent: boolean },
): Promise<{ key: SigningKeyRow; created: boolean; retired: string | null }> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [KEYS_LOCK]);
    const current = await currentSigningKey(tx);
    if (current && !options.retireCurrent) return { key: current, created: false, retired: null };
    const key = await make();
    if (current) await tx.query('UPDATE oauth_signing_keys SET retired_at = clock_timestamp() WHERE kid = $1', [current.kid]);
    await tx.query('INSERT INTO oauth_signing_keys (kid, alg, public_jwk, sealed_private_jwk) VALUES ($1, $2, $3::jsonb, $4)', [
      key.kid,
      key.alg,
      JSON.stringify(key.public_jwk),
      key.sealed_private_jwk,
    ]);
    return { key, created: true, retired: current?.kid ?? null };
  });
}

/** Deletes the keys retired more than `graceSeconds` ago: no token they signed is still valid. */
export async function deleteExpiredKeys(q: Queryable, graceSeconds: number): Promise<string[]> {
  const rows = await q.query<{ kid: string }>(
    'DELETE FROM oauth_signing_keys WHERE retired_at <= now() - make_interval(secs => $1) RETURNING kid',
    [graceSeconds],
  );
  return rows.map((r) => r.kid).sort();
}
