// The revoked tokens, kept in memory and reloaded only when the database's epoch has moved.
import type { Queryable } from '../db/db.ts';
import { currentRevocations, revokedFamily, revokedJti } from '../store/revocations.ts';

/**
 * The auth hook reads the revocation epoch in the same query as the caller's row. While it
 * is the epoch of the list in memory, checking a token costs two Set lookups; when it has
 * moved (someone revoked a token, on any instance), the list is read again before deciding,
 * so a revocation holds from the next request on.
 */
export class RevocationList {
  private epoch = -1n;
  private revoked = new Set<string>();
  private loading: Promise<void> | null = null;

  constructor(private readonly db: Queryable) {}

  private reload(): Promise<void> {
    this.loading ??= currentRevocations(this.db)
      .then(({ epoch, ids }) => {
        // Two reloads may finish out of order: keep the newer list.
        if (BigInt(epoch) >= this.epoch) {
          this.epoch = BigInt(epoch);
          this.revoked = new Set(ids);
        }
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  /** True when the token (its jti, or its refresh family) is revoked as of `epoch`, the one read with the caller's row. */
  async isRevoked(token: { jti: string; family?: string }, epoch: string | null | undefined): Promise<boolean> {
    const wanted = BigInt(epoch ?? '0');
    while (wanted > this.epoch) await this.reload();
    return this.revoked.has(revokedJti(token.jti)) || (token.family !== undefined && this.revoked.has(revokedFamily(token.family)));
  }
}
