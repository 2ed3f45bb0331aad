import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { unixSeconds, type Clock } from '../shared/clock.js';
import { sendError, sendSuccess, tiktokErrors, type TikTokError } from './envelope.js';
import type { EndpointName } from './endpoints.js';
import { ordersOf, productsOf, statementsOf } from './fake-data.js';
import type { FaultState } from './faults.js';
import type { SimulatorState } from './state.js';
import { simulatedUploadLimits, uploadFile, uploadImage } from './uploads.js';
import { eventWebhookHandlers } from './event-webhooks.js';
import { verifyRequest, type VerifiedRequest } from './verify-request.js';

interface OpenApiDeps {
  appKey: string;
  appSecret: string;
  clock: Clock;
  state: SimulatorState;
  faults: FaultState;
}

export type Handler = (verified: VerifiedRequest, now: number, baseUrl: string) => { data: unknown } | { notFound: true } | { badBody: true } | { error: TikTokError };

/** Shop-scoped handlers always get a shop: verify-request enforces the cipher first. */
const handlers: Record<Exclude<EndpointName, keyof ReturnType<typeof eventWebhookHandlers>>, Handler> = {
  authorizedShops: ({ seller }) => ({
    data: {
      shops: seller.shops.map((shop) => ({
        id: shop.id,
        name: shop.name,
        region: shop.region,
        seller_type: seller.sellerType,
        cipher: shop.cipher,
        code: shop.code,
      })),
    },
  }),
  activeShops: ({ seller }) => ({ data: { shops: seller.shops.map((shop) => ({ id: shop.id, region: shop.region })) } }),
  searchOrders: ({ shop, rawBody }, now) => {
    if (!isJsonOrEmpty(rawBody)) return { badBody: true };
    const orders = shop === undefined ? [] : ordersOf(shop, now);
    return { data: { orders, total_count: orders.length, next_page_token: '' } };
  },
  orderDetail: ({ shop, query }, now) => {
    const ids = new Set((query.ids ?? '').split(',').filter((id) => id !== ''));
    const orders = (shop === undefined ? [] : ordersOf(shop, now)).filter((order) => ids.has(order.id));
    return { data: { orders } };
  },
  searchProducts: ({ shop, rawBody }, now) => {
    if (!isJsonOrEmpty(rawBody)) return { badBody: true };
    const products = (shop === undefined ? [] : productsOf(shop, now)).map(({ skus: _skus, ...summary }) => summary);
    return { data: { products, total_count: products.length, next_page_token: '' } };
  },
  productDetail: ({ shop, params }, now) => {
    const product = (shop === undefined ? [] : productsOf(shop, now)).find((candidate) => candidate.id === params.product_id);
    return product === undefined ? { notFound: true } : { data: product };
  },
  // Delete Products: a JSON body `{ product_ids }` (a DELETE with a body); ids the shop does not have come back in `errors`.
  deleteProducts: ({ shop, rawBody }, now) => {
    const ids = productIdsIn(rawBody);
    if (ids === undefined) return { badBody: true };
    const known = new Set((shop === undefined ? [] : productsOf(shop, now)).map((product) => product.id));
    const errors = ids
      .filter((id) => !known.has(id))
      .map((id) => ({ code: 12052004, message: 'The product does not exist in this shop (simulator).', detail: { product_id: id } }));
    return { data: { errors } };
  },
  statements: ({ shop }, now) => {
    const statements = shop === undefined ? [] : statementsOf(shop, now);
    return { data: { statements, next_page_token: '' } };
  },
  searchGlobalProducts: ({ rawBody }) => (isJsonOrEmpty(rawBody) ? { data: { global_products: [], total_count: 0, next_page_token: '' } } : { badBody: true }),
  uploadImage: ({ contentType, rawBytes }, _now, baseUrl) => uploadImage(contentType, rawBytes, baseUrl),
  uploadFile: ({ contentType, rawBytes }, _now, baseUrl) => uploadFile(contentType, rawBytes, baseUrl),
};

/** What express.raw may read: the largest upload TikTok takes, plus room for the multipart framing. */
const bodyLimitBytes = simulatedUploadLimits.fileBytes + 64 * 1024;

/** The open API host: every other path under the mount point, signed and token-authenticated. */
export function openApiRoutes(deps: OpenApiDeps): Router {
  const router = Router();
  const allHandlers: Record<EndpointName, Handler> = { ...handlers, ...eventWebhookHandlers(deps.state) };
  // The signature covers the body bytes as sent, so nothing may parse and re-serialize them first.
  router.use(express.raw({ type: () => true, limit: bodyLimitBytes }));
  router.use(function bodyTooLarge(error: unknown, _req: Request, res: Response, next: NextFunction) {
    if ((error as { type?: unknown } | null)?.type !== 'entity.too.large') return next(error);
    sendError(res, deps.clock, tiktokErrors.fileTooLarge);
  });
  router.use(verifyRequest(deps));
  router.use((req: Request, res: Response) => {
    const verified = res.locals.verified as VerifiedRequest;
    // Like TikTok: a body must be declared JSON (or multipart), whatever it looks like.
    if (verified.rawBody !== undefined && !/^(application\/json|multipart\/form-data)\b/i.test(req.get('content-type') ?? '')) {
      return sendError(res, deps.clock, tiktokErrors.invalidBody);
    }
    const baseUrl = `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
    const result = allHandlers[verified.endpoint.name](verified, unixSeconds(deps.clock.now()), baseUrl);
    if ('notFound' in result) return sendError(res, deps.clock, tiktokErrors.notFound);
    if ('badBody' in result) return sendError(res, deps.clock, tiktokErrors.invalidBody);
    if ('error' in result) return sendError(res, deps.clock, result.error);
    if (verified.endpoint.body === 'multipart') {
      deps.state.counters.uploads.total += 1;
      deps.state.counters.uploads.bytes += verified.rawBytes?.length ?? 0;
    }
    sendSuccess(res, deps.clock, result.data);
  });
  return router;
}

/** `product_ids` of a Delete Products body: a non-empty list of strings, or undefined for anything else. */
function productIdsIn(rawBody: string | undefined): string[] | undefined {
  if (rawBody === undefined) return undefined;
  try {
    const ids = (JSON.parse(rawBody) as { product_ids?: unknown } | null)?.product_ids;
    return Array.isArray(ids) && ids.length > 0 && ids.every((id) => typeof id === 'string') ? ids : undefined;
  } catch {
    return undefined;
  }
}

function isJsonOrEmpty(rawBody: string | undefined): boolean {
  if (rawBody === undefined) return true;
  try {
    JSON.parse(rawBody);
    return true;
  } catch {
    return false;
  }
}
