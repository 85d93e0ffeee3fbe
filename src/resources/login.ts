// GET /login: the clients' connection test (docs/wire-contract.md); authentication is the whole answer.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';

const loginRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get('/login', { config: { endpoint: 'login' }, schema: { response: { 200: { type: 'boolean' } } } }, async () => true);
};

export default loginRoutes;
