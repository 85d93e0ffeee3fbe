// FHIR test calls: every answer must be application/fhir+json and a valid R4 resource (OperationOutcomes included).
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { LightMyRequestResponse } from 'fastify';
import { assertValidFhir } from './schema.ts';

export interface FhirAnswer {
  status: number;
  headers: LightMyRequestResponse['headers'];
  body: Record<string, unknown> & { resourceType?: string };
}

export async function fhir(
  app: FastifyInstance,
  url: string,
  headers: Record<string, string> = {},
  options: { method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD'; payload?: string } = {},
): Promise<FhirAnswer> {
  const res = await app.inject({ method: options.method ?? 'GET', url, headers, payload: options.payload });
  assert.equal(res.headers['content-type'], 'application/fhir+json; charset=utf-8', `${url}: content type`);
  if (options.method === 'HEAD') return { status: res.statusCode, headers: res.headers, body: {} };
  const body = res.json<FhirAnswer['body']>();
  assertValidFhir(body);
  return { status: res.statusCode, headers: res.headers, body };
}

/** The OperationOutcome a failed call must answer. */
export function outcome(code: string, diagnostics: string, severity = 'error') {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics }] };
}

/** A resource with meta taken out (versions and times vary from run to run), and the meta checked against the headers. */
export function withoutMeta(answer: FhirAnswer): Record<string, unknown> {
  const { meta, ...rest } = answer.body as { meta?: { versionId?: string; lastUpdated?: string } };
  assert.ok(meta?.versionId, 'meta.versionId');
  assert.equal(answer.headers.etag, `W/"${meta.versionId}"`);
  if (meta.lastUpdated) {
    assert.equal(answer.headers['last-modified'], new Date(meta.lastUpdated).toUTCString());
  }
  return rest;
}

/** The ids of a searchset Bundle's entries, in order. */
export const entryIds = (bundle: Record<string, unknown>): string[] =>
  ((bundle.entry as { resource: { id: string } }[] | undefined) ?? []).map((e) => e.resource.id);

/** A Bundle's link of that relation, made relative to the server (for app.inject). */
export function linkOf(bundle: Record<string, unknown>, relation: string): string | undefined {
  const link = (bundle.link as { relation: string; url: string }[]).find((l) => l.relation === relation);
  return link && link.url.replace(/^https?:\/\/[^/]+/, '');
}
