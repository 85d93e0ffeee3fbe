// Personal documents. Routes (ACL endpoint in brackets):
//   GET    /personal_docs/<person_id>, /personal-documents/<person_id>  [personaldocs] metadata of all the person's documents
//   GET    /personal_docs/<person_id>/<pol_id>                          [poldocs] metadata of the documents of one page
//   POST   /personal_docs/<person_id>/<pol_id>                          [poldocs] add one: JSON {"id"?, "name", "document": base64, ...}
//   GET    /personal_docs/<person_id>/<pol_id>/<doc_id>                 [poldocs] the bytes, Content-Type from the name's extension
//   DELETE /personal_docs/<person_id>/<pol_id>/<doc_id>                 [poldocs] remove one
// Metadata is the stored data plus id, fedacct, pol and size; the bytes never appear in a listing.
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import mime from 'mime-types';
import { jsonObject } from '../body.ts';
import { AppError, notFound, unprocessable } from '../errors.ts';
import { deleteDocument, getDocument, insertDocument, listDocumentsJson } from '../store/docs.ts';
import { pageRowId } from '../store/pols.ts';
import { sendCollection } from './collections.ts';
import { checkNewId } from './ids.ts';
import { pageQuerySchema, personParams, writeResponse } from './schemas.ts';
import { writerOf } from './writer.ts';

const id = { type: 'string', minLength: 1 } as const;
const pageDocsParams = { type: 'object', properties: { person_id: id, pol_id: id }, required: ['person_id', 'pol_id'] } as const;
const docParams = {
  type: 'object',
  properties: { person_id: id, pol_id: id, doc_id: id },
  required: ['person_id', 'pol_id', 'doc_id'],
} as const;
const sha512 = (bytes: Uint8Array) => createHash('sha512').update(bytes).digest('hex');

/**
 * Strict base64 (line breaks allowed, as Python's encodebytes writes them): the bytes must
 * encode back to exactly the text sent, so nothing is silently dropped or truncated. Linear in
 * the size, whatever it is (a regular expression over megabytes overflows its stack).
 */
function decodeBase64(value: unknown): Buffer {
  const text = typeof value === 'string' ? value.replace(/\s+/g, '') : null;
  const bytes = text === null ? null : Buffer.from(text, 'base64');
  if (text === null || bytes === null || bytes.toString('base64') !== text)
    throw unprocessable("document must be the file's bytes in base64");
  return bytes;
}

const personalDocsRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const personDocs = { config: { endpoint: 'personaldocs' }, schema: { params: personParams, querystring: pageQuerySchema } } as const;
  for (const path of ['/personal_docs/:person_id', '/personal-documents/:person_id']) {
    app.get(path, personDocs, (request, reply) =>
      sendCollection(request, reply, (after, limit) => listDocumentsJson(app.db, request.params.person_id, null, after, limit)),
    );
  }

  const pageDocs = { config: { endpoint: 'poldocs' }, schema: { params: pageDocsParams, querystring: pageQuerySchema } } as const;
  app.get('/personal_docs/:person_id/:pol_id', pageDocs, async (request, reply) => {
    const { person_id: owner, pol_id: pol } = request.params;
    const page = await pageRowId(app.db, owner, pol);
    if (page === null) throw notFound('Book or page or not found');
    return sendCollection(request, reply, (after, limit) => listDocumentsJson(app.db, owner, page, after, limit));
  });

  const addDoc = { config: { endpoint: 'poldocs' }, schema: { params: pageDocsParams, response: writeResponse } } as const;
  // A document id another person holds is answered as a new one is: README.md, "Ids of pages and documents".
  app.post('/personal_docs/:person_id/:pol_id', addDoc, async (request, reply) => {
    const { document, ...body } = jsonObject(request.body);
    const { person_id: owner, pol_id: pol } = request.params;
    if (typeof body.name !== 'string' || body.name.trim() === '') throw unprocessable('name must be the file name, e.g. "scan.pdf"');
    const givenId = body.id;
    if (givenId !== undefined && typeof givenId !== 'string') throw unprocessable('id must be a string');
    if (givenId !== undefined) checkNewId(givenId, 'document');
    const bytes = decodeBase64(document);
    const hash = sha512(bytes);
    if (body.hash !== undefined && (typeof body.hash !== 'string' || body.hash.toLowerCase() !== hash)) {
      throw unprocessable('The document does not match its SHA-512 hash');
    }
    const page = await pageRowId(app.db, owner, pol);
    if (page === null) throw notFound('Page not found');
    const docId = givenId ?? randomUUID();
    await app.audit.write(
      request,
      async (tx) => {
        const outcome = await insertDocument(tx, writerOf(request, body), {
          id: docId,
          fedacct: owner,
          pol: page,
          document: bytes,
          data: { ...body, id: docId, hash },
        });
        if (outcome === 'no-page') throw notFound('Page not found');
        if (outcome === 'duplicate') throw unprocessable('Document already exists');
      },
      { resourceId: docId },
    );
    reply.header('Location', `/personal_docs/${encodeURIComponent(owner)}/${encodeURIComponent(pol)}/${encodeURIComponent(docId)}`);
    return null;
  });

  const oneDoc = { config: { endpoint: 'poldocs' }, schema: { params: docParams } } as const;
  app.get('/personal_docs/:person_id/:pol_id/:doc_id', oneDoc, async (request, reply) => {
    const { person_id: owner, pol_id: pol, doc_id: docId } = request.params;
    const row = await getDocument(app.db, owner, pol, docId);
    if (!row || !row.document) throw notFound('Document not found');
    const bytes = Buffer.from(row.document.buffer, row.document.byteOffset, row.document.byteLength);
    const expected = row.data?.hash;
    if (typeof expected === 'string' && expected.toLowerCase() !== sha512(bytes)) {
      request.log.error({ document: docId }, 'stored document does not match its SHA-512 hash');
      throw new AppError(500, 'The stored document does not match its SHA-512 hash');
    }
    const name = typeof row.data?.name === 'string' ? row.data.name : docId;
    // Always a download, never rendered on this origin: a stored HTML file must not run here.
    return reply
      .type(mime.lookup(name) || 'application/octet-stream')
      .header('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(name)}`)
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Security-Policy', "sandbox; default-src 'none'")
      .send(bytes);
  });

  const deleteDoc = { config: { endpoint: 'poldocs' }, schema: { params: docParams, response: writeResponse } } as const;
  app.delete('/personal_docs/:person_id/:pol_id/:doc_id', deleteDoc, async (request) => {
    const { person_id: owner, pol_id: pol, doc_id: docId } = request.params;
    await app.audit.write(request, async (tx) => {
      if (!(await deleteDocument(tx, writerOf(request), owner, pol, docId))) throw notFound('Document not found');
    });
    return null;
  });
};

export default personalDocsRoutes;
