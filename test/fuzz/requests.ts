// fast-check arbitraries for HTTP requests to every route: hostile ids, credentials, bodies and headers.
import fc from 'fast-check';
import { basic } from '../helper.ts';

/** Accounts the fuzz signs in as; demo accounts are never the target of person writes, so they keep working. */
export const FUZZ_ROOT = { id: 'FUZROO000ONE', password: 'fuzzing root secret' };
const SIGNED_IN = [basic('ESPGNU777ORG', 'gnusolidario'), basic('ITAPYT999HON', 'gnusolidario'), basic(FUZZ_ROOT.id, FUZZ_ROOT.password)];
/** Ids the writes go to: created, changed and deleted as the run goes on. */
export const WRITABLE_PEOPLE = ['FUZPER001AAA', 'FUZPER002BBB', 'fuzper003ccc'];
const DEMO_PEOPLE = ['ESPGNU777ORG', 'ITAPYT999HON', 'ARGBUE111FAV'];
const PAGES = ['fuzz-page-1', 'fuzz-page-2', 'a4a9f1d6-5e0b-4f4e-9d7c-2d1f3c4b5a6e'];

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

const HOSTILE_TEXT = [
  "' OR 1=1 --",
  '1; DROP TABLE people; --',
  '../../etc/passwd',
  '..',
  '.',
  '<IMG SRC=X onerror=alert(1)>',
  '\u0000',
  'ÉSPGNU777ORG',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '\u202Eevil',
  ' ',
  'null',
  '__proto__',
  'constructor',
];
/** Already percent-encoded pieces, some of them invalid: put into the URL as they are. */
const RAW_SEGMENTS = ['%00', '%2F', '%2e%2e', '%ZZ', '%', '%E0%A4%A', '%C0%AF', '%FF', 'a%2Fb', '%252F', '%u0041', '..%2F..%2F'];

const idText = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...DEMO_PEOPLE, ...WRITABLE_PEOPLE, ...PAGES) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: 101, max: 5000 }).map((n) => 'X'.repeat(n)) },
);
/** One path segment: usually an encoded id, sometimes raw (invalid) escapes. */
const segment = fc.oneof(
  { weight: 8, arbitrary: idText.map(encodeURIComponent) },
  { weight: 1, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
);

const path = fc.oneof(
  fc.constantFrom(
    '/',
    '/healthz',
    '/readyz',
    '/login',
    '/people',
    '/domiciliary-units',
    '/institutions',
    '/nowhere',
    '/changes',
    '/subscriptions',
    '//people',
    '/people/',
  ),
  fc
    .tuple(fc.constantFrom('people', 'pols', 'events', 'encounters', 'personal_docs', 'personal-documents', 'password'), segment)
    .map(([base, id]) => `/${base}/${id}`),
  fc.tuple(fc.constantFrom('pols', 'personal_docs'), segment, segment).map(([base, a, b]) => `/${base}/${a}/${b}`),
  fc.tuple(segment, segment, segment).map(([a, b, c]) => `/personal_docs/${a}/${b}/${c}`),
  fc.tuple(fc.constantFrom('domiciliary-units', 'institutions', 'subscriptions'), segment).map(([base, id]) => `/${base}/${id}`),
  segment.map((id) => `/subscriptions/${id}/replay`),
);
const query = fc.oneof(
  { weight: 6, arbitrary: fc.constant('') },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.oneof(fc.integer({ min: -5, max: 5000 }).map(String), fc.string()), segment)
      .map(([l, a]) => `?limit=${encodeURIComponent(l)}&after=${a}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('?limit=%ZZ', '?after=', '?limit=1&limit=2', '?__proto__[x]=1', '?a=%00') },
);

const authorization = fc.oneof(
  { weight: 240, arbitrary: fc.constantFrom(...SIGNED_IN) },
  { weight: 40, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constantFrom(basic('NOBODY000XXX', 'x'), basic('NOBODY000YYY', 'y')) },
  {
    weight: 40,
    arbitrary: fc.oneof(
      fc.constantFrom('Basic', 'Basic ', 'Basic !!!', 'Basic Og==', 'Bearer abc', 'basic', `Basic ${'A'.repeat(20000)}`, 'Digest x'),
      // Without a colon: malformed, refused without bcrypt (a well-formed unknown account costs a comparison, below).
      fc.string({ unit: 'binary', maxLength: 100 }).map((s) => `Basic ${Buffer.from(s.replaceAll(':', '')).toString('base64')}`),
      fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\x20-\x7e]/g, '')),
    ),
  },
);

/** Keys a client could use to reach an object's prototype, or to trip a guard. */
const KEYS = ['__proto__', 'constructor', 'prototype', 'id', 'book', 'roles', 'active', 'name', 'document', 'hash', 'summary', 'a', ''];
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** Bodies as bytes on the wire: JSON that PostgreSQL or JavaScript would change, and everything that is not JSON. */
const RAW_BODIES = [
  '{"n": 1e400}',
  '{"n": -1e400}',
  '{"n": 1e-400}',
  '{"n": 12345678901234567890123}',
  '{"n": 0.1, "m": 1.5e300, "k": -0}',
  '{"a": 1, "a": 2}',
  '{"__proto__": {"roles": ["root"]}}',
  '{"constructor": {"prototype": {"x": 1}}}',
  '{"s": "\\u0000"}',
  '{"s": "\\ud800"}',
  '{"id": "x", "document": "not base64!"}',
  '[]',
  'null',
  '"text"',
  '{',
  '',
  'id=1&name=x',
];
const body = fc.oneof(
  { weight: 5, arbitrary: jsonValue.map((v) => JSON.stringify(v)) },
  { weight: 3, arbitrary: fc.constantFrom(...RAW_BODIES) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 100_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => `{"k": ${'{"a":'.repeat(n)}1${'}'.repeat(n)}}`) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 1, max: 30_000 })
      .map((n) => JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i])))),
  },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 64 })
      .map((bytes) => Buffer.concat([Buffer.from('{"s": "'), Buffer.from(bytes), Buffer.from('"}')])),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(1, 3, 5, 7)
      .map((mib) => JSON.stringify({ id: 'doc', name: 'big.bin', document: 'QUJD'.repeat(mib * 262_144) })),
  },
);

const contentType = fc.constantFrom(
  undefined,
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=latin1',
  '*/*',
);
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'TRACE'];

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
  .record({
    method: fc.constantFrom(...METHODS),
    path,
    query,
    authorization,
    body: fc.option(body, { freq: 2 }),
    contentType,
  })
  .map(({ method, path: p, query: q, authorization: auth, body: b, contentType: type }) => {
    const headers: Record<string, string> = { origin: 'http://localhost' };
    if (auth !== undefined) headers.authorization = auth;
    if (type !== undefined) headers['content-type'] = type;
    if (method === 'OPTIONS') headers['access-control-request-method'] = 'PATCH';
    return { method, url: p + q, headers, ...(b !== null && method !== 'GET' && method !== 'HEAD' ? { payload: b } : {}) };
  });

/** Valid writes too, so that the run reaches the stores and not only the validators. */
export const fuzzWrite: fc.Arbitrary<FuzzRequest> = fc
  .record({
    who: fc.constantFrom(...SIGNED_IN),
    person: fc.constantFrom(...WRITABLE_PEOPLE),
    page: fc.constantFrom(...PAGES),
    kind: fc.constantFrom('person', 'page', 'doc', 'delete-page', 'delete-person', 'deactivate', 'unit'),
    extra: jsonValue,
  })
  .map(({ who, person, page, kind, extra }) => {
    const headers = { authorization: who, origin: 'http://localhost' };
    const fields = typeof extra === 'object' && extra !== null && !Array.isArray(extra) ? extra : { extra };
    switch (kind) {
      case 'person':
        return { method: 'POST', url: `/people/${person}`, headers, payload: JSON.stringify({ ...fields, name: 'Fuzz', active: true }) };
      case 'page':
        return { method: 'POST', url: `/pols/${person.toUpperCase()}/${page}`, headers, payload: JSON.stringify({ ...fields, id: page }) };
      case 'doc':
        return {
          method: 'POST',
          url: `/personal_docs/${person.toUpperCase()}/${page}`,
          headers,
          payload: JSON.stringify({ name: 'a.txt', document: 'aGVsbG8=' }),
        };
      case 'delete-page':
        return { method: 'DELETE', url: `/pols/${person.toUpperCase()}/${page}`, headers };
      case 'delete-person':
        return { method: 'DELETE', url: `/people/${person.toUpperCase()}`, headers };
      case 'deactivate':
        return { method: 'PATCH', url: `/people/${person.toUpperCase()}`, headers, payload: JSON.stringify({ active: false }) };
      case 'unit':
        return { method: 'POST', url: `/institutions/${page}`, headers, payload: JSON.stringify({ ...fields, name: 'Fuzz' }) };
    }
  });
