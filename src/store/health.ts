// SQL for readiness: one round trip that proves the database answers, given up on after a deadline.
import type { Queryable } from '../db/db.ts';

/** A database that has not answered SELECT 1 by then is not ready, whatever it is doing. */
export const READY_WITHIN_MS = 1500;

/**
 * Resolves once the database answers SELECT 1; rejects if it fails or has not answered within
 * `withinMs`. The query itself is left to finish or time out on its own (the pool bounds it).
 */
export async function ping(q: Queryable, withinMs = READY_WITHIN_MS): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const answered = q.query('SELECT 1');
  // A ping that fails after the deadline has nobody left to report to.
  answered.catch(() => {});
  try {
    await Promise.race([
      answered,
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error(`the database did not answer within ${withinMs} ms`)), withinMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
