// bcrypt comparisons on a bounded pool of low-priority threads, shared fairly between client addresses.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { AppError } from '../errors.ts';
import { comparableHash } from './passwords.ts';

export interface PasswordCheckOptions {
  /** Threads comparing at once; default one per core but one, leaving a core to the requests. */
  threads?: number;
  /** Comparisons allowed to wait in all; beyond that a check is refused at once (503) instead of queued without bound. */
  maxWaiting?: number;
  /** Comparisons one client address may have waiting; beyond that its checks are refused (429). */
  maxWaitingPerAddress?: number;
  /** Added to the threads' nice value: under load they get what the requests leave over. */
  niceness?: number;
}

interface Job {
  password: string;
  hash: string;
  resolve: (matches: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * A cost-12 comparison is a quarter of a second of CPU. Run on the event loop's own priority,
 * a flood of wrong passwords would take a core from the requests the credential cache answers
 * in microseconds; at nice 10 the kernel gives these threads about a tenth of what a request
 * thread gets while both want the CPU, and all of it when the requests leave it idle.
 *
 * Waiting checks queue per client address, and a free thread serves the address with the
 * fewest checks running: a flood from one address waits behind itself, and anyone else's
 * login is next, however long the flood's queue (which is also bounded per address).
 */
export class PasswordChecks {
  private readonly pool: Piscina;
  private readonly threads: number;
  private readonly maxWaiting: number;
  private readonly maxWaitingPerAddress: number;
  /** Waiting checks by address. */
  private readonly waiting = new Map<string, Job[]>();
  private waitingCount = 0;
  private running = 0;
  /** Checks running per address, and when each address was last served (a counter), while it has checks. */
  private readonly runningBy = new Map<string, number>();
  private readonly lastServed = new Map<string, number>();
  private served = 0;

  constructor(options: PasswordCheckOptions = {}) {
    this.threads = options.threads ?? Math.max(1, availableParallelism() - 1);
    this.maxWaiting = options.maxWaiting ?? 256;
    this.maxWaitingPerAddress = options.maxWaitingPerAddress ?? 32;
    this.pool = new Piscina({
      // Beside this module, in src/ and in the compiled dist/ alike (the build copies it).
      filename: new URL('./bcrypt-worker.mjs', import.meta.url).href,
      // One thread stays ready; the others start when checks queue and stop after a minute idle.
      minThreads: 1,
      maxThreads: this.threads,
      idleTimeout: 60_000,
      workerData: { niceness: options.niceness ?? 10 },
    });
  }

  /**
   * True when password matches the stored hash. A missing or malformed hash (or one whose cost
   * is out of bounds) is compared with the dummy hash and answers false, so timing does not
   * tell an unknown account from a known one. `address` is the client's, for the fair share.
   */
  async compare(password: string, stored: unknown, address = ''): Promise<boolean> {
    if (this.waitingCount >= this.maxWaiting) {
      throw new AppError(503, 'Too many password checks under way; try again shortly', { 'Retry-After': '1' });
    }
    const queue = this.waiting.get(address) ?? [];
    if (queue.length >= this.maxWaitingPerAddress) {
      throw new AppError(429, 'Too many password checks from your address under way; try again shortly', { 'Retry-After': '1' });
    }
    const { hash, real } = comparableHash(stored);
    const matches = new Promise<boolean>((resolve, reject) => queue.push({ password, hash, resolve, reject }));
    if (!this.waiting.has(address)) this.waiting.set(address, queue);
    this.waitingCount++;
    this.pump();
    return (await matches) && real;
  }

  /**
   * Starts waiting checks while threads are free. Each free thread takes the oldest check of
   * the address with the fewest checks running, so a newcomer goes before an address that is
   * already being served, and a lone address still gets every thread.
   */
  private pump(): void {
    while (this.running < this.threads && this.waitingCount > 0) {
      const address = this.nextAddress();
      const queue = this.waiting.get(address) as Job[];
      const job = queue.shift() as Job;
      if (queue.length === 0) this.waiting.delete(address);
      this.lastServed.set(address, ++this.served);
      this.waitingCount--;
      this.running++;
      this.runningBy.set(address, (this.runningBy.get(address) ?? 0) + 1);
      void this.pool
        .run({ password: job.password, hash: job.hash })
        .then((result: unknown) => job.resolve(result === true), job.reject)
        .finally(() => {
          this.running--;
          const left = (this.runningBy.get(address) ?? 1) - 1;
          if (left === 0) this.runningBy.delete(address);
          else this.runningBy.set(address, left);
          if (left === 0 && !this.waiting.has(address)) this.lastServed.delete(address);
          this.pump();
        });
    }
  }

  /** The waiting address with the fewest checks running; among those, the one served longest ago (a newcomer first). */
  private nextAddress(): string {
    let best: string | undefined;
    const rank = (a: string) => [this.runningBy.get(a) ?? 0, this.lastServed.get(a) ?? 0];
    for (const address of this.waiting.keys()) {
      if (best === undefined) {
        best = address;
        continue;
      }
      const [running, served] = rank(address);
      const [bestRunning, bestServed] = rank(best);
      if (running < bestRunning || (running === bestRunning && served < bestServed)) best = address;
    }
    return best as string;
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
