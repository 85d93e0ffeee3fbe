// SQL for readiness: one round trip that proves the database answers.
import type { Queryable } from '../db/db.ts';

export async function ping(q: Queryable): Promise<void> {
  await q.query('SELECT 1');
}
