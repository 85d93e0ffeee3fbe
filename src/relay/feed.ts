// GET /changes: the change log read in seq order from a cursor, without gaps (ACL endpoint `changes`).
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyRequest } from 'fastify';
import { requireCaller } from '../auth/caller.ts';
import { readChanges, RESOURCES } from '../store/changes.ts';

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;

/** `since`: the last seq the client has (0: from the start); `resource`: only one table's changes. */
export const feedQuery = {
  type: 'object',
  properties: {
    since: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
    resource: { type: 'string', enum: RESOURCES },
  },
} as const;

/**
 * Whose changes the caller may see: a global role (health professionals, root) sees every
 * change; anyone else only the changes of their own records (people, pages, documents).
 */
export function personScope(request: FastifyRequest): string | undefined {
  const caller = requireCaller(request);
  return caller.global ? undefined : caller.id;
}

const change = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    resource: { type: 'string' },
    id: { type: 'string' },
    person: { type: ['string', 'null'] },
    operation: { type: 'string' },
    actor: { type: ['string', 'null'] },
    node: { type: ['string', 'null'] },
    time: { type: 'string' },
  },
  required: ['seq', 'resource', 'id', 'person', 'operation', 'actor', 'node', 'time'],
  additionalProperties: false,
} as const;
const feedResponse = {
  200: {
    type: 'object',
    properties: { changes: { type: 'array', items: change }, next: { type: 'integer' } },
    required: ['changes', 'next'],
    additionalProperties: false,
  },
} as const;

const feedRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get('/changes', { config: { endpoint: 'changes' }, schema: { querystring: feedQuery, response: feedResponse } }, async (request) => {
    const { since, limit, resource } = request.query;
    const { changes, next } = await readChanges(app.db, { since, limit, resource, person: personScope(request) });
    return { changes, next };
  });
};

export default feedRoutes;
