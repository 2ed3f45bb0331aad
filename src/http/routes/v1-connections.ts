import { z } from 'zod';
import { defineEndpoint, type Endpoint } from '../endpoint.js';
import { apiKeyGuard } from '../middleware/api-key.js';
import { limitRate } from '../middleware/rate-limit.js';
import type { V1Deps } from './v1-deps.js';
import { apiKeyErrors, appId, connectionSchema, connectionStatus, errorBodySchema, noQuery } from './v1-schemas.js';

const listQuery = z
  .object({
    merchantRef: z.string().min(1).max(200).optional(),
    status: connectionStatus.optional(),
    app: appId.optional().describe('Only connections of this TikTok Shop app'),
    cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();

/** `GET /v1/connections` and `GET /v1/connections/:id`: status, shops and open problems, never tokens. */
export function connectionEndpoints(deps: V1Deps): Endpoint[] {
  const guard = apiKeyGuard(deps.verifier);
  const middleware = [guard.requireApiKey('connections:read'), limitRate(deps.rateLimits)];
  return [
    defineEndpoint({
      method: 'get',
      path: '/v1/connections',
      summary: 'List connections (seller authorizations)',
      tag: 'connections',
      auth: 'api-key',
      audited: false,
      scope: 'connections:read',
      request: { query: listQuery },
      responses: {
        200: { description: 'One page', schema: z.object({ connections: z.array(connectionSchema), nextCursor: z.string().nullable() }) },
        400: { description: 'validation_failed', schema: errorBodySchema },
        ...apiKeyErrors,
      },
      middleware,
      handler: ({ query }, req) => deps.connections.list({ ...query, shopIds: req.apiClient!.shopIds, apps: req.apiClient!.apps }),
    }),
    defineEndpoint({
      method: 'get',
      path: '/v1/connections/:id',
      summary: 'One connection',
      tag: 'connections',
      auth: 'api-key',
      audited: false,
      scope: 'connections:read',
      request: { params: z.object({ id: z.string().min(1).max(64) }).strict(), query: noQuery },
      responses: {
        200: { description: 'The connection', schema: connectionSchema },
        404: { description: 'connection_not_found', schema: errorBodySchema },
        ...apiKeyErrors,
      },
      middleware,
      handler: ({ params }, req) => deps.connections.get(params.id, { shopIds: req.apiClient!.shopIds, apps: req.apiClient!.apps }),
    }),
  ];
}
