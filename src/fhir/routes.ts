// The FHIR R4 facade under /fhir: metadata, read and search of every type in types/, 405 for writes, JSON only.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireCaller } from '../auth/caller.ts';
import { AppError, notFound } from '../errors.ts';
import { VERSION } from '../version.ts';
import { searchBundle } from './bundle.ts';
import { capabilityStatement } from './capability.ts';
import { httpDate } from './dates.ts';
import { checkFormat } from './negotiation.ts';
import { FHIR_JSON, registerOutcomes } from './outcome.ts';
import { FHIR_TYPES } from './registry.ts';
import { canonicalQuery, formPairs, parseSearch, queryPairs, referencedPatient, type Clause, type SearchRequest } from './search-params.ts';
import type { FhirContext, FhirType } from './types.ts';

const typeParams = { type: 'object', properties: { type: { type: 'string' } }, required: ['type'] } as const;
const resourceParams = {
  type: 'object',
  properties: { type: { type: 'string' }, id: { type: 'string' } },
  required: ['type', 'id'],
} as const;
/** A Bundle kept in the book cache: read it, or store it once rendered. */
interface CachedBody {
  get(): string | undefined;
  put(body: string): void;
}
const versionParams = {
  type: 'object',
  properties: { type: { type: 'string' }, id: { type: 'string' }, vid: { type: 'string' } },
  required: ['type', 'id', 'vid'],
} as const;
const personParams = { type: 'object', properties: { person_id: { type: 'string' } }, required: ['person_id'] } as const;

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
    subject: request.subject,
  });

  app.get('/metadata', async (request) => capabilityStatement(baseOf(request), VERSION, [...FHIR_TYPES.values()], started));

  const authenticated = { config: { authenticateOnly: true } } as const;

  /** read, or vread when `versionId` is given: only the current version is kept, so an older one is not found. */
  async function read(request: FastifyRequest, reply: FastifyReply, typeName: string, id: string, versionId?: string) {
    const type = typeNamed(typeName);
    // Audited as the legacy routes are: what was asked for (even if refused or not found), then whose it was.
    if (type.audit) request.auditTarget = { resource: type.audit, resourceId: id, subject: type.type === 'Patient' ? id : null };
    const found = /^[A-Za-z0-9.-]{1,64}$/.test(id) ? await type.read(context(request), id) : null;
    if (found?.audit) request.auditTarget = { resource: found.audit.resource, resourceId: id, subject: found.audit.subject };
    if (!found) throw notFound(`${type.type}/${id} is not known`);
    if (versionId !== undefined && found.version !== versionId) {
      throw notFound(`${type.type}/${id}/_history/${versionId} is not kept: only the current version is (${found.version ?? 'none'})`);
    }
    if (found.version) reply.header('ETag', `W/"${found.version}"`);
    if (found.updated) reply.header('Last-Modified', httpDate(found.updated));
    return found.resource;
  }

  // A Patient read names a person: the auth hook loads them with the caller, in the same batched query (loadsSubject).
  app.get(
    '/Patient/:person_id',
    { config: { authenticateOnly: true, loadsSubject: true }, schema: { params: personParams } },
    (request, reply) => read(request, reply, 'Patient', request.params.person_id),
  );
  app.get('/:type/:id', { ...authenticated, schema: { params: resourceParams } }, (request, reply) =>
    read(request, reply, request.params.type, request.params.id),
  );
  // vread (FHIR http.html#vread) without history: the current version answers as read does.
  app.get('/:type/:id/_history/:vid', { ...authenticated, schema: { params: versionParams } }, (request, reply) =>
    read(request, reply, request.params.type, request.params.id, request.params.vid),
  );

  /**
   * Where a search's Bundle may be kept: a search of one person's pages (type.cacheBook) whose
   * book version came with the credentials (subjectOf below) is answered from the book cache
   * while that version holds, as the legacy book read is (resources/book-cache.ts).
   */
  function cacheSlot(request: FastifyRequest, ctx: FhirContext, type: FhirType, params: SearchRequest): CachedBody | undefined {
    const book = type.cacheBook?.(ctx, params.clauses) ?? null;
    const version = book !== null && request.subject?.id === book ? request.subject.book_version : null;
    if (book === null || !version) return undefined;
    const view = `fhir ${ctx.base} ${type.type}?${canonicalQuery(params, { after: params.after, before: params.before })}` as const;
    return { get: () => app.bookCache.get(book, view, version), put: (body) => app.bookCache.set(book, view, version, body) };
  }

  async function search(request: FastifyRequest, reply: FastifyReply, typeName: string, pairs: [string, string][]) {
    const type = typeNamed(typeName);
    const params = parseSearch(pairs, type.params, isStrict(request), type.sorts);
    if (type.audit) request.auditTarget = { resource: type.audit, resourceId: null, subject: namedPerson(params.clauses) };
    const ctx = context(request);
    const slot = cacheSlot(request, ctx, type, params);
    const cached = slot?.get();
    if (cached !== undefined) return reply.send(cached);
    const backward = params.before !== undefined;
    // One row more than the page tells whether another page follows (or, going back, precedes).
    // _summary=count and _count=0 ask for the total alone: no row is read whole.
    const totalOnly = params.count === 0 || params.summary === 'count';
    const window = {
      after: params.after,
      before: params.before,
      limit: totalOnly ? 0 : params.count + 1,
      ...(params.sort ? { byDate: params.sort === 'date' ? ('ascending' as const) : ('descending' as const) } : {}),
    };
    const { total, resources } = await type.search(ctx, params.clauses, window);
    const more = resources.length > params.count;
    const page = more ? (backward ? resources.slice(1) : resources.slice(0, params.count)) : resources;
    // Serialized once, here: the string is what is sent and what the cache keeps.
    const body = JSON.stringify(
      searchBundle(ctx.base, type.type, params, {
        total,
        resources: page,
        hasNext: backward || more,
        hasPrevious: backward ? more : params.after !== undefined,
      }),
    );
    slot?.put(body);
    return reply.send(body);
  }

  /** The one person a search URL names (patient= or subject=), else the caller: loaded with the credentials, with their book's version. */
  const searchedPerson = (request: FastifyRequest, callerId: string): string | undefined => {
    const named = new Set(
      queryPairs(request.url)
        .filter(([name]) => name === 'patient' || name === 'subject')
        .flatMap(([, value]) => value.split(',').map(referencedPatient)),
    );
    if (named.size === 0) return callerId;
    const [only] = named;
    return named.size === 1 && only !== null ? only : undefined;
  };

  app.get('/:type', { config: { authenticateOnly: true, subjectOf: searchedPerson }, schema: { params: typeParams } }, (request, reply) =>
    search(request, reply, request.params.type, queryPairs(request.url)),
  );
  // POST _search takes the parameters as a form body (and in the URL); it must answer as GET does.
  app.post(
    '/:type/_search',
    { config: { authenticateOnly: true, body: 'form', audit: { action: 'list' } }, schema: { params: typeParams } },
    (request, reply) => search(request, reply, request.params.type, [...queryPairs(request.url), ...formPairs(request.body)]),
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
