// One Server-Sent Events stream of changes: catches up from its cursor, then follows the hub.
import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { Db } from '../db/db.ts';
import { readChanges, type Change, type Resource } from '../store/changes.ts';
import type { ChangeHub } from './hub.ts';

const CATCH_UP_BATCH = 500;

export interface StreamFilter {
  /** Only this person's records (an end user's stream). */
  person?: string;
  resource?: Resource;
}

/** An SSE event (HTML Living Standard, "Server-sent events"): id = seq, event = resource, data = the change. */
export const sseEvent = (change: Change) => `id: ${change.seq}\nevent: ${change.resource}\ndata: ${JSON.stringify(change)}\n\n`;

export class ChangeStream {
  /** Every change after this seq that the filter lets through has been written. */
  private cursor = 0;
  private pumping = false;
  private pumpAgain = false;
  private started = false;
  private closed = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private unfollow: (() => void) | null = null;
  /** Resolves when the client has gone (or the stream was ended). */
  readonly done: Promise<void>;

  constructor(
    private readonly out: ServerResponse,
    private readonly hub: ChangeHub,
    private readonly db: Db,
    private readonly filter: StreamFilter,
    private readonly heartbeatMs: number,
    private readonly onError: (err: unknown) => void,
  ) {
    this.done = new Promise<void>((resolve) => out.once('close', resolve)).then(() => this.stop());
  }

  /** Follows the hub (pumping only once started); resolves with the hub's position, the seq of "now". */
  async follow(): Promise<number> {
    this.unfollow = await this.hub.follow(() => this.pump());
    if (this.closed) this.unfollow();
    return this.hub.position;
  }

  /** Sends every change after `since`, then each new one as it comes; a comment line now and then keeps proxies from closing it. */
  start(since: number): void {
    this.cursor = since;
    this.started = true;
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), this.heartbeatMs);
    this.pump();
  }

  private matches(change: Change): boolean {
    return (
      (this.filter.person === undefined || change.person === this.filter.person) &&
      (this.filter.resource === undefined || change.resource === this.filter.resource)
    );
  }

  /** False when the socket's buffer is full: wait for 'drain' before writing more. */
  private write(text: string): boolean {
    if (this.closed || this.out.destroyed) return true;
    return this.out.write(text);
  }

  private async send(changes: Change[]): Promise<void> {
    for (const change of changes) {
      if (this.closed) return;
      if (!this.matches(change)) continue;
      if (!this.write(sseEvent(change))) await Promise.race([once(this.out, 'drain'), this.done]);
    }
  }

  /** Sends everything after the cursor: from the hub's memory, or from the database when that does not reach back. */
  private pump(): void {
    if (!this.started || this.closed) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    void (async () => {
      try {
        do {
          this.pumpAgain = false;
          for (;;) {
            if (this.closed) return;
            // Read together, before any await: the hub may move on while this batch is sent.
            const upTo = this.hub.position;
            const kept = this.hub.changesAfter(this.cursor);
            if (kept !== null) {
              await this.send(kept);
              this.cursor = Math.max(this.cursor, upTo);
              break;
            }
            const page = await readChanges(this.db, { since: this.cursor, limit: CATCH_UP_BATCH, ...this.filter });
            await this.send(page.changes);
            this.cursor = page.next;
          }
        } while (this.pumpAgain);
      } catch (err) {
        // The client reconnects with Last-Event-ID and loses nothing.
        this.onError(err);
        this.out.destroy();
      } finally {
        this.pumping = false;
      }
    })();
  }

  /** Ends the stream (server shutdown); the client reconnects, to this server or another. */
  end(): void {
    this.stop();
    if (!this.out.writableEnded) this.out.end();
  }

  private stop(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.unfollow?.();
  }
}
