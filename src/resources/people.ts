// The person master index: GET /people, and GET/POST/PATCH/PUT/DELETE /people/<person_id>.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyRequest } from 'fastify';
import { jsonObject } from '../body.ts';
import { notFound, unprocessable } from '../errors.ts';
import { requireCaller, type Caller } from '../auth/caller.ts';
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
} from '../store/people.ts';
import { sendCollection } from './collections.ts';
import { checkIfMatch, etagOf, sendWithEtag } from './etags.ts';
import { checkNewId } from './ids.ts';
import { newPasswordHash, newPersonData, updatedPersonData } from './person-guards.ts';
import { pageQuerySchema, personParams, writeResponse } from './schemas.ts';
import { writerOf } from './writer.ts';

const peopleRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const personWrite = { config: { endpoint: 'person' }, schema: { params: personParams, response: writeResponse } } as const;

  app.get('/people', { config: { endpoint: 'people' }, schema: { querystring: pageQuerySchema } }, (request, reply) =>
    sendCollection(request, reply, (after, limit) => listPeopleJson(app.db, after, limit)),
  );

  // The auth hook reads the caller and this person in one query (loadsSubject): no second round trip.
  const personRead = { config: { endpoint: 'person', loadsSubject: true }, schema: { params: personParams } } as const;
  app.get('/people/:person_id', personRead, async (request, reply) => {
    if (!request.subject) throw notFound('User not found');
    return sendWithEtag(request, reply, publicPersonJson(request.subject.data));
  });

  // docs/wire-contract.md: the URL id is upper-cased, and the duplicate check uses it (no 500 on "esp...").
  app.post('/people/:person_id', personWrite, async (request) => {
    const body = jsonObject(request.body);
    const id = request.params.person_id.toUpperCase();
    checkNewId(id, 'person');
    if (await getPerson(app.db, id)) throw unprocessable('User already exists');
    const caller = requireCaller(request);
    const data = newPersonData(caller, id, body, await newPasswordHash(caller, id, body, 'create'));
    await app.audit.write(
      request,
      async (tx) => {
        if (!(await insertPerson(tx, writerOf(request, body), id, data))) throw unprocessable('User already exists');
      },
      { subject: id, resourceId: id },
    );
    return null;
  });

  /** PATCH merges the body's top-level keys into the stored document; PUT replaces it. */
  async function update(request: FastifyRequest, id: string, caller: Caller, mode: 'merge' | 'replace'): Promise<null> {
    const body = jsonObject(request.body);
    // bcrypt before the transaction: a connection is never held for a quarter of a second of hashing.
    const passwordHash = await newPasswordHash(caller, id, body, 'update');
    await app.audit.write(request, async (tx) => {
      const stored = await lockPerson(tx, id);
      if (!stored) throw notFound('User not found');
      checkIfMatch(request, etagOf(publicPersonJson(stored.data)));
      const data = updatedPersonData(caller, id, stored.data ?? {}, body, mode, passwordHash);
      const writer = writerOf(request, body);
      await (mode === 'merge' ? mergePerson(tx, writer, id, data) : replacePerson(tx, writer, id, data));
    });
    return null;
  }
  app.patch('/people/:person_id', personWrite, (request) => update(request, request.params.person_id, requireCaller(request), 'merge'));
  app.put('/people/:person_id', personWrite, (request) => update(request, request.params.person_id, requireCaller(request), 'replace'));

  /**
   * Only an inactive person (`active: false`) can be deleted, and only once their pages of life
   * and personal documents are gone (422 naming how many remain): a person is never deleted
   * with records still pointing at them, and nothing is removed without being asked for.
   */
  app.delete('/people/:person_id', personWrite, async (request) => {
    const id = request.params.person_id;
    await app.audit.write(request, async (tx) => {
      const stored = await lockPerson(tx, id);
      if (!stored) throw notFound('User does not exist');
      checkIfMatch(request, etagOf(publicPersonJson(stored.data)));
      if (stored.data?.active !== false) throw unprocessable('The user is active.');
      const { pages, documents } = await countPersonRecords(tx, id);
      if (pages > 0 || documents > 0) {
        throw unprocessable(`The user still has ${pages} pages of life and ${documents} personal documents; delete them first`);
      }
      await deletePerson(tx, writerOf(request), id);
    });
    return null;
  });
};

export default peopleRoutes;
