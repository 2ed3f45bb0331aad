import { z } from 'zod';
import { defineEndpoint, type Endpoint } from '../endpoint.js';
import { apiKeyGuard } from '../middleware/api-key.js';
import { requireJsonBody } from '../middleware/parse-bodies.js';
import { limitRate } from '../middleware/rate-limit.js';
import type { V1Deps } from './v1-deps.js';
import { apiKeyErrors, appId, errorBodySchema, jsonBodyErrors, noQuery } from './v1-schemas.js';

const body = z
  .object({
    merchantRef: z.string().trim().min(1).max(200).describe("The merchant in the calling app's terms"),
    returnUrl: z.url({ protocol: /^https?$/ }).optional().describe('Where to send the merchant afterwards; origin must be allow-listed'),
    app: appId.optional().describe('The TikTok Shop app to connect with (npm run cli -- apps list)'),
    market: z.enum(['us', 'global']).optional()
      .describe('Or the market: `us` (US Partner Center app) or `global`. With neither and apps of several markets, the merchant chooses on the connect page'),
  })
  .strict();

/** `POST /v1/connect-sessions`: a single-use link to send a merchant to. */
export function connectSessionEndpoints(deps: V1Deps): Endpoint[] {
  const guard = apiKeyGuard(deps.verifier);
  return [
    defineEndpoint({
      method: 'post',
      path: '/v1/connect-sessions',
      summary: 'Create a connect link for a merchant',
      tag: 'connections',
      auth: 'api-key',
      audited: true,
      scope: 'connect',
      status: 201,
      request: { query: noQuery, body },
      responses: {
        201: {
          description: 'The link to send the merchant to',
          schema: z.object({
            id: z.string(), url: z.url(), expiresAt: z.iso.datetime(),
            app: z.string().nullable().describe('The TikTok Shop app; null: the merchant chooses their market on the page'),
          }),
        },
        ...jsonBodyErrors,
        400: { description: 'validation_failed, malformed_json or return_url_not_allowed', schema: errorBodySchema },
        404: { description: 'app_not_found: no configured app has this id, or serves this market', schema: errorBodySchema },
        ...apiKeyErrors,
      },
      middleware: [guard.requireApiKey('connect'), limitRate(deps.rateLimits), requireJsonBody],
      handler: async ({ body: input }, req) => {
        const session = await deps.connectSessions.create(
          {
            merchantRef: input.merchantRef, ...(input.returnUrl ? { returnUrl: input.returnUrl } : {}), apiClientId: req.apiClient!.id,
            ...(input.app ? { app: input.app } : {}), ...(input.market ? { market: input.market } : {}),
            ...(req.apiClient!.apps ? { allowedApps: req.apiClient!.apps } : {}),
          },
          { requestId: req.id },
        );
        return { id: session.id, url: session.url, expiresAt: session.expiresAt.toISOString(), app: session.app };
      },
    }),
  ];
}
