// Audit entries of reads and refusals, written in batches: one insert per second at most, whatever the request rate.
import type { FastifyBaseLogger } from 'fastify';
import type { Queryable } from '../db/db.ts';
import { insertAuditEntries, type AuditEntry } from '../store/audit.ts';

/** A batch is written at most this long after its first entry arrived. */
export const FLUSH_MS = 1000;
/** Rows per insert statement. */
const BATCH_ROWS = 1000;
/** Entries kept while the database cannot take them; beyond this the oldest are dropped (and said so in the log). */
const MAX_PENDING = 100_000;

/**
 * Collects entries and appends them with one statement per batch, at most FLUSH_MS after the
 * first of them: a read costs its request an object in an array, not a round trip. An entry
 * keeps the time of its request. If the database refuses a batch, the entries wait for the
 * next try; close() writes whatever is left.
 */
export class AuditBatcher {
  private pending: AuditEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private dropped = 0;

  constructor(
    private readonly db: Queryable,
    private readonly log: FastifyBaseLogger,
  ) {}

  add(entry: AuditEntry): void {
    this.pending.push(entry);
    if (this.pending.length > MAX_PENDING) {
      this.pending.splice(0, this.pending.length - MAX_PENDING);
      this.dropped++;
    }
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Writes every pending entry now (called by the timer, and at close). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // One flush at a time, so entries are appended in the order they came.
    while (this.flushing) await this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.flushing = this.write(batch);
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  private async write(batch: AuditEntry[]): Promise<void> {
    let done = 0;
    try {
      for (; done < batch.length; done += BATCH_ROWS) await insertAuditEntries(this.db, batch.slice(done, done + BATCH_ROWS));
      if (this.dropped > 0) this.log.error({ dropped: this.dropped }, 'audit: entries were dropped while the database could not take them');
      this.dropped = 0;
    } catch (err) {
      // Kept for the next try, ahead of what came meanwhile.
      this.pending = [...batch.slice(done), ...this.pending];
      this.log.error({ err, waiting: this.pending.length }, 'audit: could not write entries; retrying');
      this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
    }
  }

  /** Writes what is left; afterwards entries are written one batch at once (nothing is lost at shutdown). */
  async close(): Promise<void> {
    await this.flush();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
