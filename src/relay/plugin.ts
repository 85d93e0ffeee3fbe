// The relay of one server process: its change hub, its webhook deliverer, and the announcements that wake every server's followers after a write.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Db } from '../db/db.ts';
import { reportBacklog } from '../metrics/relay-metrics.ts';
import { announceChanges } from '../store/changes.ts';
import { Deliverer } from './deliverer.ts';
import { ChangeHub } from './hub.ts';

/** Changes kept in memory for streams that are a little behind (about 300 bytes each). */
const KEEP_CHANGES = 10_000;
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Relay {
  hub: ChangeHub;
  deliverer: Deliverer;
  /** A write has committed: NOTIFY every server, at most one announcement under way at a time. */
  announce(): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    relay: Relay;
  }
}

/** Announcements coalesce: however many writes commit while one is under way, one more follows it. */
function announcer(db: Db, onError: (err: unknown) => void): () => void {
  let underWay = false;
  let again = false;
  const announce = (): void => {
    if (underWay) {
      again = true;
      return;
    }
    underWay = true;
    announceChanges(db)
      .catch(onError)
      .finally(() => {
        underWay = false;
        if (again) {
          again = false;
          announce();
        }
      });
  };
  return announce;
}

async function relayPlugin(app: FastifyInstance, options: { db: Db }) {
  const onError = (err: unknown) => app.log.warn({ err }, 'relay: reading or announcing changes failed');
  const hub = new ChangeHub(options.db, { keep: KEEP_CHANGES, pollMs: app.config.relayPollMs, onError });
  const announce = announcer(options.db, onError);
  const c = app.config;
  const deliverer = new Deliverer(options.db, hub, {
    maxAttempts: c.webhookMaxAttempts,
    retryMs: c.webhookRetryMs,
    maxRetryMs: c.webhookMaxRetryMs,
    timeoutMs: c.webhookTimeoutMs,
    concurrency: c.webhookConcurrency,
    pollMs: c.relayPollMs,
    onError: (err) => app.log.warn({ err }, 'relay: webhook delivery round failed'),
  });
  app.decorate('relay', { hub, deliverer, announce });
  const stopReporting = reportBacklog(options.db);
  app.addHook('onReady', async () => {
    hub.listen();
    deliverer.start();
  });
  // Any write that succeeded may have changed records; announcing a write that changed none costs one empty read.
  app.addHook('onResponse', async (request, reply) => {
    if (!READS.has(request.method) && reply.statusCode < 400) announce();
  });
  app.addHook('onClose', async () => {
    stopReporting();
    await deliverer.close();
    await hub.close();
  });
}

export default fp(relayPlugin, { name: 'thalamus-relay' });
