// Liveness and readiness probes: /healthz (process up) and /readyz (database round trip, answered within 2 s whatever the database does).
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { ping } from '../store/health.ts';
import { VERSION } from '../version.ts';

const healthRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get('/healthz', async () => ({ status: 'ok', version: VERSION }));

  app.get('/readyz', async (request, reply) => {
    try {
      await ping(app.db);
      return { status: 'ready', database: app.db.kind };
    } catch (err) {
      request.log.warn({ err }, 'readiness check failed');
      return reply.code(503).header('Retry-After', '5').send({ error: 'The database is unavailable', status: 'unavailable' });
    }
  });
};

export default healthRoutes;
