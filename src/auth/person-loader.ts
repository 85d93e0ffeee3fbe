// Batches the person lookups of requests that arrive together into one query (DataLoader, one turn of the event loop).
import DataLoader from 'dataloader';
import type { Queryable } from '../db/db.ts';
import { lookupAccounts, type AccountLookup } from '../store/people.ts';

export type PersonLoader = DataLoader<string, AccountLookup>;

/**
 * Requests whose bytes arrive in the same poll of the sockets have their callers (and the
 * people their URLs name) read by one query, scheduled with setImmediate once that poll's
 * callbacks have run. Under load that is several requests per round trip, sparing
 * PostgreSQL and this process a query's fixed cost each. Nothing is kept between turns:
 * every request reads the person row, its stored hash, its book's version and the account's
 * login lockout afresh. Requests for the same person share one row object, so it is read-only.
 */
export function createPersonLoader(db: Queryable): PersonLoader {
  return new DataLoader<string, AccountLookup>(
    async (ids) => {
      // PostgreSQL refuses text holding NUL: one such id must not fail the others' lookups. No id holds one.
      const wanted = [...new Set(ids)].filter((id) => !id.includes('\0'));
      const rows = wanted.length === 0 ? [] : await lookupAccounts(db, wanted);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? { id, person: null, lockedSeconds: 0, failing: false, revocationEpoch: '0' });
    },
    { cache: false, batchScheduleFn: (run) => setImmediate(run), maxBatchSize: 256 },
  );
}
