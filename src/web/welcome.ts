// The welcome page at GET /: what this server is, in plain HTML.
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../version.ts';

export default async function welcomeRoutes(app: FastifyInstance) {
  app.get('/', async (_request, reply) => {
    reply.type('text/html; charset=utf-8');
    return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>GNU Health Federation - Thalamus</title></head>
<body>
<main>
<h1>Welcome to the GNU Health Federation</h1>
<p>This is Thalamus ${VERSION}, the message and authentication server of the federation.</p>
</main>
</body>
</html>
`;
  });
}
