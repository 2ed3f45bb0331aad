import type { Request } from 'express';
import type { CallContext } from '../../apps/ports.js';
import { z } from 'zod';
import { connectionStatuses } from '../../connections/lifecycle/index.js';
import { shopIdPattern } from '../../tiktok/index.js';

/** Shapes shared by the /v1 endpoints (request validation and the OpenAPI description). */
export const shopParams = z.object({ shopId: z.string().regex(shopIdPattern, 'a TikTok shop id') }).strict();
export const noQuery = z.object({}).strict();
/** A TikTok Shop app's id in the configuration (`default`, `us`, …). */
export const appId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a TikTok Shop app id (npm run cli -- apps list)');
/** `?app=`: which app's connection of a shop connected through several apps (#13); else 409 shop_ambiguous. */
export const shopAppQuery = z
  .object({ app: appId.optional().describe('The TikTok Shop app whose connection of the shop to use; needed when the shop is connected through several apps') })
  .strict();

/** Who calls a shop use case, the app they named, and the apps their key reaches. */
export function shopCallContext(req: Request, app: string | undefined): CallContext {
  return { clientId: req.apiClient!.id, requestId: req.id, app, allowedApps: req.apiClient!.apps };
}

export const tiktokDetail = z.object({ code: z.number().int(), message: z.string(), requestId: z.string().optional() });

export const errorBodySchema = z
  .object({
    success: z.literal(false),
    error: z.string().describe('What went wrong, in plain words'),
    code: z.string().describe('Stable machine code, e.g. api_key_invalid, scope_missing'),
    hint: z.string().describe('What to do about it'),
    requestId: z.string(),
    tiktok: tiktokDetail.optional().describe("What TikTok said, when it said something"),
  });

export const connectionStatus = z.enum(connectionStatuses);

export const connectionSchema = z
  .object({
    id: z.string(),
    app: z.string().describe('The TikTok Shop app (configuration id) the seller authorized; `default` for TIKTOK_APP_KEY'),
    merchantRef: z.string().nullable(),
    sellerName: z.string(),
    status: connectionStatus,
    statusReason: z.string().nullable(),
    grantedScopes: z.array(z.string()).nullable().describe('The scopes the seller granted, as TikTok last listed them; null when TikTok never listed them (scopes unknown, not none: calls are not refused for scopes then).'),
    accessTokenExpiresAt: z.iso.datetime(),
    authorizationExpiresAt: z.iso.datetime().describe('When the seller authorization (refresh token) runs out'),
    shops: z.array(z.object({ id: z.string(), cipher: z.string(), name: z.string(), region: z.string() })),
    problems: z.array(
      z.object({
        kind: z.string(),
        apiPath: z.string(),
        scopeKeys: z.array(z.string()),
        scopeNames: z.array(z.string()),
        message: z.string(),
        remedy: z.string(),
        tiktok: z.object({ code: z.number(), message: z.string() }).nullable(),
        occurrences: z.number().int(),
        firstSeenAt: z.iso.datetime(),
        lastSeenAt: z.iso.datetime(),
      }),
    ),
    statusPageUrl: z.string().nullable().describe('Signed link to the merchant status page'),
  });

/** The refusals of a JSON body itself, on the routes that take one (a route's own 400 may say more). */
export const jsonBodyErrors = {
  400: { description: 'malformed_json (the body is not valid JSON) or validation_failed', schema: errorBodySchema },
  413: { description: 'payload_too_large (over 1 MB)', schema: errorBodySchema },
  415: { description: 'unsupported_media_type: a body that is not Content-Type: application/json', schema: errorBodySchema },
} as const;

/** The error answers every API-key route can give. */
export const apiKeyErrors = {
  401: { description: 'api_key_missing, api_key_malformed or api_key_invalid', schema: errorBodySchema },
  403: { description: 'scope_forbidden (or shop_forbidden on shop routes)', schema: errorBodySchema },
  429: {
    description: 'rate_limited (per minute), quota_exhausted (per UTC day) or, on shop routes, tiktok_rate_limited; every 429 carries Retry-After and X-RateLimit-*',
    schema: errorBodySchema,
  },
} as const;
