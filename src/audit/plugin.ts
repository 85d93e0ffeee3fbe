// The audit trail as a plugin: an entry for every access to person data and every failed login; writes audited in their transaction.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Db, Queryable } from '../db/db.ts';
import { insertAuditEntries, pruneAudit, type AuditEntry } from '../store/audit.ts';
import { AuditBatcher } from './batcher.ts';
import { auditEntry } from './entries.ts';

export interface AuditTrail {
  /**
   * Runs a write in one transaction with its audit entry (status 200, success): the entry is
   * there exactly when the write is. `overrides` correct what the URL says (an upper-cased id).
   */
  write<T>(request: FastifyRequest, fn: (tx: Queryable) => Promise<T>, overrides?: Partial<AuditEntry>): Promise<T>;
  /**
   * Runs the writes of several requests in one transaction (group commit): `fn` returns the
   * requests whose write it made, and their entries (status 200, success) commit with them.
   */
  writeBatch(requests: readonly FastifyRequest[], fn: (tx: Queryable) => Promise<FastifyRequest[]>): Promise<Set<FastifyRequest>>;
  /** Writes the pending entries of reads now. */
  flush(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    audit: AuditTrail;
  }
  interface FastifyRequest {
    /** Its entry was written with its write: nothing more to add when it is answered. */
    audited: boolean;
    /** The outcome its entry records when the status alone does not tell (a form shown again is 200 but changed nothing). */
    auditOutcome: string | null;
  }
}

export interface AuditOptions {
  db: Db;
  /** Record reads and lists too (the default); without, only writes, refusals and failed logins. */
  reads: boolean;
  /** Days entries are kept: older ones are pruned an hour after start and every hour; null keeps them all. */
  days: number | null;
}

const PRUNE_EVERY_MS = 60 * 60_000;

async function auditPlugin(app: FastifyInstance, options: AuditOptions) {
  const batcher = new AuditBatcher(options.db, app.log);
  app.decorateRequest('audited', false);
  app.decorateRequest('auditOutcome', null);
  app.decorateRequest('auditTarget', null);
  app.decorate('audit', {
    async write<T>(request: FastifyRequest, fn: (tx: Queryable) => Promise<T>, overrides: Partial<AuditEntry> = {}): Promise<T> {
      const result = await options.db.transaction(async (tx) => {
        const done = await fn(tx);
        const entry = auditEntry(request, 200);
        if (entry) await insertAuditEntries(tx, [{ ...entry, time: undefined, ...overrides }]);
        return done;
      });
      request.audited = true;
      return result;
    },
    async writeBatch(_requests: readonly FastifyRequest[], fn: (tx: Queryable) => Promise<FastifyRequest[]>): Promise<Set<FastifyRequest>> {
      const written = await options.db.transaction(async (tx) => {
        const done = await fn(tx);
        const entries = done.flatMap((request) => auditEntry(request, 200) ?? []);
        await insertAuditEntries(
          tx,
          entries.map((entry) => ({ ...entry, time: undefined })),
        );
        return done;
      });
      for (const request of written) request.audited = true;
      return new Set(written);
    },
    flush: () => batcher.flush(),
  } satisfies AuditTrail);

  app.addHook('onResponse', async (request, reply) => {
    if (request.audited) return;
    const found = auditEntry(request, reply.statusCode);
    if (!found) return;
    const entry = request.auditOutcome ? { ...found, outcome: request.auditOutcome } : found;
    if (!options.reads && entry.outcome === 'success' && (entry.action === 'read' || entry.action === 'list')) return;
    batcher.add(entry);
  });
  let pruning: NodeJS.Timeout | null = null;
  if (options.days !== null) {
    const days = options.days;
    pruning = setInterval(() => {
      pruneAudit(options.db, days).then(
        (n) => app.log.info({ pruned: n, days }, 'audit: pruned old entries'),
        (err: unknown) => app.log.error({ err }, 'audit: could not prune old entries'),
      );
    }, PRUNE_EVERY_MS).unref();
  }
  // After the requests in flight are answered (onClose runs once the server stopped accepting).
  app.addHook('onClose', async () => {
    if (pruning) clearInterval(pruning);
    await batcher.close();
  });
}

export default fp(auditPlugin, { name: 'thalamus-audit' });
