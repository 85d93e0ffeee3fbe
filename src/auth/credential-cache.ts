// Verified-credential cache: skips bcrypt for a repeat of credentials already verified.
import { createHmac, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/**
 * Keyed by an HMAC of (account id, password, *stored hash*): a password change alters the
 * stored hash, so no stale entry can ever match again, on any instance. The HMAC key is
 * random per process, so the keys in memory reveal nothing about the passwords.
 */
export class CredentialCache {
  private readonly key = randomBytes(32);
  private readonly entries: LRUCache<string, true>;

  constructor(options: { max?: number; ttlMs?: number } = {}) {
    this.entries = new LRUCache({ max: options.max ?? 10_000, ttl: options.ttlMs ?? 5 * 60_000 });
  }

  private digest(id: string, password: string, storedHash: string): string {
    return createHmac('sha256', this.key).update(id).update('\0').update(password).update('\0').update(storedHash).digest('base64');
  }

  has(id: string, password: string, storedHash: string): boolean {
    return this.entries.has(this.digest(id, password, storedHash));
  }

  remember(id: string, password: string, storedHash: string): void {
    this.entries.set(this.digest(id, password, storedHash), true);
  }
}
