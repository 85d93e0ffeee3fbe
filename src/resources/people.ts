// The person master index: GET /people, and GET/POST/PATCH/PUT/DELETE /people/<person_id>.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonObject } from '../body.ts';
import { notFound, unprocessable } from '../errors.ts';
import type { Caller } from '../auth/plugin.ts';
import {
  countPersonRecords,
  deletePerson,
  getPerson,
  insertPerson,
  listPeopleJson,
  lockPerson,
  mergePerson,
  publicPersonJson,
  replacePerson,
  type PersonData,
} from '../store/people.ts';
import { pageQuerySchema, sendCollection } from './collections.ts';
import { newPersonData, updatedPersonData } from './person-guards.ts';

type PersonRequest = FastifyRequest<{ Params: { person_id: string } }>;

export const personParams = {
  type: 'object',
  properties: { person_id: { type: 'string', minLength: 1 } },
  required: ['person_id'],
} as const;
export const writeResponse = { 200: { type: 'null' } } as const;
const callerOf = (request: FastifyRequest): Caller => request.caller as Caller;

export default async function peopleRoutes(app: FastifyInstance) {
  const personWrite = { config: { endpoint: 'person' }, schema: { params: personParams, response: writeResponse } };

  app.get('/people', { config: { endpoint: 'people' }, schema: { querystring: pageQuerySchema } }, (request, reply) =>
    sendCollection(request, reply, (after, limit) => listPeopleJson(app.db, after, limit)),
  );

  // The auth hook reads the caller and this person in one query (loadsSubject): no second round trip.
  const personRead = { config: { endpoint: 'person', loadsSubject: true }, schema: { params: personParams } };
  app.get('/people/:person_id', personRead, async (request: PersonRequest, reply) => {
    if (!request.subject) throw notFound('User not found');
    return reply.type('application/json; charset=utf-8').send(publicPersonJson(request.subject.data));
  });

  // docs/wire-contract.md: the URL id is upper-cased, and the duplicate check uses it (no 500 on "esp...").
  app.post('/people/:person_id', personWrite, async (request: PersonRequest) => {
    const body = jsonObject(request.body);
    const id = request.params.person_id.toUpperCase();
    if (await getPerson(app.db, id)) throw unprocessable('User already exists');
    const data = await newPersonData(callerOf(request), id, body);
    if (!(await insertPerson(app.db, id, data))) throw unprocessable('User already exists');
    return null;
  });

  const update = (mode: 'merge' | 'replace') => async (request: PersonRequest) => {
    const body = jsonObject(request.body);
    const id = request.params.person_id;
    await app.db.transaction(async (tx) => {
      const stored = await lockPerson(tx, id);
      if (!stored) throw notFound('User not found');
      const current = (stored.data ?? {}) as PersonData;
      const data = await updatedPersonData(callerOf(request), id, current, body, mode);
      await (mode === 'merge' ? mergePerson(tx, id, data) : replacePerson(tx, id, data));
    });
    return null;
  };
  app.patch('/people/:person_id', personWrite, update('merge'));
  app.put('/people/:person_id', personWrite, update('replace'));

  /**
   * Only an inactive person (`active: false`) can be deleted, and only once their pages of life
   * and personal documents are gone (422 naming how many remain): a person is never deleted
   * with records still pointing at them, and nothing is removed without being asked for.
   */
  app.delete('/people/:person_id', personWrite, async (request: PersonRequest) => {
    const id = request.params.person_id;
    await app.db.transaction(async (tx) => {
      const stored = await lockPerson(tx, id);
      if (!stored) throw notFound('User does not exist');
      if ((stored.data as PersonData | null)?.active !== false) throw unprocessable('The user is active.');
      const { pages, documents } = await countPersonRecords(tx, id);
      if (pages > 0 || documents > 0) {
        throw unprocessable(`The user still has ${pages} pages of life and ${documents} personal documents; delete them first`);
      }
      await deletePerson(tx, id);
    });
    return null;
  });
}
