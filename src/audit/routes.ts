// GET /audit (root: the whole trail, filtered) and GET /people/<person_id>/audit (who read or changed my record, and when).
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { queryAudit, type AuditQuery, type AuditRecord } from '../store/audit.ts';
import { personParams } from '../resources/schemas.ts';

const DEFAULT_LIMIT = 100;
const filters = {
  since: { type: 'string', format: 'date-time' },
  until: { type: 'string', format: 'date-time' },
  action: { type: 'string', enum: ['read', 'list', 'create', 'update', 'delete', 'login'] },
  limit: { type: 'integer', minimum: 1, maximum: 1000 },
  // An entry id: the page goes on with the entries older than it.
  after: { type: 'string', pattern: '^[0-9]{1,18}$' },
} as const;
const trailQuery = {
  type: 'object',
  properties: { ...filters, person: { type: 'string', minLength: 1 }, actor: { type: 'string', minLength: 1 } },
  additionalProperties: false,
} as const;
const personTrailQuery = { type: 'object', properties: filters, additionalProperties: false } as const;

/** One page of entries, newest first, with `Link: rel="next"` (RFC 8288) when it is full. */
function sendPage(request: FastifyRequest, reply: FastifyReply, rows: AuditRecord[], limit: number, shown: (r: AuditRecord) => object) {
  if (rows.length === limit) {
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    query.set('after', rows[rows.length - 1].id);
    reply.header('Link', `<${request.url.split('?')[0]}?${query.toString()}>; rel="next"`);
  }
  return reply.send(rows.map(shown));
}

const auditRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  app.get('/audit', { config: { endpoint: 'audit' }, schema: { querystring: trailQuery } }, async (request, reply) => {
    const q = request.query;
    const limit = q.limit ?? DEFAULT_LIMIT;
    const query: AuditQuery = {
      subject: q.person,
      actor: q.actor,
      action: q.action,
      since: q.since,
      until: q.until,
      before: q.after,
      limit,
    };
    return sendPage(request, reply, await queryAudit(app.db, query), limit, (r) => r);
  });

  // The person sees who (actor), what and when; the addresses of the staff's machines and request ids stay with root (GET /audit).
  const personTrail = { config: { endpoint: 'personaudit' }, schema: { params: personParams, querystring: personTrailQuery } } as const;
  app.get('/people/:person_id/audit', personTrail, async (request, reply) => {
    const q = request.query;
    const limit = q.limit ?? DEFAULT_LIMIT;
    const rows = await queryAudit(app.db, {
      subject: request.params.person_id,
      action: q.action,
      since: q.since,
      until: q.until,
      before: q.after,
      limit,
    });
    return sendPage(request, reply, rows, limit, ({ address: _address, request_id: _requestId, ...shown }) => shown);
  });
};

export default auditRoutes;
