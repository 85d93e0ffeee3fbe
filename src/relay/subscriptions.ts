// Webhook subscriptions (ACL endpoint `subscriptions`):
//   POST   /subscriptions                 {"url", "resources"?, "secret"} -> 201 the subscription
//   GET    /subscriptions                 the caller's subscriptions (root: everyone's)
//   GET    /subscriptions/<id>            one, with its deliveries counted by state
//   DELETE /subscriptions/<id>            204; its queued deliveries go with it
//   POST   /subscriptions/<id>/replay     ?since=<seq>: every matching change after it is delivered again, in order
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyRequest } from 'fastify';
import { requireCaller } from '../auth/caller.ts';
import { notFound, unprocessable } from '../errors.ts';
import { RESOURCES, type Resource } from '../store/changes.ts';
import {
  deleteSubscription,
  deliveryCounts,
  getSubscription,
  insertSubscription,
  listSubscriptions,
  rewindSubscription,
} from '../store/subscriptions.ts';
import { personScope } from './feed.ts';

export const MIN_SECRET_LENGTH = 16;

const newSubscription = {
  type: 'object',
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2000 },
    resources: { type: 'array', items: { type: 'string', enum: RESOURCES }, minItems: 1, uniqueItems: true },
    secret: { type: 'string', minLength: MIN_SECRET_LENGTH, maxLength: 200 },
  },
  required: ['url', 'secret'],
  additionalProperties: false,
} as const;
const idParams = { type: 'object', properties: { id: { type: 'string', minLength: 1 } }, required: ['id'] } as const;
const replayQuery = {
  type: 'object',
  properties: { since: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, default: 0 } },
} as const;

/** Whose subscriptions the caller may see and change: their own, or anyone's for root. */
function ownerScope(request: FastifyRequest): string | null {
  const caller = requireCaller(request);
  return caller.roles.includes('root') ? null : caller.id;
}

/** Where deliveries go: an absolute http(s) URL. */
function checkUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw unprocessable('url must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw unprocessable('url must be an absolute http:// or https:// URL');
  return url.toString();
}

const subscriptionRoutes: FastifyPluginAsyncJsonSchemaToTs = async (app) => {
  const access = { config: { endpoint: 'subscriptions' } } as const;

  app.post('/subscriptions', { ...access, schema: { body: newSubscription } }, async (request, reply) => {
    const caller = requireCaller(request);
    const body = request.body;
    const subscription = await insertSubscription(app.db, {
      id: randomUUID(),
      owner: caller.id,
      person: personScope(request) ?? null,
      url: checkUrl(body.url),
      resources: body.resources ? [...(body.resources as readonly Resource[])] : null,
      secret: body.secret,
    });
    app.relay.deliverer.kick(true);
    return reply.code(201).header('Location', `/subscriptions/${subscription.id}`).send(subscription);
  });

  app.get('/subscriptions', access, async (request) => listSubscriptions(app.db, ownerScope(request)));

  app.get('/subscriptions/:id', { ...access, schema: { params: idParams } }, async (request) => {
    const subscription = await getSubscription(app.db, request.params.id, ownerScope(request));
    if (!subscription) throw notFound('Subscription not found');
    return { ...subscription, deliveries: await deliveryCounts(app.db, subscription.id) };
  });

  app.delete('/subscriptions/:id', { ...access, schema: { params: idParams } }, async (request, reply) => {
    if (!(await deleteSubscription(app.db, request.params.id, ownerScope(request)))) throw notFound('Subscription not found');
    return reply.code(204).send();
  });

  app.post('/subscriptions/:id/replay', { ...access, schema: { params: idParams, querystring: replayQuery } }, async (request, reply) => {
    const since = request.query.since;
    if (!(await rewindSubscription(app.db, request.params.id, ownerScope(request), since))) throw notFound('Subscription not found');
    app.relay.deliverer.kick(true);
    return reply.code(202).send({ replaying: request.params.id, since });
  });
};

export default subscriptionRoutes;
