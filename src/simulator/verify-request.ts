import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { unixSeconds, type Clock } from '../shared/clock.js';
import { constantTimeEqual } from '../shared/secrets.js';
import { sendError, tiktokErrors, type TikTokError } from './envelope.js';
import { matchEndpoint, type EndpointMatch } from './endpoints.js';
import type { FaultState } from './faults.js';
import { referenceSign } from './reference-signature.js';
import { increment, type GrantRecord, type SimulatorState } from './state.js';
import { firstValues } from './query.js';
import type { SimulatedSeller, SimulatedShop } from './types.js';

/** What a verified open API request carries to its handler, in `res.locals.verified`. */
export interface VerifiedRequest extends EndpointMatch {
  query: Record<string, string>;
  rawBody: string | undefined;
  /** The body's bytes as received (uploads are binary), and the content-type they came with. */
  rawBytes: Buffer | undefined;
  contentType: string | undefined;
  seller: SimulatedSeller;
  grant: GrantRecord;
  shop: SimulatedShop | undefined;
}

interface VerifyDeps {
  appKey: string;
  appSecret: string;
  clock: Clock;
  state: SimulatorState;
  faults: FaultState;
}

const pastWindowSeconds = 5 * 60;
const futureWindowSeconds = 30;

/**
 * The open API gate, in order: path, app_key, sign present, timestamp window, signature (via the
 * simulator's own protocol-derived `referenceSign()`, never the service's signer, over the raw body
 * bytes), access token, shop_cipher rules, scopes.
 * Expects `req.body` to be the raw Buffer (express.raw).
 */
export function verifyRequest(deps: VerifyDeps): RequestHandler {
  const { clock, state } = deps;
  return function verifyRequestMiddleware(req: Request, res: Response, next: NextFunction) {
    const found = matchEndpoint(req.method, req.path);
    state.counters.apiCalls.total += 1;
    increment(state.counters.apiCalls.byPath, found.kind === 'found' ? found.match.endpoint.path : req.path);
    if (found.kind === 'unknown') return sendError(res, clock, tiktokErrors.invalidPath);
    if (found.kind === 'wrong-method') return sendError(res, clock, tiktokErrors.invalidMethod);
    const { endpoint, params } = found.match;

    const query = firstValues(req);
    if (!constantTimeEqual(query.app_key ?? '', deps.appKey)) return sendError(res, clock, tiktokErrors.invalidAppKey);
    if (query.sign === undefined || query.sign === '') return sendError(res, clock, tiktokErrors.missingSign);
    if (!timestampInWindow(query.timestamp, unixSeconds(clock.now()))) return sendError(res, clock, tiktokErrors.invalidTimestamp);

    if (req.body !== undefined && !Buffer.isBuffer(req.body)) {
      throw new Error('simulator: a body parser ran before the simulator router; mount the simulator first');
    }
    const rawBody = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body.toString('utf8') : undefined;
    const contentType = req.get('content-type');
    const body = Buffer.isBuffer(req.body) ? req.body : undefined;
    const expected = referenceSign({ appSecret: deps.appSecret, path: req.path, query, body, contentType });
    if (!constantTimeEqual(query.sign, expected)) {
      state.counters.badSignatures += 1;
      return sendError(res, clock, tiktokErrors.badSign);
    }

    const strict = state.settings.strict;
    if (strict.requireContentType) {
      const refused = contentTypeRefusal(endpoint.body, req.get('content-type'));
      if (refused) return refuseStrictly(res, deps, refused);
    }
    if (strict.refuseQueryAccessToken && query.access_token !== undefined) return refuseStrictly(res, deps, tiktokErrors.queryAccessToken);
    const token = req.get('x-tts-access-token') ?? query.access_token;
    if (token === undefined || token === '') return sendError(res, clock, tiktokErrors.missingAccessToken);
    const tokenRecord = state.accessTokens.get(token);
    if (tokenRecord?.supersededAt !== undefined && strict.refreshRevokesAccessTokens) return refuseStrictly(res, deps, tiktokErrors.unknownAccessToken);
    const grant = tokenRecord === undefined ? undefined : state.grants.get(tokenRecord.grantId);
    const seller = grant === undefined ? undefined : state.sellers.get(grant.openId);
    if (tokenRecord === undefined || grant === undefined || seller === undefined) {
      return sendError(res, clock, tiktokErrors.unknownAccessToken);
    }
    if (grant.revokedAt !== undefined) return sendError(res, clock, tiktokErrors.deauthorizedAccessToken);
    if (tokenRecord.expiresAt <= unixSeconds(clock.now())) return sendError(res, clock, tiktokErrors.expiredAccessToken);

    const cipher = query.shop_cipher;
    let shop: SimulatedShop | undefined;
    if (endpoint.cipher === 'forbidden' && cipher !== undefined) return sendError(res, clock, tiktokErrors.unexpectedCipher);
    if (endpoint.cipher === 'required') {
      if (cipher === undefined || cipher === '') return sendError(res, clock, tiktokErrors.missingCipher);
      shop = seller.shops.find((candidate) => candidate.cipher === cipher);
      if (shop === undefined) return sendError(res, clock, tiktokErrors.cipherMismatch);
    }

    const forced = deps.faults.forcedScopeDenied.has(endpoint.path) || deps.faults.forcedScopeDenied.has(req.path);
    const allowed = endpoint.scopes.some(
      (scope) => state.settings.appScopes.includes(scope) && grant.grantedScopes.includes(scope),
    );
    if (forced || !allowed) {
      state.counters.scopeDenied += 1;
      return sendError(res, clock, tiktokErrors.scopeDenied);
    }

    const rawBytes = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined;
    const verified: VerifiedRequest = { endpoint, params, query, rawBody, rawBytes, contentType, seller, grant, shop };
    res.locals.verified = verified;
    next();
  };
}

function refuseStrictly(res: Response, deps: VerifyDeps, error: TikTokError): void {
  deps.state.counters.strictRefusals += 1;
  sendError(res, deps.clock, error);
}

/**
 * Strict mode: every call declares its content-type, GETs included: `multipart/form-data` for uploads
 * (36009023 otherwise), `application/json` for everything else (36009022).
 */
function contentTypeRefusal(body: 'multipart' | undefined, contentType: string | undefined): TikTokError | undefined {
  const mediaType = (contentType?.split(';', 1)[0] ?? '').trim().toLowerCase();
  if (body === 'multipart') return mediaType === 'multipart/form-data' ? undefined : tiktokErrors.notMultipart;
  return mediaType === 'application/json' ? undefined : tiktokErrors.invalidContentType;
}

function timestampInWindow(value: string | undefined, now: number): boolean {
  if (value === undefined || !/^\d{1,12}$/.test(value)) return false;
  const timestamp = Number(value);
  return timestamp >= now - pastWindowSeconds && timestamp <= now + futureWindowSeconds;
}
