// Work under way on a database, so that closing it waits for that work (briefly).

/**
 * At shutdown a request whose client already hung up is still running its handler, and its
 * next query must not find the pool gone. Closing waits until nothing has run for `QUIET_MS`
 * (a handler between two queries is busy for well under that), and never longer than `MAX_WAIT_MS`.
 */
const QUIET_MS = 100;
const MAX_WAIT_MS = 5000;

export interface Activity {
  track<T>(work: () => Promise<T>): Promise<T>;
  settled(): Promise<void>;
}

export function activity(): Activity {
  let active = 0;
  let lastEnded = 0;
  return {
    async track<T>(work: () => Promise<T>): Promise<T> {
      active++;
      try {
        return await work();
      } finally {
        active--;
        lastEnded = Date.now();
      }
    },
    async settled(): Promise<void> {
      const deadline = Date.now() + MAX_WAIT_MS;
      while (Date.now() < deadline && (active > 0 || Date.now() - lastEnded < QUIET_MS)) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
  };
}
