/**
 * What each TikTok Shop error code means, for three readers: the merchant (plain words), the
 * developer (what went wrong in the call), and the service (kind + whether a retry can help).
 *
 * Sources: /work/shared/tiktok-protocol.md §6 and §10 (Partner Center "Common errors", the API
 * references' error tables, field reports). The 10001–90004 codes come from generic articles about
 * "TikTok Shop API errors", not from TikTok Shop's Partner API: their entries say so (`source`).
 */

/** How the service should react to a code. */
export type TikTokErrorKind = 'transient' | 'token_expired' | 'grant_dead' | 'permission' | 'caller_bug' | 'policy';

export interface TikTokCodeEntry {
  /** TikTok's body `code`, or an HTTP status (401, 403, 429) when no body code applies. */
  code: number;
  kind: TikTokErrorKind;
  merchantExplanation: string;
  developerHint: string;
  remedy: string;
  retryable: boolean;
  /**
   * Where the code is known from: `partner-api` (Partner Center docs: common errors, API references),
   * `field-report` (real answers seen in public code, not in the docs), `http` (an HTTP status), or
   * `generic-article` (third-party articles; not a TikTok Shop Partner API code), `unknown` (not in the catalog).
   */
  source: 'partner-api' | 'field-report' | 'http' | 'generic-article' | 'unknown';
}

type Text = Omit<TikTokCodeEntry, 'code' | 'source'> & { source?: TikTokCodeEntry['source'] };

const reauthorize = 'The merchant must connect the shop again (re-authorize the app).';

const entries: Record<number, Text> = {
  401: {
    source: 'http',
    kind: 'caller_bug',
    merchantExplanation: 'TikTok did not accept our credentials for this request.',
    developerHint: 'HTTP 401 without a usable body code. TikTok answers 401 for a bad sign (106001) and for missing scopes; read the body code when there is one.',
    remedy: 'Check the app key and secret and the signature; if the body names a scope problem, follow 105005.',
    retryable: false,
  },
  403: {
    source: 'http',
    kind: 'policy',
    merchantExplanation: 'TikTok refused access to this information.',
    developerHint: 'HTTP 403 without a usable body code; TikTok Shop documents no meaning for it.',
    remedy: 'Check the app status, IP allow list and API packages in Partner Center.',
    retryable: false,
  },
  429: {
    source: 'http',
    kind: 'transient',
    merchantExplanation: 'TikTok is busy with too many requests from us; it will work again shortly.',
    developerHint: 'HTTP 429: rate limit (50 QPS per API per app and shop by default). No Retry-After is documented.',
    remedy: 'Back off exponentially with jitter and throttle per shop and API.',
    retryable: true,
  },
  ...undocumented([10001, 10002, 10003], 'a problem with the request or its credentials', "One third-party blog (echotik.live, 2025) lists 10001–10003 as invalid token / expired token / invalid client key; nothing official confirms it."),
  ...undocumented([20001, 20002, 20003], 'a problem TikTok did not explain', ''),
  ...undocumented([30001, 30002, 30003, 30004, 30005], 'a problem TikTok did not explain', ''),
  ...undocumented([40001, 40002, 40003, 40004], 'a problem with the request parameters', 'Other TikTok platforms use 4xxxx for invalid parameters; TikTok Shop does not say.'),
  ...undocumented([50001, 50002, 50003, 50004], 'a problem TikTok did not explain', 'Other TikTok platforms use 5xxxx for internal errors; TikTok Shop does not say, so this is not retried.'),
  ...undocumented([90001, 90002, 90003, 90004], 'a problem TikTok did not explain', ''),
  101000: {
    kind: 'caller_bug',
    merchantExplanation: 'The TikTok connection does not match this shop.',
    developerHint: 'The x-tts-access-token has the wrong user_type, is not tied to a shop, or its shop does not match shop_cipher; or category_asset_cipher is invalid.',
    remedy: `Re-fetch Get Authorized Shops and use the cipher from it; if it persists, ${reauthorize.toLowerCase()}`,
    retryable: false,
  },
  105001: {
    kind: 'token_expired',
    merchantExplanation: 'TikTok no longer accepts the current access key for your shop; we will renew it.',
    developerHint: 'Access token invalid (not marked deauthorized).',
    remedy: 'Refresh the token once; if 105001 repeats, mark the connection as needing re-authorization.',
    retryable: false,
  },
  105002: {
    kind: 'token_expired',
    merchantExplanation: 'The access key for your shop expired; we renew it automatically.',
    developerHint: 'Expired credentials: the x-tts-access-token has expired.',
    remedy: 'Refresh the token (single-flight per seller), then retry the call once.',
    retryable: false,
  },
  105005: {
    kind: 'permission',
    merchantExplanation: 'This app is not allowed to use this part of your TikTok Shop yet.',
    developerHint: 'Access denied: the app or the token lacks the API scope (package) this endpoint requires. This is not a token problem; refreshing does not help.',
    remedy: 'The app developer must enable the API package (scope) in Partner Center > Manage API; then the merchant re-authorizes so the new scope is granted.',
    retryable: false,
  },
  106001: {
    kind: 'caller_bug',
    merchantExplanation: 'Our request to TikTok was not signed correctly. This is our problem, not yours.',
    developerHint: 'Invalid sign (often with HTTP 401). Check the app secret, that the signed body equals the sent body, and that sign/access_token are excluded.',
    remedy: 'Alert the developers; do not retry blindly.',
    retryable: false,
  },
  106013: {
    kind: 'caller_bug',
    merchantExplanation: 'Our request did not say which shop it was for. This is our problem, not yours.',
    developerHint: 'shop_cipher query parameter missing on a shop-scoped API.',
    remedy: 'Send shop_cipher from Get Authorized Shops.',
    retryable: false,
  },
  36004001: {
    source: 'field-report',
    kind: 'grant_dead',
    merchantExplanation: 'Your authorization for this app has expired.',
    developerHint: 'Refresh token expired ("rt has expired"); reported in the field, not in the docs.',
    remedy: reauthorize,
    retryable: false,
  },
  36004004: {
    source: 'field-report',
    kind: 'grant_dead',
    merchantExplanation: 'The connection link expired or was already used. Please start connecting again.',
    developerHint: 'Invalid auth code at /api/v2/token/get: expired (30 min), already used, or wrong.',
    remedy: 'Restart the authorization; do not retry the exchange.',
    retryable: false,
  },
  36004005: {
    source: 'field-report',
    kind: 'grant_dead',
    merchantExplanation: 'TikTok no longer has an authorization for this app on your shop.',
    developerHint: '"can not find related auth record": the authorization is gone (reported in the field).',
    remedy: reauthorize,
    retryable: false,
  },
  36004003: {
    kind: 'policy',
    merchantExplanation: 'TikTok does not recognise our app right now. This is our problem, not yours.',
    developerHint: 'invalid client_key: the app key is wrong, or not on the allow list of the TikTok service called (Partner Center docs).',
    remedy: 'Check TIKTOK_APP_KEY (and the app\'s market: US and the rest of the world are separate apps); ask TikTok Partner support to allow-list the app if needed. Not a problem of this authorization: do not re-authorize.',
    retryable: false,
  },
  12019004: sellerInactive('Seller is inactive (product APIs).'),
  12052700: sellerInactive('The seller is inactive (product APIs).'),
  16603010: {
    kind: 'policy',
    merchantExplanation: 'TikTok has restricted your shop, so this action is not available right now.',
    developerHint: 'The seller is currently restricted by the platform.',
    remedy: 'The merchant resolves the restriction in TikTok Shop Seller Center; retrying does not help until then.',
    retryable: false,
  },
  38023052: {
    kind: 'policy',
    merchantExplanation: 'TikTok says your shop may not access this information.',
    developerHint: 'Seller is not authorised to access resource: the resource (order, package…) is not this seller\'s, or its market forbids access. Not an API scope problem.',
    remedy: 'Check that the id belongs to this shop and that the right shop_cipher was sent; do not retry blindly and do not ask the merchant to re-authorize.',
    retryable: false,
  },
  10006402: permissionDenied('permission denied (orders and fulfillment references).'),
  16032007: permissionDenied('Permission denied (returned by some product and promotion references).'),
  // Upload Product Image / Upload Product File
  12038002: callerBug('Invalid upload file: no `data` file part, or it is not a file.', 'Send the file in the multipart part named `data`.'),
  12038004: callerBug('The image format or content is not supported (JPG, JPEG, PNG, WEBP, HEIC, BMP).', 'Convert the image to a supported format.'),
  12038005: callerBug('The file size exceeds the maximum allowed size.', 'Send a smaller file (images up to 5–10 MB, PDF 20 MB, video 100 MB per the references).'),
  12019103: callerBug('The uploaded file is empty.', 'Send the file bytes in the `data` part.'),
  12019104: callerBug('The file name is empty.', 'Send the name, with its extension, in the `name` part.'),
  12019105: callerBug('The file format or content is not supported (PDF, MP4, MOV, MKV, WMV, WEBM, AVI, 3GP, FLV, MPEG).', 'Convert the file to a supported format.'),
  36009002: {
    kind: 'transient',
    merchantExplanation: 'TikTok is busy with too many requests from us; it will work again shortly.',
    developerHint: 'Too many requests (comes with HTTP 429).',
    remedy: 'Back off exponentially with jitter and throttle per shop and API.',
    retryable: true,
  },
  36009003: {
    kind: 'transient',
    merchantExplanation: 'TikTok had a temporary problem. We will try again.',
    developerHint: 'TikTok internal error.',
    remedy: 'Retry with backoff; writes (POST) are not retried automatically.',
    retryable: true,
  },
  36009004: {
    kind: 'caller_bug',
    merchantExplanation: 'TikTok rejected our request. This is our problem, not yours.',
    developerHint: 'Invalid request parameter; the message says which one.',
    remedy: 'Read the message and fix the request.',
    retryable: false,
  },
  36009007: {
    kind: 'transient',
    merchantExplanation: 'TikTok took too long to answer. We will try again.',
    developerHint: 'Request timeout at TikTok.',
    remedy: 'Retry; split large requests.',
    retryable: true,
  },
  36009009: callerBug('Invalid path: the API path does not exist.', 'Fix the path and its version.'),
  36009010: callerBug('Invalid method for this path.', 'Use the HTTP method the API reference gives.'),
  36009014: callerBug('The version name is invalid (retired or mistyped).', 'Move to a current API version.'),
  36009021: callerBug('File too large.', 'Send a smaller file.'),
  36009022: callerBug('The body must be JSON or multipart.', 'Send content-type application/json or multipart/form-data.'),
  36009023: callerBug('The body must be multipart/form-data.', 'Send the upload as multipart/form-data.'),
  36009033: {
    kind: 'policy',
    merchantExplanation: 'TikTok blocked our server because of a security setting on our app.',
    developerHint: "The caller's IP is not in the app's IP allow list.",
    remedy: 'Operations: add the server IPs to the allow list in Partner Center.',
    retryable: false,
  },
};

function sellerInactive(developerHint: string): Text {
  return {
    kind: 'policy',
    merchantExplanation: 'TikTok says your seller account is inactive, so this action is not available.',
    developerHint,
    remedy: 'The merchant reactivates the seller account in TikTok Shop Seller Center; the connection itself is fine, so do not re-authorize or retry until then.',
    retryable: false,
  };
}

function permissionDenied(developerHint: string): Text {
  return {
    kind: 'policy',
    merchantExplanation: 'TikTok refused this action for your shop.',
    developerHint: `${developerHint} Not the 105005 scope refusal: the seller or resource may not do this.`,
    remedy: 'Check that the resource belongs to this shop and that the shop may use the feature (market, seller type); do not retry blindly.',
    retryable: false,
  };
}

/** 36009004 means several things; the docs index them by message keywords. First match wins. */
const variants36009004: { match: RegExp; text: Text }[] = [
  {
    match: /access[_-]token/i,
    text: { ...entries[105001]!, developerHint: 'Invalid x-tts-access-token / access_token (36009004); handle like 105001.' },
  },
  {
    match: /timestamp/i,
    text: callerBug('Timestamp outside [now − 5 min, now + 30 s].', 'Fix the server clock (NTP); each attempt signs a fresh timestamp.'),
  },
  { match: /signature|missing credentials/i, text: callerBug('The sign query parameter is missing.', 'Sign every open API request.') },
  { match: /app_key/i, text: callerBug('Invalid app_key.', 'Check TIKTOK_APP_KEY.') },
  {
    match: /cipher/i,
    text: callerBug('shop_cipher or category_asset_cipher sent where the API does not take it.', 'Remove the cipher for this API.'),
  },
  { match: /shop_id/i, text: callerBug('Invalid shop_id query parameter.', 'Fix or remove shop_id.') },
  { match: /version/i, text: callerBug('Invalid version query parameter.', 'Remove the legacy version parameter.') },
];

/**
 * The catalog entry for a TikTok code. 36009004 is resolved by its message, 105001 by whether the
 * message says "deauthorized"; unknown codes get a safe, non-retryable default.
 *
 * @example
 * describeTikTokCode(105005).kind // 'permission'
 * describeTikTokCode(105001, 'your token has been deauthorized').kind // 'grant_dead'
 */
export function describeTikTokCode(code: number, message = ''): TikTokCodeEntry {
  if (code === 36009004) {
    const variant = variants36009004.find((candidate) => candidate.match.test(message));
    if (variant) return { code, source: 'partner-api', ...variant.text };
  }
  if (code === 105001 && /deauthori[sz]ed/i.test(message)) {
    return {
      code,
      kind: 'grant_dead',
      merchantExplanation: 'You removed this app from your TikTok Shop, so we can no longer act for it.',
      developerHint: 'Access token deauthorized by the seller (105001 "deauthorized").',
      remedy: reauthorize,
      retryable: false,
      source: 'partner-api',
    };
  }
  const text = entries[code];
  if (text) return { code, source: 'partner-api', ...text };
  return {
    code,
    source: 'unknown',
    kind: 'caller_bug',
    merchantExplanation: 'TikTok refused the request for a reason we do not recognise.',
    developerHint: `Code ${code} is not in the catalog; read TikTok's message and keep the request_id.`,
    remedy: "Look the code up in the endpoint's Partner Center reference; do not retry blindly.",
    retryable: false,
  };
}

/** The codes the catalog knows explicitly (HTTP statuses included). */
export function catalogCodes(): number[] {
  return Object.keys(entries).map(Number);
}

function callerBug(developerHint: string, remedy: string): Text {
  return {
    kind: 'caller_bug',
    merchantExplanation: 'TikTok rejected our request. This is our problem, not yours.',
    developerHint,
    remedy,
    retryable: false,
  };
}

/** Codes from generic articles about "TikTok Shop API errors": not TikTok Shop Partner API codes. */
function undocumented(codes: number[], what: string, note: string): Record<number, Text> {
  const text: Text = {
    source: 'generic-article',
    kind: 'caller_bug',
    merchantExplanation: `TikTok refused the request because of ${what}.`,
    developerHint: `Not a TikTok Shop Partner API code: it comes from generic articles about TikTok Shop API errors, and TikTok Shop's Partner Center documents no such code.${note ? ` ${note}` : ''}`,
    remedy: "Read TikTok's message and request_id, and ask TikTok Partner support; do not retry blindly.",
    retryable: false,
  };
  return Object.fromEntries(codes.map((code) => [code, text]));
}

/**
 * TikTok codes saying the token is not authorized for the shop of the call: TikTok's own remedy for
 * 101000 ("the x-tts-access-token is not associated with the shop identified by shop_cipher") is to
 * fetch Get Authorized Shops again, as the seller may have removed the shop from the authorization.
 * No 105xxx code for this is documented (105001/105002/105005 are token and scope answers).
 *
 * @example
 * meansShopNotAuthorized(101000) // true
 */
export function meansShopNotAuthorized(code: number): boolean {
  return code === 101000;
}
