// /personal_docs: metadata listings, the bytes with their type and SHA-512 check, adding and deleting documents.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { asAna, asCameron, asRoot, eachBackend, useApp } from '../helper.ts';
import { ANA_BIRTH_ID, ANA_CERTIFICATE_ID, ANA_PICTURE_HASH, ANA_PICTURE_ID } from './expected.ts';

const PICTURE = readFileSync(new URL('../../demo/ana-birth-picture.jpg', import.meta.url));
const PICTURE_META = {
  id: ANA_PICTURE_ID,
  name: 'ana-birth-picture.jpg',
  description: 'Picture at birth',
  hash: ANA_PICTURE_HASH,
  fedacct: 'ESPGNU777ORG',
  pol: ANA_BIRTH_ID,
  size: PICTURE.length,
};
const PDF = Buffer.from('%PDF-1.4\n% a birth certificate scan\n');
const PDF_HASH = createHash('sha512').update(PDF).digest('hex');
const PICTURE_URL = `/personal_docs/ESPGNU777ORG/${ANA_BIRTH_ID}/${ANA_PICTURE_ID}`;
const CERT_DOCS = `/personal_docs/ESPGNU777ORG/${ANA_CERTIFICATE_ID}`;

eachBackend('personal documents', (backend) => {
  const ctx = useApp(backend);
  const call = (method: string, url: string, headers: Record<string, string>, body?: unknown) =>
    ctx.app.inject({ method: method as 'GET', url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body) }) });

  test("GET /personal_docs/<person_id> lists the person's documents' metadata, never the bytes", async () => {
    for (const url of ['/personal_docs/ESPGNU777ORG', '/personal-documents/ESPGNU777ORG']) {
      for (const who of [asAna, asCameron]) {
        const res = await call('GET', url, who);
        assert.equal(res.statusCode, 200);
        assert.deepEqual(res.json(), [[PICTURE_META]]);
      }
    }
    const other = await call('GET', '/personal_docs/ITAPYT999HON', asAna);
    assert.deepEqual([other.statusCode, other.json()], [403, { error: 'Not permitted: GET personaldocs of another person' }]);
  });

  test('GET /personal_docs/<person_id>/<pol_id> lists the documents of that page of that book only', async () => {
    assert.deepEqual((await call('GET', `/personal_docs/ESPGNU777ORG/${ANA_BIRTH_ID}`, asAna)).json(), [[PICTURE_META]]);
    assert.deepEqual((await call('GET', CERT_DOCS, asAna)).json(), []);
    const notHers = await call('GET', `/personal_docs/ITAPYT999HON/${ANA_BIRTH_ID}`, asCameron);
    assert.deepEqual([notHers.statusCode, notHers.json()], [404, { error: 'Book or page or not found' }]);
  });

  test('GET /personal_docs/<person_id>/<pol_id>/<doc_id> serves the bytes with the type of their extension', async () => {
    for (const who of [asAna, asCameron]) {
      const res = await call('GET', PICTURE_URL, who);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'image/jpeg');
      assert.equal(res.headers['content-disposition'], "attachment; filename*=UTF-8''ana-birth-picture.jpg");
      assert.deepEqual(res.rawPayload, PICTURE);
    }
    const wrongPage = await call('GET', `${CERT_DOCS}/${ANA_PICTURE_ID}`, asAna);
    assert.deepEqual([wrongPage.statusCode, wrongPage.json()], [404, { error: 'Document not found' }]);
  });

  test('POST /personal_docs/<person_id>/<pol_id> adds a base64 document; its bytes and hash come back', async () => {
    const res = await call('POST', CERT_DOCS, asAna, {
      id: 'ana-cert-scan',
      name: 'certificate.pdf',
      description: 'Scan',
      document: PDF.toString('base64'),
    });
    assert.deepEqual([res.statusCode, res.body], [200, 'null']);
    assert.equal(res.headers.location, `${CERT_DOCS}/ana-cert-scan`);
    const meta = {
      id: 'ana-cert-scan',
      name: 'certificate.pdf',
      description: 'Scan',
      hash: PDF_HASH,
      fedacct: 'ESPGNU777ORG',
      pol: ANA_CERTIFICATE_ID,
      size: PDF.length,
    };
    assert.deepEqual((await call('GET', CERT_DOCS, asAna)).json(), [[meta]]);
    const bytes = await call('GET', `${CERT_DOCS}/ana-cert-scan`, asAna);
    assert.equal(bytes.headers['content-type'], 'application/pdf');
    assert.deepEqual(bytes.rawPayload, PDF);
  });

  test('POST document: wrong hash, bad base64, no name, a page of another book, a taken id are 4xx', async () => {
    const base = { name: 'x.txt', document: Buffer.from('hello').toString('base64') };
    const cases: [unknown, string, number, string][] = [
      [{ ...base, hash: 'ab'.repeat(64) }, CERT_DOCS, 422, 'The document does not match its SHA-512 hash'],
      [{ ...base, document: 'not base64!' }, CERT_DOCS, 422, "document must be the file's bytes in base64"],
      [{ document: base.document }, CERT_DOCS, 422, 'name must be the file name, e.g. "scan.pdf"'],
      [{ ...base, id: 'ana-cert-scan' }, CERT_DOCS, 422, 'Document already exists'],
      [base, '/personal_docs/ESPGNU777ORG/no-such-page', 404, 'Page not found'],
      [[base], CERT_DOCS, 400, 'The body must be a JSON object, not an array'],
    ];
    for (const [body, url, status, error] of cases) {
      const res = await call('POST', url, asAna, body);
      assert.deepEqual([res.statusCode, res.json()], [status, { error }], error);
    }
  });

  test('POST document without an id gets a generated one, named in Location', async () => {
    const res = await call('POST', CERT_DOCS, asAna, { name: 'note.txt', document: Buffer.from('hello').toString('base64') });
    assert.equal(res.statusCode, 200);
    const id = (res.headers.location as string).split('/').pop() as string;
    assert.match(id, /^[0-9a-f-]{36}$/);
    const bytes = await call('GET', res.headers.location as string, asAna);
    assert.deepEqual([bytes.headers['content-type'], bytes.body], ['text/plain', 'hello']);
  });

  test('a stored document that no longer matches its hash is an error, never corrupted bytes', async () => {
    await ctx.db.query("UPDATE personal_docs SET document = '\\x00'::bytea WHERE id = 'ana-cert-scan'");
    const res = await call('GET', `${CERT_DOCS}/ana-cert-scan`, asAna);
    assert.deepEqual([res.statusCode, res.json()], [500, { error: 'The stored document does not match its SHA-512 hash' }]);
  });

  test('DELETE document: root only, scoped by owner and page', async () => {
    const ana = await call('DELETE', `${CERT_DOCS}/ana-cert-scan`, asAna);
    assert.deepEqual([ana.statusCode, ana.json()], [403, { error: 'Not permitted: DELETE poldocs' }]);
    const wrong = await call('DELETE', `/personal_docs/ESPGNU777ORG/${ANA_BIRTH_ID}/ana-cert-scan`, asRoot);
    assert.deepEqual([wrong.statusCode, wrong.json()], [404, { error: 'Document not found' }]);
    const gone = await call('DELETE', `${CERT_DOCS}/ana-cert-scan`, asRoot);
    assert.deepEqual([gone.statusCode, gone.body], [200, 'null']);
    assert.equal((await call('GET', `${CERT_DOCS}/ana-cert-scan`, asRoot)).statusCode, 404);
  });
});
