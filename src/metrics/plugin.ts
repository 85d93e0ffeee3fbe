// GET /metrics (Prometheus) and the hook that counts every answer; served to loopback, or with THALAMUS_METRICS_TOKEN.
import cluster from 'node:cluster';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.ts';
import { clusterMetrics } from './cluster-metrics.ts';
import { processMetrics, register, reportPool } from './registry.ts';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const digest = (s: string) => createHash('sha256').update(s).digest();

/** The caller may read the metrics: from this machine (after any trusted proxy's X-Forwarded-For), or with the bearer token. */
function allowed(request: FastifyRequest, token: string | null): boolean {
  const header = request.headers.authorization;
  if (token && typeof header === 'string' && header.startsWith('Bearer ')) {
    return timingSafeEqual(digest(header.slice(7).trim()), digest(token));
  }
  return LOOPBACK.test(request.ip);
}

async function metricsPlugin(app: FastifyInstance, { token }: { token: string | null }): Promise<void> {
  const metrics = processMetrics();
  const stopReporting = reportPool(app.db);
  app.addHook('onClose', async () => void stopReporting());

  app.addHook('onResponse', async (request, reply) => {
    // The route's pattern, never the raw URL: one series per route, whatever ids are asked for.
    const labels = { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
    metrics.requests.inc(labels);
    metrics.duration.observe(labels, reply.elapsedTime / 1000);
    if (reply.statusCode === 401) metrics.authFailures.inc();
    if (reply.statusCode === 429) metrics.lockouts.inc();
  });

  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    if (!allowed(request, token)) {
      throw new AppError(403, 'GET /metrics is answered only on this machine (loopback), or with the THALAMUS_METRICS_TOKEN bearer token');
    }
    const { text, contentType } = cluster.isWorker
      ? await clusterMetrics()
      : { text: await register.metrics(), contentType: register.contentType };
    return reply.type(contentType).header('Cache-Control', 'no-store').send(text);
  });
}

export default fp(metricsPlugin, { name: 'thalamus-metrics' });
