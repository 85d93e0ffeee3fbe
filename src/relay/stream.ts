// GET /changes/stream: the change log as Server-Sent Events, resumable with Last-Event-ID (ACL endpoint `changes`).
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { badRequest } from '../errors.ts';
import { streamOpened } from '../metrics/relay-metrics.ts';
import { RESOURCES } from '../store/changes.ts';
import { personScope } from './feed.ts';
import { ChangeStream } from './sse.ts';

/** How long an EventSource waits before reconnecting (the `retry:` field). */
const RECONNECT_MS = 2000;

const streamQuery = {
  type: 'object',
  properties: {
    since: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
    resource: { type: 'string', enum: RESOURCES },
  },
} as const;

/** Last-Event-ID, as an EventSource sends it back when it reconnects: the last seq it received. */
function lastEventId(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header[header.length - 1] : header;
  if (!/^\d{1,15}$/.test(text.trim())) throw badRequest('Last-Event-ID must be the seq of a change');
  return Number(text);
}

const streamRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const streams = new Set<ChangeStream>();
  // Open streams would keep the server from closing: end them first; clients reconnect elsewhere.
  app.addHook('preClose', async () => {
    for (const stream of streams) stream.end();
  });

  app.get('/changes/stream', { config: { endpoint: 'changes' }, schema: { querystring: streamQuery } }, async (request, reply) => {
    const resumeFrom = lastEventId(request.headers['last-event-id']);
    const filter = { person: personScope(request), resource: request.query.resource };
    // Following before answering: a database that is down is a 503 here, not a stream that says nothing.
    const stream = new ChangeStream(reply.raw, app.relay.hub, app.db, filter, app.config.relayHeartbeatMs, (err) =>
      request.log.warn({ err }, 'change stream ended by an error'),
    );
    const position = await stream.follow();
    // Last-Event-ID (a reconnection) wins over ?since; with neither, the stream starts now.
    const since = resumeFrom ?? request.query.since ?? position;
    reply.hijack();
    reply.raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    reply.raw.write(`retry: ${RECONNECT_MS}\n\n`);
    streams.add(stream);
    const closed = streamOpened();
    try {
      stream.start(since);
      await stream.done;
    } finally {
      closed();
      streams.delete(stream);
    }
  });
};

export default streamRoutes;
