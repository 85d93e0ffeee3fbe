// Verified-credential cache: skips bcrypt for a repeat of credentials already verified.
import { createHmac, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * Keyed by an HMAC of (account id, password, *stored hash*): a password change alters the
 * stored hash, so no stale entry can ever match again, on any instance. The HMAC key is
 * random per process, so the keys in memory reveal nothing about the passwords; whatever
 * else must be keyed by credentials (the checks under way) uses the same keys.
 */
export class CredentialCache {
  private readonly secret = randomBytes(32);
  private readonly entries: LRUCache<string, true>;

  constructor(options: { max?: number; ttlMs?: number } = {}) {
    this.entries = new LRUCache({ max: options.max ?? 10_000, ttl: options.ttlMs ?? 5 * 60_000 });
  }

  /** The key of these credentials checked against this stored hash. */
  keyOf(id: string, password: string, storedHash: string): string {
    return createHmac('sha256', this.secret).update(id).update('\0').update(password).update('\0').update(storedHash).digest('base64');
  }

  /** True when the credentials of `key` were verified within the lifetime. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  remember(key: string): void {
    this.entries.set(key, true);
  }
}
