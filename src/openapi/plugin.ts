// The API described from the route schemas: OpenAPI 3.1 at GET /openapi.json, browsable at /docs (served from the package, no CDN).
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../version.ts';
import { SUMMARIES, tagOf } from './descriptions.ts';

const errorBody = {
  type: 'object',
  properties: { error: { type: 'string' } },
  required: ['error'],
} as const;
const error = (description: string) => ({ description, ...errorBody });

/** The answers every protected route may give besides its own (docs/wire-contract.md), as response schemas. */
const PROTECTED_RESPONSES = {
  401: error('Missing or wrong credentials (with WWW-Authenticate: Basic)'),
  403: error("Authenticated, but roles.cfg gives none of the caller's roles this endpoint (or not on another person)"),
  429: error('Too many failed logins: locked out for a while (with Retry-After)'),
};

interface RouteShape {
  config?: unknown;
  method: string | string[];
}

/** Registers the generator before the routes (it collects them as they are added) and the two routes that serve it. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Thalamus',
        version: VERSION,
        description:
          'The message and authentication server of the GNU Health Federation. HTTP Basic on every protected route ' +
          '(username = federation account id); request bodies are JSON whatever the Content-Type; errors are {"error": "..."}.',
        license: { name: 'GPL-3.0-or-later', identifier: 'GPL-3.0-or-later' },
      },
      components: { securitySchemes: { basic: { type: 'http', scheme: 'basic' } } },
    },
    transform: ({ schema, url, route }) => {
      const shape = route as RouteShape;
      const openUrl = url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const method = Array.isArray(shape.method) ? shape.method[0] : shape.method;
      const endpoint = (shape.config as { endpoint?: string } | undefined)?.endpoint;
      const documented: Record<string, unknown> = { ...schema, tags: [tagOf(url)] };
      const summary = SUMMARIES[`${method} ${openUrl}`];
      if (summary) documented.summary = summary;
      if (endpoint) {
        documented.security = [{ basic: [] }];
        documented.description = `roles.cfg endpoint: \`${endpoint}\``;
        documented.response = { ...PROTECTED_RESPONSES, ...(schema?.response as object | undefined) };
      }
      return { schema: documented, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list', deepLinking: false } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
