// The FHIR R4 facade under /fhir: metadata, read and search of every type in types/, 405 for writes, JSON only.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyRequest } from 'fastify';
import { requireCaller } from '../auth/caller.ts';
import { AppError, notFound } from '../errors.ts';
import { VERSION } from '../version.ts';
import { searchBundle } from './bundle.ts';
import { capabilityStatement } from './capability.ts';
import { httpDate } from './dates.ts';
import { checkFormat } from './negotiation.ts';
import { FHIR_JSON, registerOutcomes } from './outcome.ts';
import { FHIR_TYPES } from './registry.ts';
import { formPairs, parseSearch, queryPairs, referencedPatient, type Clause } from './search-params.ts';
import type { FhirContext, FhirType } from './types.ts';

const typeParams = { type: 'object', properties: { type: { type: 'string' } }, required: ['type'] } as const;
const resourceParams = {
  type: 'object',
  properties: { type: { type: 'string' }, id: { type: 'string' } },
  required: ['type', 'id'],
} as const;

/** The absolute base URL the client used (behind a proxy, from X-Forwarded-* when THALAMUS_TRUST_PROXY is set). */
const baseOf = (request: FastifyRequest) => `${request.protocol}://${request.host}/fhir`;

function typeNamed(name: string): FhirType {
  const type = FHIR_TYPES.get(name);
  if (!type) throw notFound(`Unknown resource type "${name}" (served: ${[...FHIR_TYPES.keys()].join(', ')})`);
  return type;
}

/** Prefer: handling=strict asks for 400 on unknown search parameters instead of ignoring them. */
const isStrict = (request: FastifyRequest) => /(^|[;,\s])handling\s*=\s*strict\b/i.test([request.headers.prefer ?? ''].flat().join(','));

/** The one person a search names (patient, subject, or Patient's _id), for its audit entry; null for none or several. */
function namedPerson(clauses: readonly Clause[]): string | null {
  const named = clauses.filter((c) => c.name === 'patient' || c.name === 'subject').flatMap((c) => c.values.map(referencedPatient));
  return named.length === 1 ? named[0] : null;
}

const fhirRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  registerOutcomes(app);
  app.addHook('onRequest', async (request) => checkFormat(request));
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('Content-Type', FHIR_JSON);
    return payload;
  });
  const started = new Date().toISOString();
  const context = (request: FastifyRequest): FhirContext => ({
    base: baseOf(request),
    db: app.db,
    caller: requireCaller(request),
    acl: app.acl,
  });

  app.get('/metadata', async (request) => capabilityStatement(baseOf(request), VERSION, [...FHIR_TYPES.values()], started));

  const authenticated = { config: { authenticateOnly: true } } as const;

  app.get('/:type/:id', { ...authenticated, schema: { params: resourceParams } }, async (request, reply) => {
    const type = typeNamed(request.params.type);
    const { id } = request.params;
    // Audited as the legacy routes are: what was asked for (even if refused or not found), then whose it was.
    if (type.audit) request.auditTarget = { resource: type.audit, resourceId: id, subject: type.type === 'Patient' ? id : null };
    const found = /^[A-Za-z0-9.-]{1,64}$/.test(id) ? await type.read(context(request), id) : null;
    if (found?.audit) request.auditTarget = { resource: found.audit.resource, resourceId: id, subject: found.audit.subject };
    if (!found) throw notFound(`${type.type}/${request.params.id} is not known`);
    if (found.version) reply.header('ETag', `W/"${found.version}"`);
    if (found.updated) reply.header('Last-Modified', httpDate(found.updated));
    return found.resource;
  });

  async function search(request: FastifyRequest, typeName: string, pairs: [string, string][]) {
    const type = typeNamed(typeName);
    const params = parseSearch(pairs, type.params, isStrict(request));
    if (type.audit) request.auditTarget = { resource: type.audit, resourceId: null, subject: namedPerson(params.clauses) };
    const backward = params.before !== undefined;
    // One row more than the page tells whether another page follows (or, going back, precedes).
    const window = { after: params.after, before: params.before, limit: params.count === 0 ? 0 : params.count + 1 };
    const { total, resources } = await type.search(context(request), params.clauses, window);
    const more = resources.length > params.count;
    const page = more ? (backward ? resources.slice(1) : resources.slice(0, params.count)) : resources;
    return searchBundle(baseOf(request), type.type, params, {
      total,
      resources: page,
      hasNext: backward || more,
      hasPrevious: backward ? more : params.after !== undefined,
    });
  }

  app.get('/:type', { ...authenticated, schema: { params: typeParams } }, (request) =>
    search(request, request.params.type, queryPairs(request.url)),
  );
  // POST _search takes the parameters as a form body (and in the URL); it must answer as GET does.
  app.post(
    '/:type/_search',
    { config: { authenticateOnly: true, body: 'form', audit: { action: 'list' } }, schema: { params: typeParams } },
    (request) => search(request, request.params.type, [...queryPairs(request.url), ...formPairs(request.body)]),
  );

  // The facade is read-only: every write interaction is 405, before authentication.
  const readOnly = async () => {
    throw new AppError(405, 'This FHIR server is read-only: only read and search are supported', { Allow: 'GET, HEAD' });
  };
  for (const url of ['/', '/:type', '/:type/:id']) {
    app.route({ method: ['POST', 'PUT', 'PATCH', 'DELETE'], url, handler: readOnly });
  }
};

export default fhirRoutes;
