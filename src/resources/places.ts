// Routes shared by domiciliary units and institutions: list, read one, create, patch, replace, delete.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { jsonObject } from '../body.ts';
import { notFound, unprocessable } from '../errors.ts';
import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../db/db.ts';
import { deletePlace, getPlaceJson, insertPlace, listPlacesJson, lockPlaceJson, updatePlace, type PlaceTable } from '../store/places.ts';
import { checkIfMatch, etagOf, hasIfMatch, sendWithEtag } from './etags.ts';
import { sendCollection } from './collections.ts';
import { checkNewId } from './ids.ts';
import { itemParams, pageQuerySchema, writeResponse } from './schemas.ts';
import { nodeOf, writerOf } from './writer.ts';

export interface PlaceResource {
  table: PlaceTable;
  /** URL of the collection, e.g. /institutions; one record is <path>/<id>. */
  path: string;
  /** roles.cfg endpoint names of the collection and of one record. */
  listEndpoint: string;
  itemEndpoint: string;
  /** "Institution", "Domiciliary unit": used in the error messages. */
  label: string;
}

export function placeRoutes(resource: PlaceResource): FastifyPluginAsyncJsonSchemaToTs {
  const { table, path, label } = resource;
  return async (app) => {
    const item = { config: { endpoint: resource.itemEndpoint }, schema: { params: itemParams } } as const;
    const itemWrite = { config: { endpoint: resource.itemEndpoint }, schema: { params: itemParams, response: writeResponse } } as const;

    app.get(path, { config: { endpoint: resource.listEndpoint }, schema: { querystring: pageQuerySchema } }, (request, reply) =>
      sendCollection(request, reply, (after, limit) => listPlacesJson(app.db, table, after, limit)),
    );

    app.get(`${path}/:id`, item, async (request, reply) => {
      const json = await getPlaceJson(app.db, table, request.params.id);
      if (json === null) throw notFound(`${label} not found`);
      return sendWithEtag(request, reply, json);
    });

    // Like people and pages: the id comes from the URL; a body naming another id is refused.
    app.post(`${path}/:id`, itemWrite, async (request) => {
      const body = jsonObject(request.body);
      const id = request.params.id;
      checkNewId(id, label.toLowerCase());
      if ('id' in body && body.id !== id) throw unprocessable(`The body's id must be the ${label.toLowerCase()} ID of the URL`);
      if (!(await insertPlace(app.db, writerOf(request, body), table, id, { ...body, id }))) throw unprocessable(`${label} already exists`);
      return null;
    });

    /**
     * Runs the write as is, or, when the request sent If-Match, in a transaction that first
     * locks the record and checks its ETag (412 when it changed since the client read it).
     */
    async function write(request: FastifyRequest, id: string, change: (q: Queryable) => Promise<boolean>): Promise<null> {
      const done = hasIfMatch(request)
        ? await app.db.transaction(async (tx) => {
            const json = await lockPlaceJson(tx, table, id);
            if (json === null) return false;
            checkIfMatch(request, etagOf(json));
            return change(tx);
          })
        : await change(app.db);
      if (!done) throw notFound(`${label} not found`);
      return null;
    }

    /** PATCH merges the body's top-level keys into the stored document; PUT replaces it. */
    function update(request: FastifyRequest, id: string, rawBody: unknown, mode: 'merge' | 'replace'): Promise<null> {
      const body = jsonObject(rawBody);
      if ('id' in body && (mode === 'merge' || body.id !== id)) throw unprocessable(`Not allowed to change the ${label.toLowerCase()} ID`);
      const data = mode === 'merge' ? body : { ...body, id };
      const writer = { ...writerOf(request), node: nodeOf(body) };
      return write(request, id, (q) => updatePlace(q, writer, table, id, data, mode));
    }
    app.patch(`${path}/:id`, itemWrite, (request) => update(request, request.params.id, request.body, 'merge'));
    app.put(`${path}/:id`, itemWrite, (request) => update(request, request.params.id, request.body, 'replace'));

    app.delete(`${path}/:id`, itemWrite, (request) =>
      write(request, request.params.id, (q) => deletePlace(q, writerOf(request), table, request.params.id)),
    );
  };
}
