import { z } from 'zod';
import { connectionEventSchemas, connectionEventTypes, tiktokRelaySchema } from '../../connections/lifecycle/index.js';
import { defineEndpoint, type Endpoint } from '../endpoint.js';
import { apiKeyGuard } from '../middleware/api-key.js';
import { limitRate } from '../middleware/rate-limit.js';
import type { V1Deps } from './v1-deps.js';
import { apiKeyErrors, errorBodySchema } from './v1-schemas.js';

const eventsQuery = z
  .object({
    after: z.string().regex(/^\d{1,18}$/, 'a nextCursor from an earlier answer').optional().describe('nextCursor of the previous answer; leave out to start at the beginning'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/** One schema per connection event type, told apart by `type` (connections/lifecycle/events.ts), and the relayed TikTok webhooks. */
/** The TikTok Shop app the event is about (#13): the connection's, or the app a relayed webhook came to. */
const appOfEvent = z.string().nullable().describe("The TikTok Shop app (configuration id) of the event's connection");
const connectionEventSchema = z.discriminatedUnion(
  'type',
  connectionEventTypes.map((type) =>
    z.object({
      id: z.string(),
      type: z.literal(type),
      connectionId: z.string().nullable(),
      app: appOfEvent,
      payload: connectionEventSchemas[type],
      createdAt: z.string(),
    }).describe(connectionEventSchemas[type].description ?? type),
  ) as unknown as [z.ZodObject, z.ZodObject, ...z.ZodObject[]],
);
export const tiktokRelayEventSchema = z.object({
  id: z.string(),
  app: appOfEvent.optional(),
  type: z.string().regex(/^tiktok\.[a-z0-9_]+$/).describe('`tiktok.<name>` from TikTok\'s type number (`tiktok.type_<n>` for types not in the catalog)'),
  connectionId: z.string().nullable(),
  payload: tiktokRelaySchema,
  createdAt: z.string(),
}).describe(tiktokRelaySchema.description ?? 'tiktok');
export const eventSchema = z.union([connectionEventSchema, tiktokRelayEventSchema]);

/**
 * What a subscriber receives, by event type (OpenAPI's `webhooks`): each push body is the same object
 * `GET /v1/events` lists, with the same id (also the `webhook-id` header).
 */
export function pushedEventSchemas(): Record<string, z.ZodType> {
  const schemas: Record<string, z.ZodType> = {};
  for (const type of connectionEventTypes) {
    schemas[type] = z.object({ id: z.string(), type: z.literal(type), connectionId: z.string().nullable(), app: appOfEvent, payload: connectionEventSchemas[type], createdAt: z.string() })
      .describe(connectionEventSchemas[type].description ?? type);
  }
  schemas['tiktok.*'] = tiktokRelayEventSchema;
  return schemas;
}

/**
 * `GET /v1/events`: the outbox as a feed each app reads at its own pace: connections created or
 * re-authorized, needing re-authorization, expiring, expired, suspended, revoked. Poll with the
 * returned `nextCursor` (the last event's id); nothing is consumed, so any number of apps can follow it.
 * Events come in the order pushes go out, which is not always id order (db/stores/outbox-order.ts).
 */
export function eventEndpoints(deps: V1Deps): Endpoint[] {
  const guard = apiKeyGuard(deps.verifier);
  return [
    defineEndpoint({
      method: 'get',
      path: '/v1/events',
      summary: 'Connection events after a cursor, in the order subscribers get them',
      tag: 'connections',
      auth: 'api-key',
      audited: false,
      scope: 'connections:read',
      request: { query: eventsQuery },
      responses: {
        200: { description: 'Events, and the cursor to continue from', schema: z.object({ events: z.array(eventSchema), nextCursor: z.string() }) },
        400: { description: 'validation_failed', schema: errorBodySchema },
        ...apiKeyErrors,
      },
      middleware: [guard.requireApiKey('connections:read'), limitRate(deps.rateLimits)],
      handler: async ({ query }, req) => {
        const after = query.after ?? '0';
        const events = await deps.events.after({ after: BigInt(after), limit: query.limit, shopIds: req.apiClient!.shopIds, apps: req.apiClient!.apps });
        return {
          events: events.map((event) => ({ ...event, createdAt: event.createdAt.toISOString() })),
          nextCursor: events.at(-1)?.id ?? after,
        };
      },
    }),
  ];
}
