import { performance } from 'node:perf_hooks';
import type { AuditLog } from '../audit/audit-log.js';
import type { ReadTally } from '../audit/read-tally.js';
import { AppForbidden, ConnectionUnusable, ScopeMissing, ShopNotFound } from '../shared/errors.js';
import { meansShopNotAuthorized, scopeName, type ApiRequest, type PreparedRequest, type RequiredScopes, type ScopeIndex, type TikTokApps } from '../tiktok/index.js';
import { TikTokGrantDead, TikTokTokenExpired } from '../tiktok/errors.js';
import { audited, tallied } from './audited.js';
import type { CallContext, GrantLoss, ScopeProblems, ShopResync } from './ports.js';
import { sameAccess, type ShopCredentials, type ShopCredentialSource } from './shop-credentials.js';
import { refusable, signingFor } from './shop-signing.js';
import { countedUpload, uploadTooLarge, type UploadLimit } from './upload-limit.js';

export interface ShopToken {
  shopId: string;
  shopCipher: string;
  accessToken: string;
  expiresAt: string;
  /** null: TikTok never listed them ("scopes unknown"). */
  grantedScopes: string[] | null;
}

/** `query.shop_cipher`, when given, overrides TikTok's cipher rule: the shop's own cipher sends it, an empty value sends none. */
export type SignInput = Pick<ApiRequest, 'method' | 'path' | 'query' | 'body' | 'contentType'>;
export type ProxyInput = Pick<ApiRequest, 'method' | 'path' | 'query' | 'body'>;

/** A `multipart/form-data` upload forwarded as it streams in. */
export interface UploadInput {
  path: string;
  query?: ApiRequest['query'];
  /** The caller's Content-Type, boundary included: the body's bytes are forwarded unchanged. */
  contentType: string;
  body: AsyncIterable<Uint8Array>;
  /** Past it the upload stops with {@link PayloadTooLarge}, and TikTok's half-sent request is aborted. */
  limit: UploadLimit;
}

export interface ProxyResult {
  status: number;
  /** TikTok's body exactly as sent, passed on unchanged (ids past 2^53 keep every digit). */
  text: string;
  requestId: string | undefined;
  /** Time spent waiting for TikTok (all attempts), in milliseconds. */
  tiktokMs: number;
  /** Time spent reading the shop's credentials (the indexed read and decryption), in milliseconds. */
  credentialsMs: number;
  /**
   * Time spent waiting for either, in milliseconds: less than their sum when a GET went to TikTok
   * while the read ran. The rest of the request's time is this service's own work.
   */
  waitedMs: number;
}

/** The credential use cases of internal apps: read a token, sign a request, make a signed call. */
export interface ShopCalls {
  readToken(context: CallContext, shopId: string): Promise<ShopToken>;
  sign(context: CallContext, shopId: string, request: SignInput): Promise<Omit<PreparedRequest, 'method'>>;
  /**
   * Calls TikTok for the shop. Answers {@link ScopeMissing} without calling when the endpoint's
   * documented scope is not granted, and after TikTok's 105005; both open a problem on the
   * connection, which the next successful call to the path closes. On 105002 it refreshes once
   * and retries once. A GET is sent with the shop's last-read credentials while the credential read
   * runs, and its answer kept only if the read finds the same connection, token, cipher and grant
   * (otherwise it is dropped and the call sent again): the read stays authoritative, and its round
   * trip no longer adds to TikTok's. When TikTok says the grant is dead (105001 "deauthorized", or
   * 105001 again after that refresh), the connection becomes `needs_reauth` and the answer is
   * {@link ConnectionUnusable}, as for every later token, sign or proxy call.
   */
  proxy(context: CallContext, shopId: string, request: ProxyInput): Promise<ProxyResult>;
  /**
   * POSTs a multipart upload for the shop, streamed, signed without its body, once (a stream cannot be
   * sent again), stopped with {@link PayloadTooLarge} past `request.limit`. Scope pre-check, cipher rules and dead-grant handling as {@link proxy}; on an expired
   * token it refreshes and answers the error, so the caller's next attempt goes out with the new token.
   */
  upload(context: CallContext, shopId: string, request: UploadInput): Promise<Omit<ProxyResult, 'waitedMs'>>;
}

export function createShopCalls(deps: {
  credentials: ShopCredentialSource;
  /** The configured apps: a shop's connection's app signs and sends its calls (#13). */
  apps: Pick<TikTokApps, 'get'>;
  problems: ScopeProblems;
  /** Where a dead grant is reported (the refresher). */
  grants: GrantLoss;
  /** Where the shops are fetched again after TikTok said the token is not authorized for the shop. */
  shops: ShopResync;
  audit: AuditLog;
  /** Where credential reads are counted (one row per client × shop × connection × minute, not per read). */
  reads: Pick<ReadTally, 'record'>;
  /** The endpoint scope table (the scope pre-check and the shop_cipher rule). */
  scopes: Pick<ScopeIndex, 'requiredScopesFor'>;
}): ShopCalls {
  const { problems, grants, shops, audit, reads } = deps;
  const api = (found: ShopCredentials) => deps.apps.get(found.app).api;
  /**
   * The shop's credentials through the app the caller named (if any), refused when the key is limited
   * to other apps. The app comes from the row read; the check costs no query.
   */
  const credentials = {
    async forShop(context: CallContext, shopId: string, options: Parameters<ShopCredentialSource['forShop']>[1] = {}): Promise<ShopCredentials> {
      if (context.app !== undefined) deps.apps.get(context.app); // an unknown app id: AppNotFound, not "no such shop"
      const found = await deps.credentials.forShop(shopId, { ...options, app: context.app });
      if (context.allowedApps && !context.allowedApps.has(found.app)) throw new AppForbidden(found.app);
      return found;
    },
    lastSeen(context: CallContext, shopId: string): ShopCredentials | undefined {
      const seen = deps.credentials.lastSeen(shopId, context.app);
      return seen && (!context.allowedApps || context.allowedApps.has(seen.app)) ? seen : undefined;
    },
  };

  /**
   * TikTok says the token is not authorized for this shop (101000): the seller may have removed it
   * from the authorization, so the shops are fetched again (#11 item 8). A shop now gone answers
   * {@link ShopNotFound} with its hint; otherwise TikTok's error stands.
   */
  async function shopNotAuthorized(context: CallContext, shopId: string, found: ShopCredentials, error: unknown): Promise<void> {
    const code = (error as { tiktok?: { code?: number } }).tiktok?.code;
    if (code === undefined || !meansShopNotAuthorized(code)) return;
    const changes = await shops
      .sync(found.connectionId, found.accessToken, 'api_call', { app: found.app, ...(context.requestId ? { requestId: context.requestId } : {}) })
      .catch(() => undefined);
    if (changes?.removedShopIds.includes(shopId)) throw new ShopNotFound(shopId, { removedAt: changes.syncedAt, cause: error });
  }

  /** Marks the connection (see {@link GrantLoss}); answers its new status, or TikTok's error when it stayed active. */
  async function grantDead(context: CallContext, found: ShopCredentials, error: TikTokGrantDead | TikTokTokenExpired): Promise<never> {
    const after = await grants.markGrantDead({
      connectionId: found.connectionId,
      accessToken: found.accessToken,
      requestId: context.requestId,
      ...(error.tiktok ? { tiktok: error.tiktok } : {}),
    });
    if (after && after.status !== 'active') throw new ConnectionUnusable(found.connectionId, after.status, after.statusReason);
    throw error;
  }

  async function scopeMissing(connectionId: string, error: ScopeMissing, problemPath: string): Promise<never> {
    await problems.recordScopeMissing({
      connectionId,
      apiPath: problemPath,
      scopeKeys: error.scopeKeys,
      tiktokCode: error.tiktok?.code ?? null,
      tiktokMessage: error.tiktok?.message ?? null,
    });
    throw error;
  }

  /** The scope pre-check: refuses (and records the problem) when the grant lacks a documented scope of the call. */
  async function refuseUngranted(found: ShopCredentials, required: RequiredScopes | undefined, call: string, problemPath: string): Promise<void> {
    const lacking = refusable(required, found.grantedScopes);
    if (lacking.length === 0) return;
    const names = lacking.map(scopeName).join(' or ');
    await scopeMissing(
      found.connectionId,
      new ScopeMissing(`This shop's authorization does not grant ${names}, which ${call} needs; TikTok was not called.`, problemPath, lacking),
      problemPath,
    );
  }

  return {
    readToken(context, shopId) {
      return tallied(reads, audit, { context, shopId, route: 'GET /v1/shops/:shopId/token' }, () => credentials.forShop(context, shopId)).then((found) => ({
        shopId,
        shopCipher: found.shopCipher,
        accessToken: found.accessToken,
        expiresAt: found.accessTokenExpiresAt.toISOString(),
        grantedScopes: found.grantedScopes,
      }));
    },

    sign(context, shopId, request) {
      const detail = { route: 'POST /v1/shops/:shopId/sign', method: request.method.toUpperCase(), path: request.path };
      return audited(audit, { action: 'sign', context, shopId, detail }, async (note) => {
        const found = await credentials.forShop(context, shopId);
        note({ connectionId: found.connectionId });
        const { method: _method, ...prepared } = api(found).prepare({ ...request, ...signingFor(request, found, deps.scopes) });
        return prepared;
      });
    },

    proxy(context, shopId, request) {
      const method = request.method.toUpperCase();
      const detail = { route: `${method} /v1/shops/:shopId/proxy/*path`, method, path: request.path };
      return audited(audit, { action: 'proxy', context, shopId, detail }, async (note) => {
        const required = deps.scopes.requiredScopesFor(method, request.path);
        const problemPath = required?.pathTemplate ?? request.path;
        const tiktok = stopwatch();
        const waited = stopwatch();
        const send = (using: ShopCredentials) => tiktok.time(api(using).call({ ...request, method, ...signingFor(request, using, deps.scopes) }));
        const waitFor = <T>(work: Promise<T>) => waited.time(work);
        // A GET is safe to send early and to drop: it starts with what this process last read for the
        // shop while the authoritative read runs, and its answer is used only if that read agrees.
        // The read's query goes out first (measured: about 0.1 ms sooner done than the other way).
        const lastSeen = method === 'GET' ? credentials.lastSeen(context, shopId) : undefined;
        const readStarted = performance.now();
        const reading = credentials.forShop(context, shopId, { withProblems: true, remember: true });
        const early = startEarly(lastSeen, required, send);
        let found = await waitFor(reading);
        const credentialsMs = performance.now() - readStarted;
        note({ connectionId: found.connectionId });
        await refuseUngranted(found, required, `${method} ${request.path}`, problemPath);
        let response;
        let refreshed = false;
        try {
          try {
            response = await waitFor(early && sameAccess(early.credentials, found) ? early.response : send(found));
          } catch (error) {
            if (!(error instanceof TikTokTokenExpired)) throw error;
            found = await waitFor(credentials.forShop(context, shopId, { force: true, withProblems: found.hasOpenProblems, remember: true }));
            refreshed = true;
            response = await waitFor(send(found));
          }
        } catch (error) {
          if (error instanceof ScopeMissing) await scopeMissing(found.connectionId, error, problemPath);
          if (grantIsDead(error, refreshed)) await grantDead(context, found, error);
          await shopNotAuthorized(context, shopId, found, error);
          if (refreshed && error instanceof TikTokTokenExpired) throw expiredAfterRefresh(error);
          throw error;
        }
        if (found.hasOpenProblems) await problems.resolve(found.connectionId, problemPath, 'a later call succeeded');
        note({ detail: { tiktokStatus: response.status } });
        return { status: response.status, text: response.text, requestId: response.requestId, tiktokMs: tiktok.ms, credentialsMs, waitedMs: waited.ms };
      });
    },

    upload(context, shopId, request) {
      const detail = { route: 'POST /v1/shops/:shopId/proxy/*path', method: 'POST', path: request.path, upload: true };
      return audited(audit, { action: 'proxy', context, shopId, detail }, async (note) => {
        const required = deps.scopes.requiredScopesFor('POST', request.path);
        const problemPath = required?.pathTemplate ?? request.path;
        const readStarted = performance.now();
        const found = await credentials.forShop(context, shopId, { withProblems: true });
        const credentialsMs = performance.now() - readStarted;
        note({ connectionId: found.connectionId });
        await refuseUngranted(found, required, `POST ${request.path}`, problemPath);
        const tiktok = stopwatch();
        const signing = signingFor({ method: 'POST', path: request.path, ...(request.query ? { query: request.query } : {}) }, found, deps.scopes);
        const counted = countedUpload(request.body, request.limit.maxBytes);
        let response;
        try {
          response = await tiktok.time(api(found).upload({ method: 'POST', path: request.path, contentType: request.contentType, ...signing }, counted.body));
        } catch (error) {
          if (counted.exceeded) throw uploadTooLarge(request.limit, undefined, error);
          if (error instanceof ScopeMissing) await scopeMissing(found.connectionId, error, problemPath);
          if (grantIsDead(error, false)) await grantDead(context, found, error);
          await shopNotAuthorized(context, shopId, found, error);
          if (error instanceof TikTokTokenExpired) {
            // The stream is spent: refresh now, so the caller's next attempt carries a token TikTok accepts.
            await credentials.forShop(context, shopId, { force: true }).catch(() => undefined);
            throw uploadAgain(error);
          }
          throw error;
        }
        if (found.hasOpenProblems) await problems.resolve(found.connectionId, problemPath, 'a later call succeeded');
        note({ detail: { tiktokStatus: response.status } });
        return { status: response.status, text: response.text, requestId: response.requestId, tiktokMs: tiktok.ms, credentialsMs };
      });
    },
  };
}

/** An upload refused for an expired token, after the refresh: the form must be sent again. */
function uploadAgain(error: TikTokTokenExpired): TikTokTokenExpired {
  return withRemedy(error, 'The service refreshed the shop token after TikTok called it expired; an upload cannot be replayed, so send the same upload again.');
}

/** Adds up how long the promises it is given take to settle, in milliseconds. */
function stopwatch() {
  let ms = 0;
  return {
    get ms() {
      return ms;
    },
    async time<T>(work: Promise<T>): Promise<T> {
      const started = performance.now();
      try {
        return await work;
      } finally {
        ms += performance.now() - started;
      }
    },
  };
}

/**
 * Sends a call with the credentials this process last read for the shop, if any, and if they grant
 * what the endpoint needs. The promise is marked handled: its outcome matters only if it is used.
 */
function startEarly<T>(
  hint: ShopCredentials | undefined,
  required: RequiredScopes | undefined,
  send: (using: ShopCredentials) => Promise<T>,
): { credentials: ShopCredentials; response: Promise<T> } | undefined {
  if (!hint || refusable(required, hint.grantedScopes).length > 0) return undefined;
  const response = send(hint);
  response.catch(() => undefined);
  return { credentials: hint, response };
}

/**
 * TikTok will never accept this grant again: 105001 "deauthorized", or, after the one refresh, an
 * invalid-token answer (105001, 36009004) again, the error catalog's remedy for a repeated 105001.
 * A repeated 105002 (expired) is not: the fresh token's clock is in doubt, not the grant.
 */
function grantIsDead(error: unknown, afterRefresh: boolean): error is TikTokGrantDead | TikTokTokenExpired {
  if (error instanceof TikTokGrantDead) return true;
  return afterRefresh && error instanceof TikTokTokenExpired && error.tiktok !== undefined && error.tiktok.code !== 105002;
}

/**
 * TikTok called the freshly refreshed token expired too. Its remedy ("refresh, then retry once") is
 * what the service just did, so the app is told what is left to try.
 */
function expiredAfterRefresh(error: TikTokTokenExpired): TikTokTokenExpired {
  return withRemedy(
    error,
    'The service already refreshed the token and retried once, and TikTok still calls it expired. Retry in a minute; if it keeps happening, check the service clock and have the merchant re-authorize.',
  );
}

function withRemedy(error: TikTokTokenExpired, remedy: string): TikTokTokenExpired {
  return new TikTokTokenExpired(error.message, {
    method: error.method,
    apiPath: error.apiPath,
    cause: error,
    ...(error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus }),
    ...(error.tiktok ? { tiktok: error.tiktok } : {}),
    ...(error.entry ? { entry: { ...error.entry, remedy } } : {}),
    ...(error.response ? { response: error.response } : {}),
  });
}
