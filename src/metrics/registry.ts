// The Prometheus metrics of one process, made once (prom-client's global registry, which cluster aggregation reads).
import { Counter, Gauge, Histogram, collectDefaultMetrics, register } from 'prom-client';
import { observeQueries, type Db } from '../db/db.ts';
import { answerClusterRequests } from './cluster-metrics.ts';

/** The databases whose pools this process reports (one per app; tests build several). */
const databases = new Set<Db>();

function create() {
  answerClusterRequests();
  // Process CPU and memory, garbage collection and event-loop lag (nodejs_eventloop_lag_*).
  collectDefaultMetrics();
  const requests = new Counter({
    name: 'thalamus_http_requests_total',
    help: 'HTTP requests answered, by method, route (its pattern) and status',
    labelNames: ['method', 'route', 'status'] as const,
  });
  const duration = new Histogram({
    name: 'thalamus_http_request_duration_seconds',
    help: 'Time from request to response, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  const authFailures = new Counter({
    name: 'thalamus_auth_failures_total',
    help: 'Requests refused for missing or wrong credentials (401)',
  });
  const lockouts = new Counter({
    name: 'thalamus_auth_lockouts_total',
    help: 'Requests refused because the account or the client address is locked out after failed logins (429)',
  });
  const queries = new Histogram({
    name: 'thalamus_db_query_duration_seconds',
    help: 'Database query time, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
  });
  observeQueries((seconds, failed) => queries.observe({ outcome: failed ? 'error' : 'ok' }, seconds));
  new Gauge({
    name: 'thalamus_db_pool_connections',
    help: 'PostgreSQL pool connections: total open, idle, and requests waiting for one',
    labelNames: ['state'] as const,
    collect() {
      const sum = { total: 0, idle: 0, waiting: 0 };
      for (const db of databases) {
        const stats = db.poolStats();
        if (!stats) continue;
        sum.total += stats.total;
        sum.idle += stats.idle;
        sum.waiting += stats.waiting;
      }
      for (const [state, value] of Object.entries(sum)) this.set({ state }, value);
    },
  });
  return { requests, duration, authFailures, lockouts };
}

let metrics: ReturnType<typeof create> | undefined;

/** This process's metrics, created on first use. */
export function processMetrics(): ReturnType<typeof create> {
  return (metrics ??= create());
}

/** Reports `db`'s pool until the returned function is called (when its app closes). */
export function reportPool(db: Db): () => void {
  databases.add(db);
  return () => databases.delete(db);
}

export { register };
