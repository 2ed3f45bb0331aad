import { z } from 'zod';
import { reservedForCallers } from '../../tiktok/index.js';
import { defineEndpoint, type Endpoint } from '../endpoint.js';
import { apiKeyGuard } from '../middleware/api-key.js';
import { requireJsonBody } from '../middleware/parse-bodies.js';
import { limitRate } from '../middleware/rate-limit.js';
import type { V1Deps } from './v1-deps.js';
import { apiKeyErrors, errorBodySchema, jsonBodyErrors, shopAppQuery, shopCallContext, shopParams } from './v1-schemas.js';

const queryValue = z.union([z.string(), z.number(), z.boolean()]);
const signQuery = z.record(z.string(), z.union([queryValue, z.array(queryValue)])).superRefine((query, ctx) => {
  for (const name of Object.keys(query)) {
    if (reservedForCallers(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'leave it out: app_key, timestamp and sign are added by the service, the token goes in a header, and the API version is in the path' });
    }
  }
});
const tiktokPath = 'must be a TikTok API path such as /order/202309/orders/search (letters, digits, _ - . ~ and /)';
const signBody = z
  .object({
    method: z.string().regex(/^(get|post|put|delete|patch)$/i, 'must be GET, POST, PUT, DELETE or PATCH'),
    path: z
      .string()
      .min(2, tiktokPath)
      .max(512)
      .regex(/^\/[A-Za-z0-9_\-./~]*$/, tiktokPath)
      .refine((path) => !path.split('/').some((segment) => segment === '.' || segment === '..'), 'must not contain . or .. segments'),
    query: signQuery.optional(),
    body: z.json().optional().describe('A JSON value (serialized once), or the exact string to send; leave it out for multipart/form-data'),
    contentType: z
      .string()
      .max(200)
      .regex(/^(application\/json|multipart\/form-data)\s*(;.*)?$/i, 'must be application/json or multipart/form-data (with its boundary)')
      .optional()
      .describe(
        'Default application/json. For an upload, the exact multipart/form-data Content-Type you will send (boundary included): the signature then leaves the body out, as TikTok signs uploads, and no body may be given',
      ),
  })
  .strict();

const shopErrors = {
  ...apiKeyErrors,
  404: { description: 'shop_not_found or app_not_found', schema: errorBodySchema },
  409: { description: 'connection_needs_reauth, connection_expired, connection_suspended or connection_revoked; shop_ambiguous (several apps: add ?app=)', schema: errorBodySchema },
} as const;

/** `GET /v1/shops/:shopId/token` (the hot path) and `POST /v1/shops/:shopId/sign`. */
export function shopEndpoints(deps: V1Deps): Endpoint[] {
  const guard = apiKeyGuard(deps.verifier);
  const rateLimit = limitRate(deps.rateLimits);
  return [
    defineEndpoint({
      method: 'get',
      path: '/v1/shops/:shopId/token',
      summary: "A usable access token for the shop (refreshed first when due); never the refresh token",
      tag: 'shops',
      auth: 'api-key',
      audited: true,
      scope: 'tokens:read',
      request: { params: shopParams, query: shopAppQuery },
      responses: {
        200: {
          description: 'The token',
          schema: z.object({
            shopId: z.string(),
            shopCipher: z.string(),
            accessToken: z.string(),
            expiresAt: z.iso.datetime(),
            grantedScopes: z.array(z.string()).nullable().describe('The scopes the seller granted, as TikTok last listed them; null when TikTok never listed them (scopes unknown, not none: calls are not refused for scopes then).'),
          }),
        },
        ...shopErrors,
      },
      middleware: [guard.requireApiKey('tokens:read'), rateLimit, guard.requireShopAccess],
      handler: ({ params, query }, req, res) => {
        res.setHeader('Cache-Control', 'no-store');
        return deps.shopCalls.readToken(shopCallContext(req, query.app), params.shopId);
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/v1/shops/:shopId/sign',
      summary: 'Sign a TikTok Shop API request for the shop',
      tag: 'shops',
      auth: 'api-key',
      audited: true,
      scope: 'sign',
      request: { params: shopParams, query: shopAppQuery, body: signBody },
      responses: {
        200: {
          description: 'Send exactly this: the URL (its query is `query`), these headers and this body string',
          schema: z.object({
            url: z.string(),
            query: z.record(z.string(), z.string()).describe('app_key, timestamp, shop_cipher, sign and your parameters'),
            headers: z.record(z.string(), z.string()).describe('x-tts-access-token, and content-type (application/json on every call, or your multipart/form-data type)'),
            body: z.string().optional().describe('The exact string that was signed'),
          }),
        },
        ...jsonBodyErrors,
        400: { description: 'validation_failed (the hint names the field) or malformed_json', schema: errorBodySchema },
        ...shopErrors,
      },
      middleware: [guard.requireApiKey('sign'), rateLimit, guard.requireShopAccess, requireJsonBody],
      handler: ({ params, body, query }, req, res) => {
        res.setHeader('Cache-Control', 'no-store');
        return deps.shopCalls.sign(shopCallContext(req, query.app), params.shopId, {
          method: body.method,
          path: body.path,
          ...(body.query ? { query: body.query } : {}),
          ...(body.body === undefined ? {} : { body: body.body as string }),
          ...(body.contentType === undefined ? {} : { contentType: body.contentType }),
        });
      },
    }),
  ];
}
