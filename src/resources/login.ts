// GET /login: the clients' connection test (docs/wire-contract.md); authentication is the whole answer.
import type { FastifyInstance } from 'fastify';

export default async function loginRoutes(app: FastifyInstance) {
  app.get('/login', { config: { endpoint: 'login' }, schema: { response: { 200: { type: 'boolean' } } } }, async () => true);
}
