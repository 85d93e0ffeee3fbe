// GET /openapi.json (OpenAPI 3.1 from the route schemas, valid by a standard validator) and the /docs page served from the package.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validate } from '@readme/openapi-parser';
import { SUMMARIES } from '../../src/openapi/descriptions.ts';
import { VERSION } from '../../src/version.ts';
import { useApp } from '../helper.ts';

interface Operation {
  summary?: string;
  security?: unknown[];
  tags?: string[];
  responses: Record<string, unknown>;
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
}

describe('the API description (no database involved)', () => {
  const ctx = useApp('pglite');

  const fetchDocument = async (): Promise<Document> => {
    const res = await ctx.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    return res.json<Document>();
  };

  test('GET /openapi.json is OpenAPI 3.1 that a standard validator accepts', async () => {
    const doc = await fetchDocument();
    assert.deepEqual([doc.openapi, doc.info.title, doc.info.version], ['3.1.0', 'Thalamus', VERSION]);
    const result = await validate(structuredClone(doc) as Parameters<typeof validate>[0]);
    assert.deepEqual(result.valid ? [] : result.errors, []);
  });

  test('every route is described, with its summary; protected routes need Basic and may answer 401, 403 and 429', async () => {
    const doc = await fetchDocument();
    const described = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    for (const route of Object.keys(SUMMARIES)) assert.ok(described.includes(route), `${route} is missing from ${described.join(', ')}`);
    const person = doc.paths['/people/{person_id}'].get;
    assert.deepEqual(
      [person.summary, person.security, person.tags, Object.keys(person.responses).sort()],
      ['A person document (never the password hash)', [{ basic: [] }], ['people'], ['401', '403', '429']],
    );
    const health = doc.paths['/healthz'].get;
    assert.deepEqual([health.security, health.tags], [undefined, ['operations']]);
    assert.ok(!described.some((r) => /\/docs|openapi\.json/.test(r)), 'the documentation routes do not describe themselves');
  });

  test('GET /docs is a page whose scripts and styles all come from this server', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/html/);
    const assets = [...res.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.length >= 3, res.body);
    for (const asset of assets) {
      assert.doesNotMatch(asset, /^(https?:)?\/\//, `${asset} comes from elsewhere`);
      const url = new URL(asset, 'http://thalamus/docs/').pathname;
      const got = await ctx.app.inject({ method: 'GET', url });
      assert.equal(got.statusCode, 200, url);
    }
  });
});
