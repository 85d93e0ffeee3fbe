// Group commit of new pages: the POSTs whose bodies arrive in one turn of the event loop are written in one statement and one transaction.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { insertPages, type NewPage } from '../store/pols.ts';

interface Waiting {
  request: FastifyRequest;
  page: NewPage;
  resolve: (written: boolean) => void;
}

/**
 * HMIS nodes and MyGNUHealth mostly send new pages. Each alone costs a transaction: its
 * statement triggers (book version, record version, FHIR rows), its audit insert, its commit.
 * Pages that arrive together share all of that (README, Performance): one INSERT of every
 * page, one audit insert, one commit, and each is answered only after that commit, so an
 * acknowledged page is as durable as before. Whatever the batch does not write (an id this book has,
 * a person missing, the same id twice in the batch, a batch that failed) goes back to its
 * request, which writes it alone and gets its own answer (a 422, a 404, a 503).
 */
export class PageInserts {
  private waiting: Waiting[] = [];

  constructor(private readonly app: FastifyInstance) {}

  /** True once the page is committed with its audit entry; false when the caller must write it alone. */
  insert(request: FastifyRequest, page: NewPage): Promise<boolean> {
    return new Promise((resolve) => {
      this.waiting.push({ request, page, resolve });
      if (this.waiting.length === 1) setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    const ids = new Set<string>();
    const together: Waiting[] = [];
    for (const w of batch) {
      if (ids.has(w.page.id)) {
        w.resolve(false);
        continue;
      }
      ids.add(w.page.id);
      together.push(w);
    }
    // Alone, the batch would do the single write's work: let it.
    if (together.length === 1) return together[0].resolve(false);
    let written: Set<FastifyRequest>;
    try {
      written = await this.app.audit.writeBatch(
        together.map((w) => w.request),
        async (tx) => {
          const inserted = await insertPages(
            tx,
            together.map((w) => w.page),
          );
          return together.filter((w) => inserted.has(w.page.id)).map((w) => w.request);
        },
      );
    } catch (err) {
      this.app.log.debug({ err, pages: together.length }, 'page batch failed; each page is written alone');
      written = new Set();
    }
    for (const w of together) w.resolve(written.has(w.request));
  }
}
