/**
 * Every failure the service knows has one class here (or in `tiktok/errors.ts`) with a stable
 * `code` from the closed {@link ErrorCode} union. Errors know nothing of HTTP: `http/errors.ts`
 * turns a code into a status and a hint, in one place.
 */

export type ErrorCode =
  // request shape
  | 'validation_failed'
  | 'malformed_json'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'uri_too_long'
  | 'request_malformed'
  | 'headers_too_large'
  | 'request_timeout'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'internal_error'
  | 'not_ready'
  | 'database_unavailable'
  | 'database_in_use'
  // API clients
  | 'api_key_missing'
  | 'api_key_malformed'
  | 'api_key_invalid'
  | 'scope_forbidden'
  | 'shop_forbidden'
  | 'app_forbidden'
  | 'rate_limited'
  | 'quota_exhausted'
  // connections and shops
  | 'shop_not_found'
  | 'shop_ambiguous'
  | 'app_not_found'
  | 'connection_not_found'
  | 'connection_needs_reauth'
  | 'connection_expired'
  | 'connection_suspended'
  | 'connection_revoked'
  | 'transition_not_allowed'
  | 'scope_missing'
  // connect flow
  | 'connect_session_not_found'
  | 'connect_session_expired'
  | 'connect_session_used'
  | 'return_url_not_allowed'
  | 'oauth_state_invalid'
  | 'oauth_state_expired'
  | 'oauth_state_reused'
  | 'oauth_browser_mismatch'
  | 'authorization_denied'
  | 'merchant_link_invalid'
  | 'reauthorization_seller_mismatch'
  // vault
  | 'decryption_failed'
  | 'encryption_key_unknown'
  // TikTok (see tiktok/errors.ts)
  | 'tiktok_unavailable'
  | 'tiktok_rate_limited'
  | 'tiktok_token_expired'
  | 'tiktok_grant_dead'
  | 'tiktok_auth_code_invalid'
  | 'tiktok_request_rejected'
  | 'tiktok_path_not_found'
  | 'tiktok_method_not_allowed'
  | 'tiktok_bad_response'
  // refresh
  | 'refresh_busy'
  // admin
  | 'admin_sign_in_required'
  | 'admin_forbidden'
  // webhooks
  | 'webhook_signature_invalid'
  // operations
  | 'metrics_token_invalid'
  // webhook delivery
  | 'webhook_subscription_not_found'
  | 'webhook_url_refused'
  | 'webhook_delivery_not_found';

/** What TikTok said, carried on errors that came from TikTok. */
export interface TikTokDetail {
  code: number;
  message: string;
  requestId?: string;
}

export abstract class ServiceError extends Error {
  abstract readonly code: ErrorCode;
  /** Overrides the default hint of the code when the failure knows better (e.g. which header was malformed). */
  readonly hint?: string;

  constructor(message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.hint) this.hint = options.hint;
  }
}

export class ValidationFailed extends ServiceError {
  readonly code = 'validation_failed';
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
    options?: { hint?: string; cause?: unknown },
  ) {
    super(message, options);
  }
}
export class MalformedJson extends ServiceError {
  readonly code = 'malformed_json';
}
export class PayloadTooLarge extends ServiceError {
  readonly code = 'payload_too_large';
}
export class UnsupportedMediaType extends ServiceError {
  readonly code = 'unsupported_media_type';
}
export class UriTooLong extends ServiceError {
  readonly code = 'uri_too_long';
}
/** A request Node's HTTP parser refused (a bad request line, header or chunked framing): answered by the server's `clientError` handler. */
export class RequestMalformed extends ServiceError {
  readonly code = 'request_malformed';
}
/** Request headers past the server's limit (64 KB): answered by the server's `clientError` handler. */
export class HeadersTooLarge extends ServiceError {
  readonly code = 'headers_too_large';
}
/** A request whose headers or body did not arrive within the server's request timeout. */
export class RequestTimeout extends ServiceError {
  readonly code = 'request_timeout';
}
export class RouteNotFound extends ServiceError {
  readonly code = 'route_not_found';
}
export class MethodNotAllowed extends ServiceError {
  readonly code = 'method_not_allowed';
  constructor(message: string, readonly allowed: string[]) {
    super(message);
  }
}
export class InternalError extends ServiceError {
  readonly code = 'internal_error';
}
/**
 * The database does not answer (down, unreachable, or slower than the statement timeout): the caller
 * may retry shortly; nothing was lost. {@link databaseUnavailable} recognises such failures.
 */
export class DatabaseUnavailable extends ServiceError {
  readonly code = 'database_unavailable' as const;
  readonly retryAfterSeconds = 5;
}

/** pg/Node error codes and Postgres SQLSTATEs that mean "the database is not there right now", not "the query is wrong". */
const unreachableCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  // Prisma's: can't reach, timed out reaching, operation timed out, server closed the connection, pool timeout.
  'P1001', 'P1002', 'P1008', 'P1017', 'P2024',
]);
const unavailableStates = /^(08...|57P0[1-3]|57014|53300)$/;
const unavailableMessages = /timeout exceeded when trying to connect|Connection terminated|Query read timeout|connection timeout|Cannot use a pool after calling end|Client has encountered a connection error|Server has closed the connection/i;

/**
 * The {@link DatabaseUnavailable} that `error` (or anything in its cause chain, as pg, the pg pool and
 * Prisma's driver adapter wrap it) amounts to, or undefined for any other failure.
 */
export function databaseUnavailable(error: unknown): DatabaseUnavailable | undefined {
  let current: unknown = error;
  for (let depth = 0; current && typeof current === 'object' && depth < 8; depth += 1) {
    if (current instanceof DatabaseUnavailable) return current;
    const { code, message, originalCode } = current as { code?: unknown; message?: unknown; originalCode?: unknown };
    const codes = [code, originalCode].filter((value): value is string => typeof value === 'string');
    if (codes.some((value) => unreachableCodes.has(value) || unavailableStates.test(value)) || (typeof message === 'string' && unavailableMessages.test(message))) {
      return new DatabaseUnavailable('The database is not answering right now.', { cause: error });
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** PGlite's data directory is open in another process (PGlite allows one); nothing was opened. */
export class DatabaseInUse extends ServiceError {
  readonly code = 'database_in_use';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`The PGlite database in ${dataDir} is in use by process ${pid} (npm start, or another CLI command); PGlite allows one process at a time.`, {
      hint: 'Stop that process first, or run the service and the CLI against Postgres (DATABASE_URL) to use both at once.',
    });
  }
}
export class NotReady extends ServiceError {
  readonly code = 'not_ready';
}

export class ApiKeyMissing extends ServiceError {
  readonly code = 'api_key_missing';
}
export class ApiKeyMalformed extends ServiceError {
  readonly code = 'api_key_malformed';
}
export class ApiKeyInvalid extends ServiceError {
  readonly code = 'api_key_invalid';
}
export class ScopeForbidden extends ServiceError {
  readonly code = 'scope_forbidden';
  constructor(readonly scope: string) {
    super(`This API key lacks the "${scope}" scope.`);
  }
}
export class ShopForbidden extends ServiceError {
  readonly code = 'shop_forbidden';
  constructor(readonly shopId: string) {
    super(`This API key is not allowed to use shop ${shopId}.`);
  }
}
export class RateLimited extends ServiceError {
  readonly code = 'rate_limited';
  constructor(message: string, readonly retryAfterSeconds: number, readonly limit: number, readonly resetAt: Date) {
    super(message);
  }
}
export class QuotaExhausted extends ServiceError {
  readonly code = 'quota_exhausted';
  constructor(message: string, readonly retryAfterSeconds: number, readonly limit: number, readonly resetAt: Date) {
    super(message);
  }
}

export class ShopNotFound extends ServiceError {
  readonly code = 'shop_not_found';
  /** `removedAt`: the shop was connected until TikTok's list of authorized shops stopped naming it (#11 item 8). */
  constructor(readonly shopId: string, options: { removedAt?: Date; cause?: unknown } = {}) {
    super(
      options.removedAt
        ? `Shop ${shopId} is no longer authorized for this app: TikTok stopped listing it among the seller's shops on ${options.removedAt.toISOString()}.`
        : `No connected shop has id ${shopId}.`,
      {
        ...(options.cause === undefined ? {} : { cause: options.cause }),
        ...(options.removedAt
          ? { hint: "The seller removed this shop from the app's authorization in TikTok Shop. To use it again, the merchant must authorize the app for it (send a connect link: POST /v1/connect-sessions)." }
          : {}),
      },
    );
    this.removedAt = options.removedAt ?? null;
  }
  readonly removedAt: Date | null;
}
/**
 * The shop id is connected through more than one TikTok Shop app (#13): which connection a token,
 * signature or call is for must be said with `?app=<id>`.
 */
export class ShopAmbiguous extends ServiceError {
  readonly code = 'shop_ambiguous';
  constructor(readonly shopId: string, readonly apps: string[]) {
    super(`Shop ${shopId} is connected through several TikTok Shop apps (${apps.join(', ')}).`, {
      hint: `Say which app's connection to use: add ?app=<id> (${apps.map((app) => `?app=${app}`).join(' or ')}).`,
    });
  }
}
/** No TikTok Shop app has this id in the configuration (TIKTOK_APPS, or `default`). */
export class AppNotFound extends ServiceError {
  readonly code = 'app_not_found';
  constructor(readonly app: string, known: readonly string[]) {
    super(`No TikTok Shop app has the id "${app}".`, { hint: `Use one of the configured apps: ${known.join(', ')}.` });
  }
}
/** The API key is limited to other TikTok Shop apps than this connection's. */
export class AppForbidden extends ServiceError {
  readonly code = 'app_forbidden';
  constructor(readonly app: string) {
    super(`This API key may not use connections of the TikTok Shop app "${app}".`);
  }
}
export class ConnectionNotFound extends ServiceError {
  readonly code = 'connection_not_found';
  constructor(readonly connectionId: string) {
    super(`No connection has id ${connectionId}.`);
  }
}

/**
 * The connection exists but cannot give out tokens; the code says why. A `refresh_lost` connection is
 * unusable once its access token expired: `connection_needs_reauth`.
 */
export class ConnectionUnusable extends ServiceError {
  readonly code: 'connection_needs_reauth' | 'connection_expired' | 'connection_suspended' | 'connection_revoked';
  constructor(
    readonly connectionId: string,
    readonly status: 'refresh_lost' | 'needs_reauth' | 'expired' | 'suspended' | 'revoked',
    readonly reason: string | null,
  ) {
    super(
      {
        refresh_lost: 'The access token of this connection expired and its refresh token was lost; the merchant must re-authorize.',
        needs_reauth: 'The merchant must re-authorize this connection before it can be used.',
        expired: "The merchant's authorization has expired; they must re-authorize.",
        suspended: 'An administrator suspended this connection.',
        revoked: 'This connection was revoked.',
      }[status] + (reason ? ` Reason: ${reason}` : ''),
    );
    this.code = status === 'refresh_lost' ? 'connection_needs_reauth' : `connection_${status}`;
  }
}

/** TikTok refused a call for lack of an API scope (105005), or the scope is known to be missing. */
/** A status change the connection lifecycle has no rule for (from, to, cause): refused, nothing written. */
export class TransitionNotAllowed extends ServiceError {
  readonly code = 'transition_not_allowed' as const;
}

export class ScopeMissing extends ServiceError {
  readonly code = 'scope_missing';
  constructor(
    message: string,
    readonly apiPath: string,
    readonly scopeKeys: string[],
    readonly tiktok?: TikTokDetail,
  ) {
    super(message);
  }
}

export class ConnectSessionNotFound extends ServiceError {
  readonly code = 'connect_session_not_found';
}
export class ConnectSessionExpired extends ServiceError {
  readonly code = 'connect_session_expired';
}
export class ConnectSessionUsed extends ServiceError {
  readonly code = 'connect_session_used';
}
export class ReturnUrlNotAllowed extends ServiceError {
  readonly code = 'return_url_not_allowed';
}
export class OAuthStateInvalid extends ServiceError {
  readonly code = 'oauth_state_invalid';
}
export class OAuthStateExpired extends ServiceError {
  readonly code = 'oauth_state_expired';
}
export class OAuthStateReused extends ServiceError {
  readonly code = 'oauth_state_reused';
}
export class OAuthBrowserMismatch extends ServiceError {
  readonly code = 'oauth_browser_mismatch';
}
export class AuthorizationDenied extends ServiceError {
  readonly code = 'authorization_denied';
}
/** A re-authorization link was approved on TikTok Shop by a different seller than its connection's; nothing is stored. */
export class ReauthorizationSellerMismatch extends ServiceError {
  readonly code = 'reauthorization_seller_mismatch';
  constructor(
    readonly expectedSeller: string,
    readonly actualSeller: string,
  ) {
    super(`This re-authorization is for ${expectedSeller}, but TikTok Shop approved it as ${actualSeller}; nothing was changed.`);
  }
}
export class MerchantLinkInvalid extends ServiceError {
  readonly code = 'merchant_link_invalid';
}

export class DecryptionFailed extends ServiceError {
  readonly code = 'decryption_failed';
}
export class EncryptionKeyUnknown extends ServiceError {
  readonly code = 'encryption_key_unknown';
  constructor(readonly keyId: string) {
    super(`No encryption key with id "${keyId}" is configured.`);
  }
}

/**
 * A refresh (this process's or another's) did not finish within the caller's wait and the stored token
 * is not usable: retry after `retryAfterSeconds`. The refresh itself keeps running.
 */
export class RefreshBusy extends ServiceError {
  readonly code = 'refresh_busy';
  constructor(
    message: string,
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
  }
}

export class AdminSignInRequired extends ServiceError {
  readonly code = 'admin_sign_in_required';
}
export class AdminForbidden extends ServiceError {
  readonly code = 'admin_forbidden';
}
export class WebhookSignatureInvalid extends ServiceError {
  readonly code = 'webhook_signature_invalid';
}

/** `GET /metrics` without the `METRICS_TOKEN` bearer token (or with another one). */
export class MetricsTokenInvalid extends ServiceError {
  readonly code = 'metrics_token_invalid';
}
export class WebhookSubscriptionNotFound extends ServiceError {
  readonly code = 'webhook_subscription_not_found';
  constructor(readonly subscriptionId: string) {
    super(`No webhook subscription has id ${subscriptionId}.`);
  }
}
/** A subscription URL that is not https, or reaches a private, loopback or link-local address (production). */
export class WebhookUrlRefused extends ServiceError {
  readonly code = 'webhook_url_refused';
}
export class WebhookDeliveryNotFound extends ServiceError {
  readonly code = 'webhook_delivery_not_found';
  constructor(readonly deliveryId: string) {
    super(`No delivery has id ${deliveryId} in this subscription.`);
  }
}

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof ServiceError;
}
