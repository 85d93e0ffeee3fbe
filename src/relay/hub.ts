// The change hub of one server process: while something follows the change log (a stream, the
// webhook deliverer), reads it once for all of them, woken by NOTIFY, keeping the latest in memory.
import type { Db } from '../db/db.ts';
import { CHANGES_CHANNEL, changesHorizon, readChanges, type Change } from '../store/changes.ts';

const READ_BATCH = 1000;
/** While a transaction holds changes back, look again this soon, then less and less often. */
const FIRST_RECHECK_MS = 5;
const MAX_RECHECK_MS = 1000;

export interface HubOptions {
  /** Changes kept in memory; a follower further behind reads the database instead. */
  keep: number;
  /** Reads even without a notification this often: writers that do not announce (psql), lost notifications. */
  pollMs: number;
  onError: (err: unknown) => void;
}

export class ChangeHub {
  /** Every change up to this seq is final and has been handed to the followers. */
  private head = 0;
  /** The memory holds every change after this seq (up to head). */
  private keptFrom = 0;
  private recent: Change[] = [];
  private readonly followers = new Set<() => void>();
  private following: Promise<void> | null = null;
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private stopListening: Promise<() => Promise<void>> | null = null;
  private poll: NodeJS.Timeout | undefined;
  private recheck: NodeJS.Timeout | undefined;
  private recheckMs = FIRST_RECHECK_MS;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly options: HubOptions,
  ) {}

  /** Listens for announcements; reading starts with the first follower. */
  listen(): void {
    this.stopListening ??= this.db.listen(CHANGES_CHANNEL, () => this.wake());
    this.poll ??= setInterval(() => this.wake(), this.options.pollMs);
    this.poll.unref();
  }

  /**
   * Calls `onChanges` after each batch of new changes from now on. Resolves once the hub is
   * at the end of the log (position is then "now"); returns the function that stops following.
   */
  async follow(onChanges: () => void): Promise<() => void> {
    this.listen();
    if (this.followers.size === 0) this.following = null;
    // Nobody followed until now: memory is stale, start again from the current end.
    this.following ??= (async () => {
      await this.reading;
      this.head = (await changesHorizon(this.db)) - 1;
      this.keptFrom = this.head;
      this.recent = [];
    })();
    const ready = this.following;
    this.followers.add(onChanges);
    try {
      await ready;
    } catch (err) {
      this.followers.delete(onChanges);
      if (this.following === ready) this.following = null;
      throw err;
    }
    return () => {
      this.followers.delete(onChanges);
    };
  }

  /** The seq up to which every change has been read. */
  get position(): number {
    return this.head;
  }

  /** The changes after `seq` held in memory, or null when memory does not reach back that far. */
  changesAfter(seq: number): Change[] | null {
    if (seq < this.keptFrom) return null;
    if (seq >= this.head) return [];
    // Seqs increase along the list: find the first one past `seq`.
    let lo = 0;
    let hi = this.recent.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.recent[mid].seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return this.recent.slice(lo);
  }

  /** A notification, the poll or a recheck: read what is new, one read at a time; a wake-up meanwhile reads again after. */
  wake(): void {
    if (this.closed || this.followers.size === 0) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readNew()
      .catch((err: unknown) => this.options.onError(err))
      .finally(() => {
        this.reading = null;
        if (this.readAgain) {
          this.readAgain = false;
          this.wake();
        }
      });
  }

  private async readNew(): Promise<void> {
    await this.following;
    let pending = false;
    let any = false;
    for (;;) {
      const page = await readChanges(this.db, { since: this.head, limit: READ_BATCH });
      this.keep(page.changes);
      this.head = page.next;
      pending = page.pending;
      any ||= page.changes.length > 0;
      if (page.changes.length < READ_BATCH || this.closed) break;
    }
    if (any) for (const follower of [...this.followers]) follower();
    this.scheduleRecheck(pending);
  }

  private keep(changes: Change[]): void {
    if (changes.length === 0) return;
    this.recent.push(...changes);
    const excess = this.recent.length - this.options.keep;
    if (excess > 0) {
      this.keptFrom = this.recent[excess - 1].seq;
      this.recent.splice(0, excess);
    }
  }

  /**
   * A transaction still in flight holds later changes back; its end may come without an
   * announcement (a rollback, a writer that does not announce): look again shortly.
   */
  private scheduleRecheck(pending: boolean): void {
    clearTimeout(this.recheck);
    if (!pending || this.closed) {
      this.recheckMs = FIRST_RECHECK_MS;
      return;
    }
    this.recheck = setTimeout(() => this.wake(), this.recheckMs);
    this.recheck.unref();
    this.recheckMs = Math.min(this.recheckMs * 2, MAX_RECHECK_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.poll);
    clearTimeout(this.recheck);
    this.followers.clear();
    const stop = await this.stopListening?.catch(() => null);
    await stop?.();
    await this.reading;
  }
}
