// Multi-core serving: a node:cluster primary forks N workers that each run the normal server.
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadRolesFile } from './auth/roles-file.ts';
import { loadConfig } from './config.ts';
import { PROJECT_ROOT } from './paths.ts';
import { loadDemoIfEmpty } from './demo.ts';
import { serveClusterMetrics } from './metrics/cluster-metrics.ts';
import { CliError } from './errors.ts';
import { FIRST_ROOT_HINT, serveUntilSignalled } from './main.ts';
import { checkBeforeStart } from './startup/checks.ts';
import { openDatabase } from './startup/open-database.ts';
import { hasRootAccount } from './store/people.ts';

type Env = Record<string, string | undefined>;

const MAX_WORKERS = 256;
/** A worker that lived this long counts as healthy: the next crash restarts it at once again. */
const HEALTHY_AFTER_MS = 10_000;
const FIRST_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
/** How long workers get to finish in-flight requests after SIGINT/SIGTERM before they are killed. */
const STOP_GRACE_MS = 30_000;

/** `--workers`: a whole number, or `auto` for one per core. */
export function parseWorkers(raw: string | undefined): number {
  if (raw === undefined) return 1;
  if (raw.trim().toLowerCase() === 'auto') return availableParallelism();
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new CliError(`--workers: "${raw}" is not "auto" or a whole number from 1 to ${MAX_WORKERS}`);
  }
  return n;
}

/**
 * `thalamus serve --workers N`. One worker (and every cluster worker) runs the plain server;
 * the primary only migrates once, forks, restarts crashed workers and relays stop signals and SIGHUP.
 */
export async function serve(env: Env, workers: number): Promise<void> {
  const config = loadConfig(env);
  if (cluster.isWorker || workers === 1) return serveUntilSignalled(config);
  // Refused here, once, rather than by every worker in turn.
  loadRolesFile(config.rolesPath);
  if (!config.databaseUrl) {
    throw new CliError(`--workers ${workers} needs PostgreSQL (set THALAMUS_DATABASE_URL): the embedded database serves one process only`);
  }
  const log = pino({ level: config.logLevel, base: { pid: process.pid, role: 'primary' } });
  for (const warning of config.warnings) log.warn(warning);
  await checkBeforeStart(config, { listen: true });
  // Done here once, so workers starting together find the schema (and demo data) in place.
  const { db, applied } = await openDatabase(config, { createEmbedded: false });
  try {
    if (applied.length > 0) log.info({ applied }, 'migrated the PostgreSQL database');
    if (config.demo && (await loadDemoIfEmpty(db))) log.info('the database was empty: loaded the demo accounts');
    if (!(await hasRootAccount(db))) log.warn(FIRST_ROOT_HINT);
  } finally {
    await db.close();
  }
  // Every worker signs the password form's CSRF tokens with the same secret (random unless set).
  return runPrimary({ ...env, THALAMUS_SECRET: config.secret }, workers, log);
}

function runPrimary(env: Env, count: number, log: pino.Logger): Promise<void> {
  // A worker asked for /metrics gets every worker's, summed here.
  serveClusterMetrics();
  // Workers re-run the CLI; the demo is loaded already, and io.env may differ from process.env.
  cluster.setupPrimary({ exec: join(PROJECT_ROOT, 'bin/thalamus.js'), args: ['serve'] });
  const workerEnv = { ...env, THALAMUS_DEMO: 'false' };
  const startedAt = new Map<Worker, number>();
  /** Workers that serve (their SIGHUP handler is in place), and those to send a SIGHUP to once they do. */
  const listening = new Set<Worker>();
  const reloadOnListening = new Set<Worker>();
  let everListened = false;
  let stopping = false;
  let backoffMs = FIRST_BACKOFF_MS;

  return new Promise<void>((resolve, reject) => {
    const fork = () => {
      const worker = cluster.fork(workerEnv);
      startedAt.set(worker, Date.now());
    };
    const living = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
    let failure: CliError | null = null;

    const stopAll = (reason: string) => {
      if (stopping) return;
      stopping = true;
      log.info(`${reason}: stopping ${living().length} workers`);
      for (const w of living()) w.process.kill('SIGTERM');
      setTimeout(() => {
        for (const w of living()) w.process.kill('SIGKILL');
      }, STOP_GRACE_MS).unref();
    };

    cluster.on('listening', (worker, address) => {
      listening.add(worker);
      if (reloadOnListening.delete(worker)) worker.process.kill('SIGHUP');
      if (!everListened) log.info(`serving on port ${address.port} with ${count} workers`);
      everListened = true;
      log.debug({ worker: worker.process.pid }, 'worker listening');
    });

    cluster.on('exit', (worker, code, signal) => {
      const lived = Date.now() - (startedAt.get(worker) ?? Date.now());
      startedAt.delete(worker);
      listening.delete(worker);
      reloadOnListening.delete(worker);
      if (!stopping && !everListened) {
        // A worker failing before any ever served is a setup error (port taken, database down): report it once.
        failure = new CliError(`a worker failed to start (exit ${signal ?? code}); its error is above`);
        stopAll('a worker failed to start');
      }
      if (stopping) {
        if (living().length > 0) return;
        log.info('all workers stopped');
        if (failure) reject(failure);
        else resolve();
        return;
      }
      if (lived >= HEALTHY_AFTER_MS) backoffMs = FIRST_BACKOFF_MS;
      // A worker that keeps dying young is restarted ever more slowly instead of in a fork loop.
      const delay = lived >= HEALTHY_AFTER_MS ? 0 : backoffMs;
      if (lived < HEALTHY_AFTER_MS) backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      log.warn({ worker: worker.process.pid, code, signal, livedMs: lived }, `worker exited; starting a new one in ${delay} ms`);
      setTimeout(() => {
        if (!stopping) fork();
      }, delay);
    });

    // Each worker serves its own TLS context, so each reloads its files. One still starting may have
    // read them before they changed, and dies of a SIGHUP that comes before its handler: it is told once it listens.
    process.on('SIGHUP', () => {
      if (stopping) return;
      const workers = living();
      log.info(`SIGHUP received: asking ${workers.length} workers to reload the TLS files`);
      for (const w of workers) {
        if (listening.has(w)) w.process.kill('SIGHUP');
        else reloadOnListening.add(w);
      }
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        process.once(signal, () => process.exit(1));
        stopAll(`${signal} received`);
      });
    }
    for (let i = 0; i < count; i++) fork();
  });
}
