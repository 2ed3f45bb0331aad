import { ScopeMissing, type TikTokDetail } from '../shared/errors.js';
import type { TikTokEnvelope } from './envelope.js';
import { catalogCodes, describeTikTokCode, type TikTokCodeEntry } from './error-catalog.js';
import {
  attachResponse,
  TikTokAuthCodeInvalid,
  TikTokBadResponse,
  TikTokGrantDead,
  TikTokMethodNotAllowed,
  TikTokPathNotFound,
  TikTokRateLimited,
  TikTokRequestRejected,
  TikTokTokenExpired,
  TikTokUnavailable,
  type AnyTikTokError,
  type RawTikTokResponse,
  isTikTokError,
} from './errors.js';
import type { ScopeIndex } from './scopes.js';

export interface TikTokErrorContext {
  method: string;
  /** The path called, without host or query (e.g. `/api/v2/token/refresh`). */
  apiPath: string;
  /** Set when TikTok answered at all; absent for network failures and timeouts. */
  httpStatus?: number;
  /** Values that must never appear in a message: app secret, tokens, auth code. */
  secrets?: readonly string[];
  response?: RawTikTokResponse;
  timeoutMs?: number;
  /** Names the scopes a 105005 is about (the API client's scope index). */
  scopes?: Pick<ScopeIndex, 'requiredScopesFor'>;
}

/** Something that went wrong before an envelope could be read: a network error, a timeout, a non-JSON body. */
export interface TikTokFailure {
  failure: unknown;
}

/**
 * The one translator from "what TikTok did" to a typed error, used by the auth and API clients.
 * Envelopes are mapped through the catalog; failures become {@link TikTokUnavailable} (no answer,
 * 5xx), {@link TikTokRateLimited} (429) or {@link TikTokBadResponse} (an answer that is not an envelope).
 *
 * @example
 * toTikTokError({ code: 105005, message: 'Access denied', request_id: 'r1' },
 *   { method: 'GET', apiPath: '/finance/202309/statements', httpStatus: 200 })
 * // ScopeMissing { code: 'scope_missing', scopeKeys: ['seller.finance.info'], tiktok: { code: 105005, … } }
 */
export function toTikTokError(source: TikTokEnvelope | TikTokFailure, context: TikTokErrorContext): AnyTikTokError | ScopeMissing {
  const where = `${context.method.toUpperCase()} ${context.apiPath}`;
  const init = { method: context.method.toUpperCase(), apiPath: context.apiPath, httpStatus: context.httpStatus, response: context.response };

  if ('failure' in source) {
    const cause = source.failure;
    if (isTikTokError(cause)) return cause;
    const status = context.httpStatus;
    if (status === undefined) {
      const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
      const message = !timedOut
        ? `TikTok could not be reached for ${where} (network error).`
        : `TikTok did not answer ${where} ${context.timeoutMs === undefined ? 'in time' : `within ${context.timeoutMs} ms`}.`;
      return new TikTokUnavailable(message, { ...init, cause });
    }
    if (status === 429) return new TikTokRateLimited(`TikTok rate-limited ${where} (HTTP 429).`, { ...init, cause, entry: describeTikTokCode(429) });
    if (status >= 500) return new TikTokUnavailable(`TikTok is temporarily unavailable for ${where} (HTTP ${status}).`, { ...init, cause });
    return new TikTokBadResponse(`TikTok answered ${where} with HTTP ${status} but no TikTok JSON envelope.`, { ...init, cause });
  }

  const status = context.httpStatus ?? 200;
  const known = source.code !== 0 && catalogCodes().includes(source.code);
  if (!known && (status === 429 || status >= 500)) {
    // Code 0 or a code we do not know on a 429/5xx: the status says more than the body.
    return toTikTokError({ failure: source.code === 0 ? undefined : { code: source.code, request_id: source.request_id } }, { ...context, httpStatus: status });
  }
  if (source.code === 0) {
    const entry = describeTikTokCode(status);
    return new TikTokRequestRejected(`TikTok answered ${where} with HTTP ${status} and code 0.`, { ...init, entry });
  }

  const tiktokMessage = clean(source.message, context.secrets);
  const tiktok: TikTokDetail = { code: source.code, message: tiktokMessage, ...(source.request_id ? { requestId: source.request_id } : {}) };
  const entry = describeTikTokCode(source.code, source.message);
  const said = `(${source.code} "${tiktokMessage}")`;
  // The envelope without `data`, so nothing TikTok echoed back rides along in `cause`.
  const cause = { code: source.code, message: tiktokMessage, request_id: source.request_id };
  const errorInit = { ...init, tiktok, entry, cause };

  if (source.code === 36004004) return new TikTokAuthCodeInvalid(`TikTok rejected the authorization code ${said}.`, errorInit);
  // "No such API": the caller's mistake, answered 404/405 so it never looks like TikTok failing (502).
  if (source.code === 36009009) return new TikTokPathNotFound(`TikTok has no API at ${where} ${said}.`, errorInit);
  if (source.code === 36009010) return new TikTokMethodNotAllowed(`TikTok does not take ${where} ${said}.`, errorInit);
  switch (entry.kind) {
    case 'transient':
      return source.code === 36009002 || status === 429
        ? new TikTokRateLimited(`TikTok rate-limited ${where} ${said}.`, errorInit)
        : new TikTokUnavailable(`TikTok is temporarily unavailable for ${where} ${said}.`, errorInit);
    case 'token_expired':
      return new TikTokTokenExpired(`TikTok says the access token has expired or is invalid for ${where} ${said}.`, errorInit);
    case 'grant_dead':
      return new TikTokGrantDead(`TikTok says the authorization can no longer be used for ${where} ${said}.`, errorInit);
    case 'permission':
      return scopeMissing(where, context, tiktok, entry, cause);
    case 'caller_bug':
    case 'policy':
      return new TikTokRequestRejected(`TikTok rejected ${where} ${said}.`, errorInit);
  }
}

function scopeMissing(
  where: string,
  context: TikTokErrorContext,
  tiktok: TikTokDetail,
  entry: TikTokCodeEntry,
  cause: unknown,
): ScopeMissing {
  const required = context.scopes?.requiredScopesFor(context.method, context.apiPath);
  const scopeKeys = required?.scopeKeys ?? [];
  const named = required && required.scopeNames.length > 0 ? ` It needs one of: ${required.scopeNames.join(', ')}.` : '';
  const error = new ScopeMissing(
    `TikTok denied ${where} for lack of an API scope (${tiktok.code} "${tiktok.message}").${named} ${entry.remedy}`,
    context.apiPath,
    scopeKeys,
    tiktok,
  );
  Object.defineProperty(error, 'cause', { value: cause, enumerable: false, configurable: true, writable: true });
  Object.defineProperty(error, 'entry', { value: entry, enumerable: false, configurable: true });
  attachResponse(error, context.response);
  return error;
}

/**
 * Removes known secrets and anything shaped like a TikTok token (`TTP_…`, `ROW_…`, `GCP_…`; shop
 * ciphers share the shape and go too) from TikTok's message, and bounds its length.
 */
function clean(message: string, secrets: readonly string[] = []): string {
  let text = message;
  for (const secret of secrets) if (secret.length >= 4) text = text.split(secret).join('[redacted]');
  text = text.replace(/\b(?:TTP|ROW|GCP)_[\w-]{12,}/g, '[redacted]');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
