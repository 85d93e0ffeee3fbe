// Who makes a write, for the change log: the caller, and the node the request body names.
import type { FastifyRequest } from 'fastify';
import { requireCaller } from '../auth/caller.ts';
import type { Writer } from '../store/changes.ts';

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const nodeIn = (info: unknown): string | null =>
  typeof info === 'object' && info !== null && !Array.isArray(info) ? text((info as Record<string, unknown>).node) : null;

/**
 * HMIS nodes say where a write comes from in `modification_info.node` (updates) or
 * `creation_info.node` (creations); pages also carry a `node` of their own.
 */
export function nodeOf(body: Record<string, unknown> | undefined): string | null {
  if (!body) return null;
  return nodeIn(body.modification_info) ?? nodeIn(body.creation_info) ?? text(body.node);
}

export function writerOf(request: FastifyRequest, body?: Record<string, unknown>): Writer {
  return { actor: requireCaller(request).id, node: nodeOf(body) };
}
