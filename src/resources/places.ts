// Routes shared by domiciliary units and institutions: list, read one, create, patch, replace, delete.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { jsonObject } from '../body.ts';
import { notFound, unprocessable } from '../errors.ts';
import { deletePlace, getPlaceJson, insertPlace, listPlacesJson, updatePlace, type PlaceTable } from '../store/places.ts';
import { sendCollection } from './collections.ts';
import { checkNewId } from './ids.ts';
import { itemParams, pageQuerySchema, writeResponse } from './schemas.ts';

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
      return reply.type('application/json; charset=utf-8').send(json);
    });

    // Like people and pages: the id comes from the URL; a body naming another id is refused.
    app.post(`${path}/:id`, itemWrite, async (request) => {
      const body = jsonObject(request.body);
      const id = request.params.id;
      checkNewId(id, label.toLowerCase());
      if ('id' in body && body.id !== id) throw unprocessable(`The body's id must be the ${label.toLowerCase()} ID of the URL`);
      if (!(await insertPlace(app.db, table, id, { ...body, id }))) throw unprocessable(`${label} already exists`);
      return null;
    });

    /** PATCH merges the body's top-level keys into the stored document; PUT replaces it. */
    async function update(id: string, rawBody: unknown, mode: 'merge' | 'replace'): Promise<null> {
      const body = jsonObject(rawBody);
      if ('id' in body && (mode === 'merge' || body.id !== id)) throw unprocessable(`Not allowed to change the ${label.toLowerCase()} ID`);
      const data = mode === 'merge' ? body : { ...body, id };
      if (!(await updatePlace(app.db, table, id, data, mode))) throw notFound(`${label} not found`);
      return null;
    }
    app.patch(`${path}/:id`, itemWrite, (request) => update(request.params.id, request.body, 'merge'));
    app.put(`${path}/:id`, itemWrite, (request) => update(request.params.id, request.body, 'replace'));

    app.delete(`${path}/:id`, itemWrite, async (request) => {
      if (!(await deletePlace(app.db, table, request.params.id))) throw notFound(`${label} not found`);
      return null;
    });
  };
}
