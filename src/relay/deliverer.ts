// The webhook deliverer of one server process: queues deliveries for new changes, claims due
// ones from the database, POSTs them signed, and records each outcome (retry, park, done).
import type { Db } from '../db/db.ts';
import {
  anySubscription,
  claimDeliveries,
  fanOut,
  markDelivered,
  markFailed,
  nextDueInMs,
  releaseClaim,
  type Claim,
} from '../store/deliveries.ts';
import { countInFlight, observeAttempt } from '../metrics/relay-metrics.ts';
import type { ChangeHub } from './hub.ts';
import { signatureHeader } from './signature.ts';

const FAN_OUT_BATCH = 1000;

export interface DelivererOptions {
  /** Attempts before a delivery is parked as failed. */
  maxAttempts: number;
  /** The first retry waits about this long; each next one twice as long (with jitter), up to maxRetryMs. */
  retryMs: number;
  maxRetryMs: number;
  /** A receiver that has not answered by then has failed this attempt. */
  timeoutMs: number;
  /** Deliveries in flight at once from this process (each to a different subscription). */
  concurrency: number;
  /** Looks for subscriptions made elsewhere and for due retries at least this often. */
  pollMs: number;
  onError: (err: unknown) => void;
}

/** Exponential backoff with jitter: half the doubled delay fixed, the other half random, so retries of many deliveries spread out. */
export function retryDelay(attempt: number, baseMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

export class Deliverer {
  private running: Promise<void> | null = null;
  private runAgain = false;
  /** The next round looks at everything (subscriptions, fan-out), not only at what is due. */
  private full = true;
  /** The hub's position at the last fan-out: new changes since then need one. */
  private fannedTo = -1;
  private unfollow: (() => void) | null = null;
  private readonly inFlight = new Map<string, AbortController>();
  private readonly sending = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly hub: ChangeHub,
    private readonly options: DelivererOptions,
  ) {}

  start(): void {
    this.poll = setInterval(() => this.kick(true), this.options.pollMs);
    this.poll.unref();
    this.kick(true);
  }

  /**
   * Something may be due (new changes, a finished delivery, a retry's time): run a round, once
   * at a time. `full`: subscriptions may have changed (made, replayed, or elsewhere: the poll).
   */
  kick(full = false): void {
    if (this.closed) return;
    this.full ||= full;
    if (this.running) {
      this.runAgain = true;
      return;
    }
    this.running = this.round()
      .catch((err: unknown) => this.options.onError(err))
      .finally(() => {
        this.running = null;
        if (this.runAgain) {
          this.runAgain = false;
          this.kick();
        }
      });
  }

  private async round(): Promise<void> {
    const full = this.full;
    this.full = false;
    if (full || !this.unfollow) {
      // Follow the change log only while there is something to deliver it to.
      const wanted = await anySubscription(this.db);
      if (wanted && !this.unfollow) this.unfollow = await this.hub.follow(() => this.kick());
      if (!wanted && this.unfollow) {
        this.unfollow();
        this.unfollow = null;
      }
      if (!wanted) return;
    }
    // A round after a delivery, with no new change, only claims the next one: a subscription's
    // deliveries go one at a time, so this is the path each of them waits for.
    const position = this.hub.position;
    if (full || position !== this.fannedTo) {
      while ((await fanOut(this.db, FAN_OUT_BATCH)) > 0 && !this.closed);
      this.fannedTo = position;
    }
    const room = this.options.concurrency - this.inFlight.size;
    if (room > 0 && !this.closed) {
      const leaseMs = this.options.timeoutMs * 2 + 1000;
      for (const claim of await claimDeliveries(this.db, room, leaseMs)) this.launch(claim);
    }
    this.scheduleNext(await nextDueInMs(this.db));
  }

  private scheduleNext(dueInMs: number | null): void {
    clearTimeout(this.timer);
    if (dueInMs === null || this.closed) return;
    this.timer = setTimeout(() => this.kick(), Math.min(Math.max(dueInMs, 1), this.options.pollMs));
    this.timer.unref();
  }

  private launch(claim: Claim): void {
    const abort = new AbortController();
    this.inFlight.set(claim.id, abort);
    countInFlight(1);
    const sent = this.send(claim, abort.signal)
      .catch((err: unknown) => this.options.onError(err))
      .finally(() => {
        countInFlight(-1);
        this.inFlight.delete(claim.id);
        this.sending.delete(sent);
        this.kick();
      });
    this.sending.add(sent);
  }

  private async send(claim: Claim, cancelled: AbortSignal): Promise<void> {
    const body = JSON.stringify(claim.change);
    const started = performance.now();
    const took = () => (performance.now() - started) / 1000;
    let failure: string;
    try {
      const response = await fetch(claim.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Thalamus-Relay',
          'x-thalamus-delivery': claim.id,
          'x-thalamus-event': claim.change.resource,
          'x-thalamus-signature': signatureHeader(claim.secret, body),
        },
        signal: AbortSignal.any([cancelled, AbortSignal.timeout(this.options.timeoutMs)]),
      });
      await response.body?.cancel();
      if (response.ok) {
        observeAttempt('delivered', took(), (Date.now() - Date.parse(claim.change.time)) / 1000);
        await markDelivered(this.db, claim);
        return;
      }
      failure = `HTTP ${response.status}`;
    } catch (err) {
      // Shutting down: hand the delivery back, not counted as an attempt, for any instance to send.
      if (cancelled.aborted) return releaseClaim(this.db, claim);
      failure = (err as Error).name === 'TimeoutError' ? `no answer within ${this.options.timeoutMs} ms` : describe(err);
    }
    const last = claim.attempts >= this.options.maxAttempts;
    observeAttempt(last ? 'parked' : 'failed', took());
    await markFailed(this.db, claim, failure, last ? null : retryDelay(claim.attempts, this.options.retryMs, this.options.maxRetryMs));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    clearInterval(this.poll);
    this.unfollow?.();
    for (const abort of this.inFlight.values()) abort.abort();
    await Promise.allSettled([...this.sending]);
    await this.running;
  }
}

/** What went wrong in a word: fetch hides the network error (ECONNREFUSED, ...) in its cause. */
function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}
