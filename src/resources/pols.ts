// The Book of Life: /pols/<person_id> (also /events, /encounters) and /pols/<person_id>/<page_id>.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { jsonObject } from '../body.ts';
import { notFound, unprocessable } from '../errors.ts';
import { countPageDocuments, deletePage, getPageJson, insertPage, listPagesJson, lockPage, mergePage, replacePage } from '../store/pols.ts';
import type { BookView } from './book-cache.ts';
import { pageQuerySchema, sendCollection, type CachedBody } from './collections.ts';
import { personParams, writeResponse } from './people.ts';

type BookRequest = FastifyRequest<{ Params: { person_id: string } }>;
type PageRequest = FastifyRequest<{ Params: { person_id: string; page_id: string } }>;

export const pageParams = {
  type: 'object',
  properties: { person_id: { type: 'string', minLength: 1 }, page_id: { type: 'string', minLength: 1 } },
  required: ['person_id', 'page_id'],
} as const;

/** A page always stays in the book of its URL: a body naming another book is refused. */
function checkBook(body: Record<string, unknown>, book: string): void {
  if ('book' in body && body.book !== book) throw unprocessable('Not allowed to move the page to another book');
}

export default async function polsRoutes(app: FastifyInstance) {
  // The book's version comes with the caller's credentials, in one query (auth/person-loader.ts).
  const book = { config: { endpoint: 'book', loadsSubject: true }, schema: { params: personParams, querystring: pageQuerySchema } };

  /** The cache slot for this request's book at the version read with the credentials; none before any page. */
  function cachedBook(request: BookRequest, view: BookView): CachedBody | undefined {
    const version = request.subject?.book_version;
    if (!version) return undefined;
    const id = request.params.person_id;
    return { get: () => app.bookCache.get(id, view, version), put: (body) => app.bookCache.set(id, view, version, body) };
  }
  const pageWrite = { config: { endpoint: 'page' }, schema: { params: pageParams, response: writeResponse } };

  // /events is the older documentation's name for the whole Book of Life.
  for (const path of ['/pols/:person_id', '/events/:person_id']) {
    app.get(path, book, (request: BookRequest, reply) =>
      sendCollection(request, reply, (after, limit) => listPagesJson(app.db, request.params.person_id, after, limit), cachedBook(request, 'book')),
    );
  }
  app.get('/encounters/:person_id', book, (request: BookRequest, reply) =>
    sendCollection(
      request,
      reply,
      (after, limit) => listPagesJson(app.db, request.params.person_id, after, limit, { encountersOnly: true }),
      cachedBook(request, 'encounters'),
    ),
  );

  // Fetched by page id AND book: someone else's page is not found through your own URL (a fix, docs/wire-contract.md).
  app.get('/pols/:person_id/:page_id', { config: { endpoint: 'page' }, schema: { params: pageParams } }, async (request: PageRequest, reply) => {
    const json = await getPageJson(app.db, request.params.person_id, request.params.page_id);
    if (json === null) throw notFound('Book or page or not found');
    return reply.type('application/json; charset=utf-8').send(json);
  });

  app.post('/pols/:person_id/:page_id', pageWrite, async (request: PageRequest) => {
    const body = jsonObject(request.body);
    const { person_id: owner, page_id: id } = request.params;
    if (body.id !== id || ('book' in body && body.book !== owner)) throw unprocessable('wrong format on person or page ID');
    const outcome = await insertPage(app.db, owner, id, { ...body, id, book: owner });
    if (outcome === 'no-person') throw notFound('Person not found');
    if (outcome === 'duplicate') throw unprocessable('Page already exists');
    return null;
  });

  app.patch('/pols/:person_id/:page_id', pageWrite, async (request: PageRequest) => {
    const body = jsonObject(request.body);
    const { person_id: owner, page_id: id } = request.params;
    if ('id' in body) throw unprocessable('Not allowed to change the page ID');
    checkBook(body, owner);
    if (!(await mergePage(app.db, owner, id, body))) throw notFound('Page not found');
    return null;
  });

  app.put('/pols/:person_id/:page_id', pageWrite, async (request: PageRequest) => {
    const body = jsonObject(request.body);
    const { person_id: owner, page_id: id } = request.params;
    if ('id' in body && body.id !== id) throw unprocessable('Not allowed to change the page ID');
    checkBook(body, owner);
    if (!(await replacePage(app.db, owner, id, { ...body, id, book: owner }))) throw notFound('Page not found');
    return null;
  });

  // A page with documents attached is kept until they are deleted (nothing removed unasked).
  app.delete('/pols/:person_id/:page_id', pageWrite, async (request: PageRequest) => {
    const { person_id: owner, page_id: id } = request.params;
    await app.db.transaction(async (tx) => {
      if (!(await lockPage(tx, owner, id))) throw notFound('Page not found');
      const documents = await countPageDocuments(tx, id);
      if (documents > 0) throw unprocessable(`The page still has ${documents} personal documents; delete them first`);
      await deletePage(tx, owner, id);
    });
    return null;
  });
}
