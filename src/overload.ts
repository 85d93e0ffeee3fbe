// Overload shed, not suffered: 503 + Retry-After under event-loop or memory pressure, and clients that may not hold a socket forever.
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from './config.ts';
import { AppError } from './errors.ts';

/** What a shed request is told: come back in a few seconds (RFC 9110, section 10.2.3). */
const RETRY_AFTER_S = 5;
/** One warning per this many ms at most: a shed burst must not flood the log as well. */
const WARN_EVERY_MS = 10_000;
/**
 * The event-loop delay is a mean over the last second, and a start blocks the loop (an embedded
 * database opening, migrations, the demo load): a server that has just started is not
 * overloaded, so its delay counts only from two samples after it listens.
 */
const START_GRACE_MS = 2000;
/** How often Node looks for requests over their header or request timeout (its default is 30 s). */
const CONNECTIONS_CHECK_MS = 1000;

/** Fastify's options for the connection timeouts (Node's http.Server applies them). */
export function timeoutOptions(config: Config) {
  return { requestTimeout: config.httpTimeouts.requestMs, keepAliveTimeout: config.httpTimeouts.keepAliveMs };
}

/**
 * Sheds requests with 503 while the process is overloaded: the mean event-loop delay over the
 * last second, the V8 heap or the RSS above their limits (config.overload). Checked in
 * onRequest, before any credential or database work. `/healthz` still answers: the process is
 * alive, and a supervisor must not restart it for being busy (`/readyz` sheds, so a load
 * balancer sends the traffic elsewhere).
 */
export async function registerOverloadShedding(app: FastifyInstance, config: Config): Promise<void> {
  const { maxEventLoopDelayMs, maxHeapUsedMb, maxRssMb } = config.overload;
  let lastWarned = 0;
  let listenedAt = 0;
  app.addHook('onListen', async () => {
    listenedAt = Date.now();
  });
  await app.register(underPressure, {
    maxEventLoopDelay: maxEventLoopDelayMs,
    maxHeapUsedBytes: maxHeapUsedMb * 2 ** 20,
    maxRssBytes: maxRssMb * 2 ** 20,
    pressureHandler: (request: FastifyRequest, _reply: FastifyReply, type: string, value: number | undefined) => {
      if (request.routeOptions.url === '/healthz') return undefined;
      if (type === 'eventLoopDelay' && Date.now() - listenedAt < START_GRACE_MS) return undefined;
      if (Date.now() - lastWarned > WARN_EVERY_MS) {
        lastWarned = Date.now();
        request.log.warn({ pressure: type, value }, 'overloaded: answering 503 until the pressure falls');
      }
      return Promise.reject(new AppError(503, 'The server is overloaded; try again shortly', { 'Retry-After': String(RETRY_AFTER_S) }));
    },
  });
}

/**
 * The header timeout and how often it is checked are set on the http.Server itself (Fastify has
 * no option for them) before it listens. Headers must all arrive within `headersMs`, the whole
 * request within `requestMs`; Node then answers 408 (src/framework-errors.ts) and closes.
 */
export function applyHeaderTimeout(app: FastifyInstance, config: Config): void {
  const server = app.server as typeof app.server & { connectionsCheckingInterval?: number };
  server.headersTimeout = config.httpTimeouts.headersMs;
  server.connectionsCheckingInterval = CONNECTIONS_CHECK_MS;
}

/**
 * An error answered before the request's body was read (401, 403, 413, ...) closes the
 * connection: otherwise Node goes on reading the rest of the body, however slowly it comes.
 */
export function closeAfterEarlyErrors(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode >= 400 && request.raw.complete === false) reply.header('Connection', 'close');
    return payload;
  });
}
