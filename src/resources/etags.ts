// Optimistic concurrency (RFC 9110, section 13): ETag on reads of one record, If-None-Match (304) and If-Match (412).
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

/**
 * A strong ETag: the MD5 of the record's JSON as this server sends it. For pages, domiciliary
 * units and institutions that is PostgreSQL's `data::text`, so the store can compute the same
 * value with `md5(data::text)`; for people, the document without its password hash.
 */
export const etagOf = (json: string) => `"${createHash('md5').update(json).digest('hex')}"`;

/** The entity-tags listed in a header; '*' for any; null when the header is absent. Weak tags never match (strong comparison). */
function listed(header: string | string[] | undefined): '*' | string[] | null {
  if (header === undefined) return null;
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text.trim() === '*') return '*';
  return text
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag.startsWith('"') || tag.startsWith('W/"'));
}

/** True when the request sent If-Match: the write must then check it against the record it locked. */
export const hasIfMatch = (request: FastifyRequest) => request.headers['if-match'] !== undefined;

/** Throws 412 when If-Match names none of the record's current ETag (no header: nothing to check). */
export function checkIfMatch(request: FastifyRequest, current: string): void {
  const wanted = listed(request.headers['if-match']);
  if (wanted === null || wanted === '*' || wanted.includes(current)) return;
  throw new AppError(412, 'The record has changed since it was read (If-Match does not match its ETag); read it again', { ETag: current });
}

/**
 * Sends the record with its ETag, or 304 with no body when If-None-Match already names it
 * (If-None-Match: * matches any record that exists).
 */
export function sendWithEtag(request: FastifyRequest, reply: FastifyReply, json: string): FastifyReply {
  const etag = etagOf(json);
  reply.header('ETag', etag);
  const known = listed(request.headers['if-none-match']);
  const weakStripped = (tags: string[]) => tags.map((t) => t.replace(/^W\//, ''));
  if (known === '*' || (known !== null && weakStripped(known).includes(etag))) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(json);
}
