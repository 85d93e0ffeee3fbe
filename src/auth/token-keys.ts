// The public keys that verify access tokens, read from the database and kept in memory.
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import type { Queryable } from '../db/db.ts';
import { publishedKeys } from '../store/signing-keys.ts';

/** Keys are read again after this long, so retired keys leave. */
const REFRESH_MS = 60_000;
/** Reads caused by unknown key ids, at most this many a second (forged kids must not hammer the database). */
const UNKNOWN_KID_READS_PER_SECOND = 10;

/**
 * What jose's jwtVerify asks for a token's key. A key made by a rotation in another process
 * is unknown here until the next read: a token naming a key id not in the set triggers one
 * (once per id, and a few a second at most).
 */
export class TokenKeys {
  private set: JWTVerifyGetKey | null = null;
  private loadedAt = 0;
  private loading: Promise<JWTVerifyGetKey> | null = null;
  /** Key ids already looked for in a fresh read, and not found: not read for again for a minute. */
  private readonly missing = new LRUCache<string, true>({ max: 1000, ttl: REFRESH_MS });
  private recentReads: number[] = [];

  constructor(
    private readonly db: Queryable,
    /** How long a retired key stays valid: the token lifetime and the clock skew. */
    private readonly graceSeconds: number,
  ) {}

  private load(): Promise<JWTVerifyGetKey> {
    this.loading ??= publishedKeys(this.db, this.graceSeconds)
      .then((rows) => {
        const jwks: JSONWebKeySet = { keys: rows.map((r) => r.public_jwk) };
        this.set = createLocalJWKSet(jwks);
        this.loadedAt = Date.now();
        return this.set;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const fresh = this.set && Date.now() - this.loadedAt < REFRESH_MS;
    const set = fresh && this.set ? this.set : await this.load();
    try {
      return await set(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || !this.mayReadFor(header.kid)) throw err;
      if (header.kid) this.missing.set(header.kid, true);
      return (await this.load())(header, token);
    }
  };

  /** A key id not yet looked for (a rotation elsewhere) is worth a read, within the rate. */
  private mayReadFor(kid: string | undefined): boolean {
    if (kid === undefined || this.missing.has(kid)) return false;
    const now = Date.now();
    this.recentReads = this.recentReads.filter((t) => now - t < 1000);
    if (this.recentReads.length >= UNKNOWN_KID_READS_PER_SECOND) return false;
    this.recentReads.push(now);
    return true;
  }
}
