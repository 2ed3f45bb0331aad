export { buildAuthorizeUrl, parseAuthorizeCallback, type AuthorizeCallback, type AuthorizeUrlInput } from './authorize-url.js';
export { createAuthClient, type AuthClient, type AuthClientOptions } from './auth-client.js';
export type { TokenSet } from './token-set.js';
export { createApiClient, type ApiClient, type ApiClientOptions, type ApiResponse } from './api-client.js';
export type { Shop } from './authorized-shops.js';
export { isMultipart, reservedForCallers, reservedQueryNames, shopIdPattern, type ApiRequest, type JsonValue, type PreparedRequest } from './signed-request.js';
export type { QueryValue } from './query-string.js';
export type { FetchInit, FetchLike, ResponseLike } from './fetch-envelope.js';
export type { TikTokEnvelope } from './envelope.js';
export {
  budgetKey, createOutboundBudget, createOutboundLimiter, OutboundBudgetExhausted,
  type OutboundBudget, type OutboundCallCounter, type OutboundLimiter, type OutboundLimiterOptions,
} from './outbound-limiter.js';
export {
  TikTokError,
  TikTokUnavailable,
  TikTokRateLimited,
  TikTokTokenExpired,
  TikTokGrantDead,
  TikTokAuthCodeInvalid,
  TikTokRequestRejected,
  TikTokPathNotFound,
  TikTokMethodNotAllowed,
  TikTokBadResponse,
  isTikTokError,
  type AnyTikTokError,
  type RawTikTokResponse,
} from './errors.js';
export { toTikTokError, type TikTokErrorContext, type TikTokFailure } from './to-tiktok-error.js';
export { describeTikTokCode, meansShopNotAuthorized, type TikTokCodeEntry, type TikTokErrorKind } from './error-catalog.js';
export { createScopeIndex, loadScopeIndex, missingScopes, scopeName, type RequiredScopes, type ScopeIndex } from './scopes.js';
export { sign, stringToSign, type SignInput } from './sign.js';
export { webhookSignature, verifyWebhookSignature, type WebhookVerifyInput } from './webhook-verify.js';
export { createTikTokHttp, type TikTokHttp } from './http-agent.js';
export { takesShopCipher } from './shop-cipher.js';
export { defaultUploadLimits, uploadLimitFor, type UploadLimits } from './uploads.js';
export { callOutcome, unlistedApi, type TikTokCall, type TikTokCallObserver } from './call-observer.js';
export { createTikTokApps, type Market, type TikTokApp, type TikTokAppInput, type TikTokApps } from './app-registry.js';
