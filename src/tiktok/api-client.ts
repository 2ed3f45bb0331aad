import { unixSeconds, type Clock } from '../shared/clock.js';
import { toShops, authorizedShopsPath, type Shop } from './authorized-shops.js';
import type { TikTokEnvelope } from './envelope.js';
import { fetchEnvelope, type FetchLike } from './fetch-envelope.js';
import { budgetKey, createOutboundLimiter, outboundKey, type OutboundBudget } from './outbound-limiter.js';
import { unlistedApi, type TikTokCallObserver } from './call-observer.js';
import { backoffDelay, isRetryable } from './retry.js';
import type { ScopeIndex } from './scopes.js';
import { isMultipart, prepareSignedRequest, type ApiRequest, type PreparedRequest } from './signed-request.js';

export interface ApiClientOptions {
  /** Connection reuse comes from the dispatcher behind this fetch (e.g. an undici Agent made in main.ts). */
  fetch: FetchLike;
  /** e.g. `https://open-api.tiktokglobalshop.com` */
  apiBaseUrl: string;
  appKey: string;
  appSecret: string;
  clock: Clock;
  /** The endpoint scope table: limiter keys by path template, and the scopes a 105005 names. */
  scopes: Pick<ScopeIndex, 'requiredScopesFor'>;
  /** Per attempt; default 15 000 ms. */
  timeoutMs?: number;
  /** Including the first; default 3. */
  maxAttempts?: number;
  /** Default 200 ms. */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Per API path and shop, in this process; default 50 (TikTok's documented limit). Not used with `budget`. */
  perShopRequestsPerSecond?: number;
  /**
   * TikTok's per (app, shop, API) limit shared by every replica: a call over it is refused with
   * `tiktok_rate_limited` before it is sent. Without one, calls wait in a per-process limiter.
   */
  budget?: OutboundBudget;
  /** The app the budget is keyed by (several TikTok apps: one client each); default `default`. */
  app?: string;
  /** Told about every attempt (metrics): endpoint template, TikTok's code, duration, attempt number. */
  observer?: TikTokCallObserver;
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: TikTokEnvelope<T>;
  /** The body exactly as TikTok sent it, for passing on unchanged. */
  text: string;
  requestId: string | undefined;
  headers: Record<string, string>;
}

export interface ApiClient {
  /** Builds and signs a request without sending it (fresh timestamp from the clock). */
  prepare(request: ApiRequest): PreparedRequest;
  /** Sends a request: throttled, signed per attempt, retried where safe; throws the mapped error when `code ≠ 0`. */
  call<T = unknown>(request: ApiRequest): Promise<ApiResponse<T>>;
  /**
   * Sends a `multipart/form-data` upload: `request.contentType` (with its boundary) goes out as given,
   * the body streams from `body` as it is read (never held whole), and the signature leaves it out.
   * One attempt only: a stream cannot be sent twice.
   */
  upload<T = unknown>(request: ApiRequest & { contentType: string }, body: AsyncIterable<Uint8Array>): Promise<ApiResponse<T>>;
  /** Get Authorized Shops (no shop cipher). */
  getAuthorizedShops(accessToken: string): Promise<Shop[]>;
}

/**
 * The signed open API client (v202309+). Retries 429/36009002 for every method, and network errors,
 * timeouts, 5xx, 36009003 and 36009007 only for GET, HEAD, PUT, DELETE and OPTIONS, with jittered
 * exponential backoff, up to `maxAttempts`. Each attempt takes from the shared `budget` (refused
 * past it) or, without one, waits in a per-process limiter keyed by shop cipher (or `app`) and API path.
 *
 * @example
 * const api = createApiClient({ fetch, apiBaseUrl: 'https://open-api.tiktokglobalshop.com', appKey, appSecret, clock: systemClock });
 * const { body } = await api.call({ method: 'POST', path: '/order/202309/orders/search',
 *   query: { page_size: 20 }, body: { order_status: 'AWAITING_SHIPMENT' }, accessToken, shopCipher });
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const timeoutMs = options.timeoutMs ?? 15_000;
  // An upload's time includes sending up to 20 MB from the caller: more room than a JSON call.
  const uploadTimeoutMs = Math.max(timeoutMs, 120_000);
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const baseDelayMs = options.baseDelayMs ?? 200;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const limiter = createOutboundLimiter({ requestsPerSecond: options.perShopRequestsPerSecond ?? 50, clock: options.clock, sleep });
  const app = options.app ?? 'default';
  /** Before every attempt: the shared budget (refuses) or, without one, the local limiter (waits). */
  const admit = (shopCipher: string | undefined, path: string, call: { method: string; apiPath: string }): Promise<void> =>
    options.budget ? options.budget.take(budgetKey(app, shopCipher, path), call) : limiter.acquire(outboundKey(shopCipher, path));
  const signing = { apiBaseUrl: options.apiBaseUrl, appKey: options.appKey, appSecret: options.appSecret };

  function prepare(request: ApiRequest): PreparedRequest {
    return prepareSignedRequest(signing, request, options.clock.now());
  }

  async function call<T>(request: ApiRequest): Promise<ApiResponse<T>> {
    let prepared = prepare(request); // validates before waiting in the limiter
    const method = request.method.toUpperCase();
    const template = options.scopes.requiredScopesFor(method, request.path)?.pathTemplate;
    const observer = options.observer;
    const secrets = [options.appSecret, request.accessToken];
    for (let attempt = 1; ; attempt++) {
      await admit(request.shopCipher, template ?? request.path, { method, apiPath: request.path });
      // Signed again only if its timestamp (whole seconds) would differ: after waiting, or to retry.
      if (prepared.query.timestamp !== String(unixSeconds(options.clock.now()))) prepared = prepare(request);
      try {
        const result = await fetchEnvelope(
          options.fetch,
          prepared.url,
          { method, headers: prepared.headers, ...(prepared.body === undefined ? {} : { body: prepared.body }) },
          {
            method, apiPath: request.path, timeoutMs, secrets, keepBodyOnError: true, scopes: options.scopes,
            ...(observer ? { observe: { observer, api: template ?? unlistedApi, attempt } } : {}),
          },
        );
        return { status: result.status, body: result.envelope as TikTokEnvelope<T>, text: result.text, requestId: result.requestId, headers: result.headers };
      } catch (error) {
        if (attempt >= maxAttempts || !isRetryable(error, method)) throw error;
        await sleep(backoffDelay(attempt, { baseDelayMs, random }));
      }
    }
  }

  async function upload<T>(request: ApiRequest & { contentType: string }, body: AsyncIterable<Uint8Array>): Promise<ApiResponse<T>> {
    if (!isMultipart(request.contentType)) throw new TypeError('upload() sends multipart/form-data only');
    const method = request.method.toUpperCase();
    await admit(request.shopCipher, options.scopes.requiredScopesFor(method, request.path)?.pathTemplate ?? request.path, { method, apiPath: request.path });
    const prepared = prepare(request);
    const result = await fetchEnvelope(
      options.fetch,
      prepared.url,
      { method, headers: prepared.headers, body, duplex: 'half' },
      { method, apiPath: request.path, timeoutMs: uploadTimeoutMs, secrets: [options.appSecret, request.accessToken], keepBodyOnError: true, scopes: options.scopes },
    );
    return { status: result.status, body: result.envelope as TikTokEnvelope<T>, text: result.text, requestId: result.requestId, headers: result.headers };
  }

  return {
    prepare,
    call,
    upload,
    async getAuthorizedShops(accessToken) {
      const response = await call({ method: 'GET', path: authorizedShopsPath, accessToken });
      return toShops(response.body.data, response.status);
    },
  };
}
