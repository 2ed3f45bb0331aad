import { ValidationFailed, type ErrorCode, type ServiceError, type TikTokDetail } from '../shared/errors.js';

/** The one place where failure kinds become HTTP: status and the default hint for each code. */
export const httpErrors: Record<ErrorCode, { status: number; hint: string }> = {
  validation_failed: { status: 400, hint: 'Fix the fields named in the message and send the request again.' },
  malformed_json: { status: 400, hint: 'Send a valid JSON body with Content-Type: application/json.' },
  payload_too_large: { status: 413, hint: 'Send a smaller body.' },
  unsupported_media_type: { status: 415, hint: 'Send the body as JSON with Content-Type: application/json.' },
  uri_too_long: { status: 414, hint: 'The URL is too long: send the data with POST in a JSON body instead of the query string.' },
  request_malformed: { status: 400, hint: 'The request is not valid HTTP/1.1 (request line, a header or its chunked body); send a well-formed request.' },
  headers_too_large: { status: 431, hint: 'Send smaller request headers (64 KB in all at most): fewer or shorter cookies and headers.' },
  request_timeout: { status: 408, hint: 'The request did not arrive in time; send it again.' },
  route_not_found: { status: 404, hint: 'Check the path against GET /openapi.json.' },
  method_not_allowed: { status: 405, hint: 'Use one of the methods listed in the Allow header.' },
  internal_error: { status: 500, hint: 'Try again later; if it persists, give the requestId to the service operators.' },
  database_unavailable: { status: 503, hint: 'The service cannot reach its database right now; nothing was changed. Retry after the Retry-After seconds.' },
  database_in_use: { status: 503, hint: 'Stop the other process using the PGlite data directory, or use DATABASE_URL.' },
  not_ready: { status: 503, hint: 'The service cannot reach its database; try again shortly.' },
  api_key_missing: { status: 401, hint: 'Send your API key in the X-API-Key header or as Authorization: Bearer <key>.' },
  api_key_malformed: { status: 401, hint: 'Send the key exactly as issued: X-API-Key: <key> or Authorization: Bearer <key>.' },
  api_key_invalid: { status: 401, hint: 'The key is unknown or revoked; ask an operator for a new one (npm run cli -- api-clients create).' },
  scope_forbidden: { status: 403, hint: 'Ask an operator for a key with this scope.' },
  shop_forbidden: { status: 403, hint: 'This key is limited to other shops; ask an operator to allow this shop.' },
  app_forbidden: { status: 403, hint: 'This key is limited to other TikTok Shop apps; ask an operator to allow this app (api-clients create --apps).' },
  rate_limited: { status: 429, hint: 'Slow down: wait for Retry-After seconds, then retry.' },
  quota_exhausted: { status: 429, hint: 'The quota for this key is used up until it resets (see Retry-After); ask an operator for a larger quota.' },
  shop_not_found: { status: 404, hint: 'Check the shop id (GET /v1/connections lists connected shops), or have the merchant connect it.' },
  shop_ambiguous: { status: 409, hint: 'The shop is connected through several TikTok Shop apps: add ?app=<id> to say which connection to use.' },
  app_not_found: { status: 404, hint: 'Use the id of a configured TikTok Shop app (npm run cli -- apps list).' },
  connection_not_found: { status: 404, hint: 'Check the connection id (GET /v1/connections lists them).' },
  connection_needs_reauth: { status: 409, hint: 'Send the merchant a new connect link (POST /v1/connect-sessions) so they re-authorize.' },
  connection_expired: { status: 409, hint: 'The authorization ran out; send the merchant a new connect link (POST /v1/connect-sessions).' },
  connection_suspended: { status: 409, hint: 'An administrator suspended this connection; ask them to resume it in /admin.' },
  connection_revoked: { status: 409, hint: 'This connection was revoked; the merchant must connect again (POST /v1/connect-sessions).' },
  transition_not_allowed: { status: 409, hint: 'The connection cannot make that change from its current status; reload it and check its status.' },
  scope_missing: {
    status: 403,
    hint: 'The app developer must enable the API package for this scope in TikTok Partner Center (Manage API); then the merchant must re-authorize the app so the new scope is granted.',
  },
  connect_session_not_found: { status: 404, hint: 'This connect link is not valid; ask for a new one.' },
  connect_session_expired: { status: 410, hint: 'This connect link has expired; ask for a new one.' },
  connect_session_used: { status: 410, hint: 'This connect link was already used; ask for a new one.' },
  return_url_not_allowed: { status: 400, hint: 'Use a returnUrl whose origin is listed in RETURN_URL_ALLOWLIST, or leave it out.' },
  oauth_state_invalid: { status: 400, hint: 'Start connecting again from your connect link.' },
  oauth_state_expired: { status: 400, hint: 'Start again from the connect link you were given (ask for a new one if it has expired too): it takes you back to TikTok Shop.' },
  oauth_state_reused: { status: 400, hint: 'This authorization was already completed; start again from your connect link if needed.' },
  oauth_browser_mismatch: { status: 400, hint: 'Finish connecting in the same browser where you started, or start again from your connect link.' },
  authorization_denied: { status: 400, hint: 'Start again from your connect link and approve the access on TikTok Shop.' },
  reauthorization_seller_mismatch: {
    status: 409,
    hint: "Sign in to TikTok Shop as this connection's seller and re-authorize again; to connect another seller, use a new connect link.",
  },
  merchant_link_invalid: { status: 403, hint: 'Ask for a new status link, or open it in the browser you connected with.' },
  decryption_failed: { status: 500, hint: 'Stored credentials could not be decrypted; check TOKEN_ENCRYPTION_KEYS.' },
  encryption_key_unknown: { status: 500, hint: 'Add the missing key to TOKEN_ENCRYPTION_KEYS.' },
  tiktok_unavailable: { status: 503, hint: 'TikTok Shop is not answering; retry with backoff.' },
  tiktok_rate_limited: { status: 429, hint: 'TikTok Shop is rate limiting this shop (50 requests per second per API); retry with backoff.' },
  tiktok_token_expired: { status: 502, hint: 'The access token expired and a refresh did not help; retry shortly.' },
  tiktok_grant_dead: { status: 409, hint: 'TikTok no longer accepts this authorization; the merchant must re-authorize (POST /v1/connect-sessions).' },
  tiktok_auth_code_invalid: { status: 400, hint: 'The authorization code expired or was already used; start connecting again.' },
  tiktok_request_rejected: { status: 502, hint: 'TikTok rejected the request; see tiktok.code and tiktok.message.' },
  tiktok_path_not_found: { status: 404, hint: 'TikTok Shop has no API at this path (TikTok 36009009): check the path and its version against the API reference.' },
  tiktok_method_not_allowed: { status: 405, hint: 'TikTok Shop does not take this method for this path (TikTok 36009010): use the method the API reference gives.' },
  tiktok_bad_response: { status: 502, hint: 'TikTok answered with something unexpected; retry later.' },
  refresh_busy: { status: 503, hint: 'The token is being refreshed right now; retry in a few seconds.' },
  admin_sign_in_required: { status: 401, hint: 'Sign in at /admin.' },
  admin_forbidden: { status: 403, hint: 'Your account is not listed in ADMIN_EMAILS.' },
  webhook_signature_invalid: { status: 401, hint: 'The Authorization header must be the HMAC-SHA256 of app_key + body with the app secret.' },
  metrics_token_invalid: { status: 401, hint: 'Send Authorization: Bearer <METRICS_TOKEN> (set bearer_token_file in the Prometheus scrape config).' },
  webhook_subscription_not_found: { status: 404, hint: 'Check the id (GET /v1/webhook-subscriptions lists your subscriptions).' },
  webhook_url_refused: { status: 400, hint: 'Use an https URL on a public address, or ask the operators to allow-list the host (WEBHOOK_URL_ALLOWLIST).' },
  webhook_delivery_not_found: { status: 404, hint: 'Check the delivery id (GET /v1/webhook-subscriptions/:id/deliveries lists them).' },
};

export interface ErrorBody {
  success: false;
  error: string;
  code: ErrorCode;
  hint: string;
  requestId: string;
  tiktok?: TikTokDetail;
}

/** 5xx codes whose message says nothing internal and tells the caller what to do (wait and retry). */
const exposedServerErrors: ReadonlySet<ErrorCode> = new Set(['not_ready', 'refresh_busy', 'database_unavailable']);

/** Renders a service error as interface.md's error shape. 5xx answers say nothing of internals. */
export function errorBody(error: ServiceError, requestId: string): { status: number; body: ErrorBody } {
  const { status, hint } = httpErrors[error.code];
  const exposed = status < 500 || error.code.startsWith('tiktok_') || exposedServerErrors.has(error.code);
  const body: ErrorBody = {
    success: false,
    error: exposed ? error.message : 'Something went wrong on our side.',
    code: exposed ? error.code : 'internal_error',
    hint: exposed ? (error.hint ?? fieldsHint(error) ?? hint) : httpErrors.internal_error.hint,
    requestId,
  };
  const tiktok = (error as { tiktok?: TikTokDetail }).tiktok;
  if (exposed && tiktok) body.tiktok = { code: tiktok.code, message: tiktok.message, ...(tiktok.requestId ? { requestId: tiktok.requestId } : {}) };
  return { status, body };
}

/** A validation failure's hint names the fields to fix (`body.method`, `query.limit`), when it knows them. */
function fieldsHint(error: ServiceError): string | undefined {
  if (!(error instanceof ValidationFailed)) return undefined;
  const fields = [...new Set(error.issues.map((issue) => issue.path).filter((path) => path !== ''))];
  if (fields.length === 0) return undefined;
  return `Fix ${fields.slice(0, 3).join(', ')} as the message says, and send the request again.`;
}
