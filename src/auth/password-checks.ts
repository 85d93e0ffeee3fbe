// bcrypt comparisons on a bounded pool of low-priority threads, so wrong passwords cannot take the CPU answered requests need.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { AppError } from '../errors.ts';
import { comparableHash } from './passwords.ts';

export interface PasswordCheckOptions {
  /** Threads comparing at once; default one per core but one, leaving a core to the requests. */
  threads?: number;
  /** Comparisons allowed to wait; beyond that a check is refused at once (503) instead of queued without bound. */
  maxWaiting?: number;
  /** Added to the threads' nice value: under load they get what the requests leave over. */
  niceness?: number;
}

/**
 * A cost-12 comparison is a quarter of a second of CPU. Run on the event loop's own priority,
 * a flood of wrong passwords would take a core from the requests the credential cache answers
 * in microseconds; at nice 10 the kernel gives these threads about a tenth of what a request
 * thread gets while both want the CPU, and all of it when the requests leave it idle.
 */
export class PasswordChecks {
  private readonly pool: Piscina;
  private readonly maxWaiting: number;

  constructor(options: PasswordCheckOptions = {}) {
    const threads = options.threads ?? Math.max(1, availableParallelism() - 1);
    this.maxWaiting = options.maxWaiting ?? 64;
    this.pool = new Piscina({
      // Beside this module, in src/ and in the compiled dist/ alike (the build copies it).
      filename: new URL('./bcrypt-worker.mjs', import.meta.url).href,
      // One thread stays ready; the others start when checks queue and stop after a minute idle.
      minThreads: 1,
      maxThreads: threads,
      maxQueue: this.maxWaiting,
      idleTimeout: 60_000,
      workerData: { niceness: options.niceness ?? 10 },
    });
  }

  /**
   * True when password matches the stored hash. A missing or malformed hash is compared with
   * the dummy hash and answers false, so timing does not tell an unknown account from a known one.
   */
  async compare(password: string, stored: unknown): Promise<boolean> {
    if (this.pool.queueSize >= this.maxWaiting) {
      throw new AppError(503, 'Too many password checks under way; try again shortly', { 'Retry-After': '1' });
    }
    const { hash, real } = comparableHash(stored);
    const matches: unknown = await this.pool.run({ password, hash });
    return real && matches === true;
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
