// The relay's Prometheus metrics: webhook attempts by outcome and their time, how long changes took to be delivered, the backlog in the database, open change streams.
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Db } from '../db/db.ts';
import { countBacklog } from '../store/deliveries.ts';

/** What became of one webhook attempt: the receiver answered 2xx; it did not and the delivery will be tried again; it did not on the last attempt (parked). */
export type AttemptOutcome = 'delivered' | 'failed' | 'parked';

/** The databases whose delivery backlog this process reports (one per relay; tests build several). */
const relayDatabases = new Set<Db>();

function create() {
  const attempts = new Counter({
    name: 'thalamus_webhook_deliveries_total',
    help: 'Webhook delivery attempts sent by this process, by outcome: delivered (2xx), failed (tried again later), parked (failed its last attempt)',
    labelNames: ['outcome'] as const,
  });
  const attemptDuration = new Histogram({
    name: 'thalamus_webhook_attempt_duration_seconds',
    help: "Time from a webhook POST to the receiver's answer (or the failure), by outcome",
    labelNames: ['outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  const lag = new Histogram({
    name: 'thalamus_webhook_delivery_lag_seconds',
    help: 'Time from a change being recorded to its webhook delivery being acknowledged, retries included',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600],
  });
  const inFlight = new Gauge({
    name: 'thalamus_webhook_deliveries_in_flight',
    help: 'Webhook deliveries being sent by this process now',
  });
  new Gauge({
    name: 'thalamus_webhook_backlog',
    help: 'Webhook deliveries in the database: pending (to be sent or retried) and parked (failed their last attempt; a replay sends them again)',
    labelNames: ['state'] as const,
    // Every worker and instance reads the same database: the workers' figures are not summed.
    aggregator: 'max',
    async collect() {
      const sum = { pending: 0, parked: 0 };
      for (const db of relayDatabases) {
        // A database that does not answer leaves the figures of the last scrape rather than failing it.
        const counts = await countBacklog(db).catch(() => null);
        if (!counts) return;
        sum.pending += counts.pending;
        sum.parked += counts.parked;
      }
      for (const [state, value] of Object.entries(sum)) this.set({ state }, value);
    },
  });
  const streams = new Gauge({
    name: 'thalamus_stream_subscribers',
    help: 'Open change streams (GET /changes/stream) of this process',
  });
  // Every outcome's series from the start, at 0, so a rate() over them works before the first failure.
  for (const outcome of ['delivered', 'failed', 'parked'] as const) attempts.inc({ outcome }, 0);
  return { attempts, attemptDuration, lag, inFlight, streams };
}

let metrics: ReturnType<typeof create> | undefined;
const relayMetrics = () => (metrics ??= create());

/** One webhook attempt: its outcome and time; for a delivered change, seconds since the change was recorded. */
export function observeAttempt(outcome: AttemptOutcome, seconds: number, lagSeconds?: number): void {
  const m = relayMetrics();
  m.attempts.inc({ outcome });
  m.attemptDuration.observe({ outcome }, seconds);
  // The change's time is the database's clock: a skew with ours must not make it negative.
  if (lagSeconds !== undefined) m.lag.observe(Math.max(0, lagSeconds));
}

/** A delivery starts (+1) or ends (-1) being sent. */
export function countInFlight(delta: 1 | -1): void {
  relayMetrics().inFlight.inc(delta);
}

/** A change stream opened: the returned function is called once when it closes. */
export function streamOpened(): () => void {
  const { streams } = relayMetrics();
  streams.inc();
  let open = true;
  return () => {
    if (open) streams.dec();
    open = false;
  };
}

/** Reports `db`'s delivery backlog until the returned function is called (when its relay closes). */
export function reportBacklog(db: Db): () => void {
  relayMetrics();
  relayDatabases.add(db);
  return () => relayDatabases.delete(db);
}
