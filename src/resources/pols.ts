// The Book of Life: /pols/<person_id> (also /events, /encounters) and /pols/<person_id>/<page_id>.
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyRequest } from 'fastify';
import type { Queryable } from '../db/db.ts';
import type { PersonRow } from '../store/people.ts';
import { jsonObject } from '../body.ts';
import { notFound, unprocessable } from '../errors.ts';
import { countPageDocuments, deletePage, getPageJson, insertPage, listPagesJson, lockPage, mergePage, replacePage } from '../store/pols.ts';
import { checkIfMatch, etagOf, hasIfMatch, sendWithEtag } from './etags.ts';
import type { BookView } from './book-cache.ts';
import { sendCollection, type CachedBody } from './collections.ts';
import { checkNewId } from './ids.ts';
import { PageInserts } from './page-inserts.ts';
import { pageParams, pageQuerySchema, personParams, writeResponse } from './schemas.ts';
import { writerOf } from './writer.ts';

/** A page always stays in the book of its URL: a body naming another book is refused. */
function checkBook(body: Record<string, unknown>, book: string): void {
  if ('book' in body && body.book !== book) throw unprocessable('Not allowed to move the page to another book');
}

const polsRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  // The book's version comes with the caller's credentials, in one query (auth/person-loader.ts).
  const book = {
    config: { endpoint: 'book', loadsSubject: true },
    schema: { params: personParams, querystring: pageQuerySchema },
  } as const;

  /** The cache slot for this book at the version read with the credentials (`subject`); none before any page. */
  function cachedBook(id: string, subject: PersonRow | null | undefined, view: BookView): CachedBody | undefined {
    const version = subject?.book_version;
    if (!version) return undefined;
    return { get: () => app.bookCache.get(id, view, version), put: (body) => app.bookCache.set(id, view, version, body) };
  }
  const inserts = new PageInserts(app);
  const pageWrite = { config: { endpoint: 'page' }, schema: { params: pageParams, response: writeResponse } } as const;

  // /events is the older documentation's name for the whole Book of Life.
  for (const path of ['/pols/:person_id', '/events/:person_id']) {
    app.get(path, book, (request, reply) => {
      const owner = request.params.person_id;
      return sendCollection(
        request,
        reply,
        (after, limit) => listPagesJson(app.db, owner, after, limit),
        cachedBook(owner, request.subject, 'book'),
      );
    });
  }
  app.get('/encounters/:person_id', book, (request, reply) => {
    const owner = request.params.person_id;
    return sendCollection(
      request,
      reply,
      (after, limit) => listPagesJson(app.db, owner, after, limit, { encountersOnly: true }),
      cachedBook(owner, request.subject, 'encounters'),
    );
  });

  // Fetched by page id AND book: someone else's page is not found through your own URL (docs/wire-contract.md fix).
  app.get('/pols/:person_id/:page_id', { config: { endpoint: 'page' }, schema: { params: pageParams } }, async (request, reply) => {
    const json = await getPageJson(app.db, request.params.person_id, request.params.page_id);
    if (json === null) throw notFound('Book or page or not found');
    return sendWithEtag(request, reply, json);
  });

  /** With If-Match, the page is locked and its ETag checked before the write (412 when stale). */
  async function checkPrecondition(request: FastifyRequest, tx: Queryable, owner: string, id: string): Promise<void> {
    if (!hasIfMatch(request)) return;
    const page = await lockPage(tx, owner, id);
    if (page === null) throw notFound('Page not found');
    checkIfMatch(request, etagOf(page.json));
  }

  // A page id another book holds is answered as a new one is: README.md, "Ids of pages and documents".
  app.post('/pols/:person_id/:page_id', pageWrite, async (request) => {
    const body = jsonObject(request.body);
    const { person_id: owner, page_id: id } = request.params;
    checkNewId(id, 'page');
    if (body.id !== id || ('book' in body && body.book !== owner)) throw unprocessable('wrong format on person or page ID');
    const page = { writer: writerOf(request, body), book: owner, id, data: { ...body, id, book: owner } };
    if (await inserts.insert(request, page)) return null;
    await app.audit.write(request, async (tx) => {
      const outcome = await insertPage(tx, page.writer, owner, id, page.data);
      if (outcome === 'no-person') throw notFound('Person not found');
      if (outcome === 'duplicate') throw unprocessable('Page already exists');
    });
    return null;
  });

  app.patch('/pols/:person_id/:page_id', pageWrite, async (request) => {
    const body = jsonObject(request.body);
    const { person_id: owner, page_id: id } = request.params;
    if ('id' in body) throw unprocessable('Not allowed to change the page ID');
    checkBook(body, owner);
    await app.audit.write(request, async (tx) => {
      await checkPrecondition(request, tx, owner, id);
      if (!(await mergePage(tx, writerOf(request, body), owner, id, body))) throw notFound('Page not found');
    });
    return null;
  });

  app.put('/pols/:person_id/:page_id', pageWrite, async (request) => {
    const body = jsonObject(request.body);
    const { person_id: owner, page_id: id } = request.params;
    if ('id' in body && body.id !== id) throw unprocessable('Not allowed to change the page ID');
    checkBook(body, owner);
    await app.audit.write(request, async (tx) => {
      await checkPrecondition(request, tx, owner, id);
      if (!(await replacePage(tx, writerOf(request, body), owner, id, { ...body, id, book: owner }))) throw notFound('Page not found');
    });
    return null;
  });

  // A page with documents attached is kept until they are deleted (nothing removed unasked).
  app.delete('/pols/:person_id/:page_id', pageWrite, async (request) => {
    const { person_id: owner, page_id: id } = request.params;
    await app.audit.write(request, async (tx) => {
      const page = await lockPage(tx, owner, id);
      if (page === null) throw notFound('Page not found');
      checkIfMatch(request, etagOf(page.json));
      const documents = await countPageDocuments(tx, page.rowId);
      if (documents > 0) throw unprocessable(`The page still has ${documents} personal documents; delete them first`);
      await deletePage(tx, writerOf(request), owner, id);
    });
    return null;
  });
};

export default polsRoutes;
