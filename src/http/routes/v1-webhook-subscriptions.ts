import { z } from 'zod';
import { deliveryStatuses, subscriptionStatuses, type Delivery, type Subscription } from '../../webhooks/model.js';
import type { Caller, Subscriptions } from '../../webhooks/subscriptions.js';
import type { Request } from 'express';
import { defineEndpoint, type Endpoint } from '../endpoint.js';
import { apiKeyGuard } from '../middleware/api-key.js';
import { limitRate } from '../middleware/rate-limit.js';
import type { V1Deps } from './v1-deps.js';
import { apiKeyErrors, errorBodySchema, noQuery } from './v1-schemas.js';

const scope = 'webhooks:manage';
const idParams = z.object({ id: z.string().regex(/^whsub_[0-9a-f]{24}$/, 'a subscription id (whsub_…)') }).strict();
const shopIds = z.array(z.string().regex(/^\d{1,30}$/, 'a TikTok shop id')).min(1).max(1000);
const apps = z.array(z.string().min(1).max(64)).min(1).max(50);
const events = z.array(z.string().min(1).max(100)).min(1).max(100)
  .describe('event types (`tiktok.order_status_change`, `connection.needs_reauth`) or patterns: `connection.*`, `tiktok.*`, `*`');

const createBody = z.object({
  url: z.string().min(1).max(2048).describe('https in production; private and loopback addresses are refused there unless allow-listed'),
  events,
  shopIds: shopIds.optional().describe('only events of these shops (default: every shop the key may use)'),
  apps: apps.optional().describe('only events of these TikTok apps (default: every app)'),
}).strict();
const updateBody = z.object({
  url: z.string().min(1).max(2048).optional(),
  events: events.optional(),
  shopIds: shopIds.nullable().optional(),
  apps: apps.nullable().optional(),
  status: z.enum(subscriptionStatuses).optional().describe('`paused` stops deliveries (they wait); `active` resumes them'),
}).strict();
const replayBody = z.union([
  z.object({ deliveryId: z.string().regex(/^\d{1,18}$/, 'a delivery id') }).strict(),
  z.object({ deadLetters: z.literal(true) }).strict(),
  z.object({ since: z.iso.datetime() }).strict(),
]).describe('one delivery, every dead letter, or every event delivered (or not) since a time');
const deliveriesQuery = z.object({
  status: z.enum(deliveryStatuses).optional(),
  before: z.string().regex(/^\d{1,18}$/, 'a nextCursor from an earlier answer').optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
}).strict();

const subscriptionSchema = z.object({
  id: z.string(), url: z.string(), events: z.array(z.string()), shopIds: z.array(z.string()).nullable(), apps: z.array(z.string()).nullable(),
  status: z.enum(subscriptionStatuses), pausedReason: z.string().nullable(), failingSince: z.string().nullable(),
  previousSecretExpiresAt: z.string().nullable(), createdAt: z.string(), updatedAt: z.string(),
});
const attemptSchema = z.object({
  attemptedAt: z.string(), statusCode: z.number().int().nullable(), latencyMs: z.number().int(), outcome: z.enum(['delivered', 'retry', 'dead']),
  error: z.string().nullable(), responseSnippet: z.string().nullable(),
});
const deliverySchema = z.object({
  id: z.string(), eventId: z.string(), eventType: z.string(), connectionId: z.string().nullable(), status: z.enum(deliveryStatuses),
  attempts: z.number().int(), nextAttemptAt: z.string().nullable(), lastError: z.string().nullable(), replayOf: z.string().nullable(),
  createdAt: z.string(), finishedAt: z.string().nullable(), attemptLog: z.array(attemptSchema),
});

const iso = (date: Date | null) => (date ? date.toISOString() : null);

export function subscriptionView(subscription: Subscription) {
  return {
    id: subscription.id, url: subscription.url, events: subscription.events, shopIds: subscription.shopIds, apps: subscription.apps,
    status: subscription.status, pausedReason: subscription.pausedReason, failingSince: iso(subscription.failingSince),
    previousSecretExpiresAt: iso(subscription.previousSecretExpiresAt), createdAt: subscription.createdAt.toISOString(), updatedAt: subscription.updatedAt.toISOString(),
  };
}

export function deliveryView(delivery: Delivery) {
  return {
    id: delivery.id, eventId: delivery.eventId, eventType: delivery.eventType, connectionId: delivery.connectionId, status: delivery.status,
    attempts: delivery.attempts, nextAttemptAt: iso(delivery.nextAttemptAt), lastError: delivery.lastError, replayOf: delivery.replayOf,
    createdAt: delivery.createdAt.toISOString(), finishedAt: iso(delivery.finishedAt),
    attemptLog: delivery.attemptLog.map((attempt) => ({ ...attempt, attemptedAt: attempt.attemptedAt.toISOString() })),
  };
}

function caller(req: Request): Caller {
  const client = req.apiClient!;
  return { kind: 'api-client', apiClientId: client.id, requestId: req.id, ...(client.shopIds ? { shopIds: client.shopIds } : {}) };
}

/**
 * `/v1/webhook-subscriptions`: internal apps subscribe to TikTok's webhooks and connection events,
 * pushed signed per Standard Webhooks, retried, dead-lettered and replayable. A key sees only the
 * subscriptions it made. Scope `webhooks:manage`.
 */
export function webhookSubscriptionEndpoints(deps: V1Deps & { webhookSubscriptions: Subscriptions }): Endpoint[] {
  const guard = apiKeyGuard(deps.verifier);
  const middleware = [guard.requireApiKey(scope), limitRate(deps.rateLimits)];
  const subscriptions = deps.webhookSubscriptions;
  const common = { tag: 'webhooks', auth: 'api-key' as const, scope, middleware };
  const notFound = { 404: { description: 'webhook_subscription_not_found', schema: errorBodySchema } };
  return [
    defineEndpoint({
      ...common, method: 'post', path: '/v1/webhook-subscriptions', summary: 'Subscribe a URL to events (the signing secret is answered once)',
      audited: true, status: 201, request: { query: noQuery, body: createBody },
      responses: {
        201: { description: 'Created', schema: subscriptionSchema.extend({ secret: z.string().describe('whsec_…: verify signatures with it; shown once') }) },
        400: { description: 'validation_failed or webhook_url_refused', schema: errorBodySchema }, ...apiKeyErrors,
      },
      handler: async ({ body }, req) => {
        const { subscription, secret } = await subscriptions.create(caller(req), {
          url: body.url, events: body.events, ...(body.shopIds ? { shopIds: body.shopIds } : {}), ...(body.apps ? { apps: body.apps } : {}),
        });
        return { ...subscriptionView(subscription), secret };
      },
    }),
    defineEndpoint({
      ...common, method: 'get', path: '/v1/webhook-subscriptions', summary: "This key's webhook subscriptions", audited: false,
      request: { query: noQuery },
      responses: { 200: { description: 'Subscriptions', schema: z.object({ subscriptions: z.array(subscriptionSchema) }) }, ...apiKeyErrors },
      handler: async (_input, req) => ({ subscriptions: (await subscriptions.list(caller(req))).map(subscriptionView) }),
    }),
    defineEndpoint({
      ...common, method: 'get', path: '/v1/webhook-subscriptions/:id', summary: 'One webhook subscription', audited: false,
      request: { params: idParams, query: noQuery },
      responses: { 200: { description: 'The subscription', schema: subscriptionSchema }, ...notFound, ...apiKeyErrors },
      handler: async ({ params }, req) => subscriptionView(await subscriptions.get(caller(req), params.id)),
    }),
    defineEndpoint({
      ...common, method: 'patch', path: '/v1/webhook-subscriptions/:id', summary: 'Change a subscription: URL, events, shops, apps; pause or resume it',
      audited: true, request: { params: idParams, query: noQuery, body: updateBody },
      responses: { 200: { description: 'The subscription', schema: subscriptionSchema }, 400: { description: 'validation_failed or webhook_url_refused', schema: errorBodySchema }, ...notFound, ...apiKeyErrors },
      handler: async ({ params, body }, req) => {
        const changes = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
        return subscriptionView(await subscriptions.update(caller(req), params.id, changes));
      },
    }),
    defineEndpoint({
      ...common, method: 'post', path: '/v1/webhook-subscriptions/:id/rotate-secret', summary: 'New signing secret; the old one keeps signing for 24 h',
      audited: true, request: { params: idParams, query: noQuery },
      responses: {
        200: { description: 'The new secret (shown once)', schema: z.object({ id: z.string(), secret: z.string(), previousSecretExpiresAt: z.string() }) },
        ...notFound, ...apiKeyErrors,
      },
      handler: async ({ params }, req) => {
        const rotated = await subscriptions.rotateSecret(caller(req), params.id);
        return { id: rotated.subscription.id, secret: rotated.secret, previousSecretExpiresAt: rotated.previousSecretExpiresAt.toISOString() };
      },
    }),
    defineEndpoint({
      ...common, method: 'delete', path: '/v1/webhook-subscriptions/:id', summary: 'Delete a subscription and its deliveries', audited: true,
      request: { params: idParams, query: noQuery },
      responses: { 204: { description: 'Deleted' }, ...notFound, ...apiKeyErrors },
      handler: async ({ params }, req, res) => {
        await subscriptions.delete(caller(req), params.id);
        res.status(204).end();
      },
    }),
    defineEndpoint({
      ...common, method: 'get', path: '/v1/webhook-subscriptions/:id/deliveries', summary: 'Deliveries, newest first, each with every attempt',
      audited: false, request: { params: idParams, query: deliveriesQuery },
      responses: {
        200: { description: 'Deliveries, and the cursor to page on', schema: z.object({ deliveries: z.array(deliverySchema), nextCursor: z.string().nullable() }) },
        ...notFound, ...apiKeyErrors,
      },
      handler: async ({ params, query }, req) => {
        const deliveries = await subscriptions.deliveries(caller(req), params.id, {
          limit: query.limit, ...(query.status ? { status: query.status } : {}), ...(query.before ? { before: query.before } : {}),
        });
        return { deliveries: deliveries.map(deliveryView), nextCursor: deliveries.length === query.limit ? deliveries.at(-1)!.id : null };
      },
    }),
    defineEndpoint({
      ...common, method: 'post', path: '/v1/webhook-subscriptions/:id/replay', summary: 'Send again: one delivery, every dead letter, or everything since a time',
      audited: true, status: 202, request: { params: idParams, query: noQuery, body: replayBody },
      responses: {
        202: { description: 'Queued: the new deliveries', schema: z.object({ replayed: z.array(z.string()) }) },
        404: { description: 'webhook_subscription_not_found or webhook_delivery_not_found', schema: errorBodySchema }, ...apiKeyErrors,
      },
      handler: async ({ params, body }, req) => {
        const target = 'deliveryId' in body ? { deliveryId: body.deliveryId } : 'since' in body ? { since: new Date(body.since) } : { deadLetters: true as const };
        return { replayed: await subscriptions.replay(caller(req), params.id, target) };
      },
    }),
  ];
}
