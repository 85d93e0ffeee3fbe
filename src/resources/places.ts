// Routes shared by domiciliary units and institutions: list, read one, create, patch, replace, delete.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonObject } from '../body.ts';
import { notFound, unprocessable } from '../errors.ts';
import { deletePlace, getPlaceJson, insertPlace, listPlacesJson, updatePlace, type PlaceTable } from '../store/places.ts';
import { pageQuerySchema, sendCollection } from './collections.ts';
import { writeResponse } from './people.ts';

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

type ItemRequest = FastifyRequest<{ Params: { id: string } }>;
const itemParams = { type: 'object', properties: { id: { type: 'string', minLength: 1 } }, required: ['id'] } as const;

export function placeRoutes(resource: PlaceResource) {
  const { table, path, label } = resource;
  return async function routes(app: FastifyInstance) {
    const item = { config: { endpoint: resource.itemEndpoint }, schema: { params: itemParams } };
    const itemWrite = { config: { endpoint: resource.itemEndpoint }, schema: { params: itemParams, response: writeResponse } };

    app.get(path, { config: { endpoint: resource.listEndpoint }, schema: { querystring: pageQuerySchema } }, (request, reply) =>
      sendCollection(request, reply, (after, limit) => listPlacesJson(app.db, table, after, limit)),
    );

    app.get(`${path}/:id`, item, async (request: ItemRequest, reply) => {
      const json = await getPlaceJson(app.db, table, request.params.id);
      if (json === null) throw notFound(`${label} not found`);
      return reply.type('application/json; charset=utf-8').send(json);
    });

    // Like people and pages: the id comes from the URL; a body naming another id is refused.
    app.post(`${path}/:id`, itemWrite, async (request: ItemRequest) => {
      const body = jsonObject(request.body);
      const id = request.params.id;
      if ('id' in body && body.id !== id) throw unprocessable(`The body's id must be the ${label.toLowerCase()} ID of the URL`);
      if (!(await insertPlace(app.db, table, id, { ...body, id }))) throw unprocessable(`${label} already exists`);
      return null;
    });

    const update = (mode: 'merge' | 'replace') => async (request: ItemRequest) => {
      const body = jsonObject(request.body);
      const id = request.params.id;
      if ('id' in body && (mode === 'merge' || body.id !== id)) throw unprocessable(`Not allowed to change the ${label.toLowerCase()} ID`);
      const data = mode === 'merge' ? body : { ...body, id };
      if (!(await updatePlace(app.db, table, id, data, mode))) throw notFound(`${label} not found`);
      return null;
    };
    app.patch(`${path}/:id`, itemWrite, update('merge'));
    app.put(`${path}/:id`, itemWrite, update('replace'));

    app.delete(`${path}/:id`, itemWrite, async (request: ItemRequest) => {
      if (!(await deletePlace(app.db, table, request.params.id))) throw notFound(`${label} not found`);
      return null;
    });
  };
}
