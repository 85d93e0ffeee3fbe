// Legacy collections ([[{doc}], [{doc}], ...]): streamed in keyset batches, or one keyset page with a Link header.
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** A row as the store hands it over: its key and its document already serialized by PostgreSQL. */
export interface JsonRow {
  id: string;
  json: string;
}
/** Reads up to `limit` rows with a key greater than `after` (null: from the start), in key order. */
export type FetchRows = (after: string | null, limit: number) => Promise<JsonRow[]>;

/** Where a whole collection's rendering may be kept and found again (the book cache). */
export interface CachedBody {
  get(): string | undefined;
  put(body: string): void;
}

/** Rows read per round trip while streaming a whole collection: memory stays constant. */
export const STREAM_BATCH = 500;

/** Query string of every collection route: optional keyset pagination (docs/wire-contract.md). */
export const pageQuerySchema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    after: { type: 'string', minLength: 1 },
  },
  additionalProperties: true,
} as const;

export interface PageQuery {
  limit?: number;
  after?: string;
}

const wrapped = (rows: JsonRow[]) => `[${rows.map((r) => r.json).join('],[')}]`;

async function* streamRows(fetch: FetchRows, firstBatch: JsonRow[]): AsyncGenerator<string> {
  yield '[';
  let rows = firstBatch;
  let first = true;
  for (;;) {
    if (rows.length > 0) {
      // The Federation Portal reads `person[0].name`: each document wrapped in its own array.
      yield `${first ? '' : ','}${wrapped(rows)}`;
      first = false;
    }
    if (rows.length < STREAM_BATCH) break;
    rows = await fetch(rows[rows.length - 1].id, STREAM_BATCH);
  }
  yield ']';
}

/**
 * Answers a collection route. Without `limit` the whole collection is streamed (the
 * reference's full list, for any size); with `limit` one page is sent, and a `Link: rel="next"`
 * header (RFC 8288) when the page was full, so a client can walk a national index.
 */
export async function sendCollection(
  request: FastifyRequest,
  reply: FastifyReply,
  fetch: FetchRows,
  cached?: CachedBody,
): Promise<FastifyReply> {
  const { limit, after } = request.query as PageQuery;
  reply.type('application/json; charset=utf-8');
  if (limit === undefined) {
    const whole = after === undefined ? cached : undefined;
    const hit = whole?.get();
    if (hit !== undefined) return reply.send(hit);
    // The first batch is read before the status goes out, so a database failure is still a clean 503.
    const firstBatch = await fetch(after ?? null, STREAM_BATCH);
    if (firstBatch.length < STREAM_BATCH) {
      const body = firstBatch.length === 0 ? '[]' : `[${wrapped(firstBatch)}]`;
      whole?.put(body);
      return reply.send(body);
    }
    return reply.send(Readable.from(streamRows(fetch, firstBatch)));
  }
  const rows = await fetch(after ?? null, limit);
  if (rows.length === limit) {
    const path = request.url.split('?')[0];
    const next = `${path}?limit=${limit}&after=${encodeURIComponent(rows[rows.length - 1].id)}`;
    reply.header('Link', `<${next}>; rel="next"`);
  }
  return reply.send(rows.length === 0 ? '[]' : `[${wrapped(rows)}]`);
}
