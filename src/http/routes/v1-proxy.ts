import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { MethodNotAllowed } from '../../shared/errors.js';
import { reservedForCallers } from '../../tiktok/index.js';
import { defineEndpoint, type Endpoint, type HttpMethod } from '../endpoint.js';
import { apiKeyGuard } from '../middleware/api-key.js';
import { refuseBody, requireJsonBody, requireJsonOrMultipartBody } from '../middleware/parse-bodies.js';
import { limitRate } from '../middleware/rate-limit.js';
import type { V1Deps } from './v1-deps.js';
import { forwardUpload } from './v1-upload.js';
import { apiKeyErrors, appId, errorBodySchema, jsonBodyErrors, shopCallContext, shopParams } from './v1-schemas.js';
import { ValidationFailed } from '../../shared/errors.js';

/** Set by the JSON parser on proxy requests: the body bytes as the caller sent them, forwarded unchanged. */
const rawBody = Symbol('rawBody');
type WithRawBody = IncomingMessage & { [rawBody]?: string };

/** `express.json({ verify })` hook: keeps the exact JSON text of proxy calls (numbers stay as written). */
export function keepRawProxyBody(req: IncomingMessage, _res: unknown, buffer: Buffer): void {
  if (req.url?.includes('/proxy/')) (req as WithRawBody)[rawBody] = buffer.toString('utf8');
}

const params = shopParams.extend({ path: z.array(z.string().min(1)).min(1) }).strict();
const query = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

const uploadBodyErrors = {
  ...jsonBodyErrors,
  413: { description: 'payload_too_large: a JSON body over 1 MB, or an upload over its limit (images 5 MB, files 20 MB by default)', schema: errorBodySchema },
  415: { description: 'unsupported_media_type: a body that is neither application/json nor multipart/form-data', schema: errorBodySchema },
};

/** Methods whose JSON body is forwarded (TikTok's DELETE endpoints, such as Delete Products, take one too). */
const takesBody = (method: HttpMethod): boolean => method !== 'get';

const proxyMethods = ['GET', 'POST', 'PUT', 'DELETE'];

/**
 * Express answers HEAD with the GET route (and drops the body), which would make a real GET call to
 * TikTok for a request that wants no answer. TikTok has no HEAD, so the proxy refuses it: 405 with
 * `Allow` (the JSON error body is dropped by HTTP for HEAD; its headers remain).
 */
function refuseHead(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'HEAD') return next();
  res.setHeader('Allow', proxyMethods.join(', '));
  next(new MethodNotAllowed('HEAD is not proxied (TikTok has no HEAD); use GET.', proxyMethods));
}

/** `GET|POST|PUT|DELETE /v1/shops/:shopId/proxy/<TikTok path>`: the call, signed and sent for you. */
export function proxyEndpoints(deps: V1Deps): Endpoint[] {
  const guard = apiKeyGuard(deps.verifier);
  const middleware = [guard.requireApiKey('proxy'), limitRate(deps.rateLimits), guard.requireShopAccess];
  const bodyMiddleware = [...middleware, requireJsonBody];
  const postMiddleware = [...middleware, requireJsonOrMultipartBody];
  const noBodyMiddleware = [refuseHead, ...middleware, refuseBody];
  return (['get', 'post', 'put', 'delete'] as HttpMethod[]).map((method) =>
    defineEndpoint({
      method,
      path: '/v1/shops/:shopId/proxy/*path',
      summary: `${method.toUpperCase()} a TikTok Shop API path for the shop, signed with its cipher and token`,
      tag: 'shops',
      auth: 'api-key',
      audited: true,
      scope: 'proxy',
      request: {
        params,
        query,
        ...(takesBody(method)
          ? {
              body: z
                .json()
                .optional()
                .describe(
                  method === 'post'
                    ? 'Forwarded byte for byte: JSON (Content-Type: application/json), or an upload (Content-Type: multipart/form-data; boundary=…) streamed with the same boundary and signed without the body; images up to 5 MB, other files up to 20 MB by default (413 beyond)'
                    : 'Forwarded byte for byte (Content-Type: application/json)',
                ),
            }
          : {}),
      },
      responses: {
        200: { description: "TikTok's JSON envelope; its request id is in X-TikTok-Request-Id, and Server-Timing gives `db`, `tiktok`, `wait` (either; they overlap for GET) and `total` durations", schema: z.object({ code: z.number(), message: z.string(), request_id: z.string().optional(), data: z.unknown() }) },
        403: { description: 'scope_missing (TikTok 105005, or a scope the grant lacks), scope_forbidden or shop_forbidden', schema: errorBodySchema },
        404: { description: 'shop_not_found, app_not_found, or tiktok_path_not_found: TikTok has no API at this path (TikTok 36009009)', schema: errorBodySchema },
        405: { description: method === 'get' ? 'tiktok_method_not_allowed: TikTok does not take this method here (TikTok 36009010); method_not_allowed for HEAD (never proxied)' : 'tiktok_method_not_allowed: TikTok does not take this method here (TikTok 36009010)', schema: errorBodySchema },
        409: { description: 'the connection cannot be used (needs_reauth, expired, suspended, revoked), or shop_ambiguous (several apps: add ?app=, which is not forwarded)', schema: errorBodySchema },
        502: { description: 'TikTok rejected the call (tiktok_request_rejected …); see tiktok.code', schema: errorBodySchema },
        401: apiKeyErrors[401],
        429: apiKeyErrors[429],
        ...(method === 'post' ? uploadBodyErrors : takesBody(method) ? jsonBodyErrors : { 400: { description: 'validation_failed: a GET sent with a body (it would not reach TikTok)', schema: errorBodySchema } }),
      },
      ...(method === 'post'
        ? { multipart: 'An upload (e.g. Upload Product Image): forwarded byte for byte with your boundary as it streams in, signed without the body; images up to TIKTOK_UPLOAD_IMAGE_MAX_MB, other files up to TIKTOK_UPLOAD_FILE_MAX_MB (413 beyond)' }
        : {}),
      middleware: method === 'post' ? postMiddleware : takesBody(method) ? bodyMiddleware : noBodyMiddleware,
      handler: async ({ params: input, query: callerQuery }, req, res) => {
        // `app` (#13) picks the connection of a shop connected through several apps; it is not TikTok's.
        const { app, ...tiktokQuery } = callerQuery;
        if (app !== undefined && (typeof app !== 'string' || !appId.safeParse(app).success)) {
          throw new ValidationFailed('query.app must be one TikTok Shop app id.', [{ path: 'query.app', message: 'a TikTok Shop app id' }]);
        }
        const context = shopCallContext(req, app);
        const forwarded = Object.fromEntries(Object.entries(tiktokQuery).filter(([name]) => !reservedForCallers(name)));
        if (method === 'post' && req.is('multipart/form-data')) {
          const path = `/${input.path.join('/')}`;
          const uploaded = await forwardUpload(deps.shopCalls, deps.uploadLimits, req, { shopId: input.shopId, path, query: forwarded, context });
          if (uploaded.requestId) res.setHeader('X-TikTok-Request-Id', uploaded.requestId);
          res.setHeader('Server-Timing', `db;dur=${uploaded.credentialsMs.toFixed(2)}, tiktok;dur=${uploaded.tiktokMs.toFixed(2)}, total;dur=${(performance.now() - req.receivedAt).toFixed(2)}`);
          res.status(uploaded.status).type('application/json').send(uploaded.text);
          return undefined;
        }
        const body = (req as unknown as WithRawBody)[rawBody];
        const result = await deps.shopCalls.proxy(context, input.shopId, {
          method,
          path: `/${input.path.join('/')}`,
          query: forwarded,
          ...(body !== undefined && body !== '' && takesBody(method) ? { body } : {}),
        });
        if (result.requestId) res.setHeader('X-TikTok-Request-Id', result.requestId);
        // How long the credential read and TikTok took, how long the request waited for either (they
        // overlap for a GET), and the whole request so far: total − wait is this service's own share.
        const total = performance.now() - req.receivedAt;
        res.setHeader(
          'Server-Timing',
          `db;dur=${result.credentialsMs.toFixed(2)}, tiktok;dur=${result.tiktokMs.toFixed(2)}, wait;dur=${result.waitedMs.toFixed(2)}, total;dur=${total.toFixed(2)}`,
        );
        // TikTok's bytes as they came: re-serializing would round ids past 2^53.
        res.status(result.status).type('application/json').send(result.text);
        return undefined;
      },
    }),
  );
}
