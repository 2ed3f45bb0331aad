import { unixSeconds } from '../shared/clock.js';
import { ValidationFailed } from '../shared/errors.js';
import { encodeQuery, normalizeQuery, type QueryValue } from './query-string.js';
import { sign } from './sign.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One open API call as a caller describes it. */
export interface ApiRequest {
  method: string;
  /** Path only, e.g. `/order/202309/orders/search`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** A string is sent and signed as-is; any other JSON value is `JSON.stringify`'d once. `null`/`undefined`: no body. */
  body?: string | Exclude<JsonValue, string>;
  accessToken: string;
  shopCipher?: string;
  /**
   * The Content-Type to send. Default `application/json`, sent on every call, GETs and body-less ones
   * included (every API reference marks it required). `multipart/form-data; boundary=…` (uploads):
   * sent as given, and the body is left out of the signature, as TikTok's scheme says.
   */
  contentType?: string;
}

/** Exactly what goes on the wire: the body string here is the one that was signed. */
export interface PreparedRequest {
  method: string;
  url: string;
  /** Decoded query values, including `app_key`, `timestamp`, `shop_cipher` (when given) and `sign`. */
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string | undefined;
}

export interface SigningConfig {
  apiBaseUrl: string;
  appKey: string;
  appSecret: string;
}

/**
 * Query names the client sets itself, the one list: a caller may not set them (the access token goes
 * in a header; the API version is part of the path since 202309, never a `version` parameter).
 */
export const reservedQueryNames: ReadonlySet<string> = new Set(['app_key', 'timestamp', 'sign', 'access_token', 'shop_cipher', 'version']);

/**
 * Whether an API caller may not send this query name (any case): every reserved name but
 * `shop_cipher`, which a caller may give to override the cipher rule (the service then signs it).
 */
export function reservedForCallers(name: string): boolean {
  const lower = name.toLowerCase();
  return lower !== 'shop_cipher' && reservedQueryNames.has(lower);
}

/** What a TikTok shop id looks like (digits in practice; letters, `_` and `-` tolerated), the one pattern. */
export const shopIdPattern = /^[0-9A-Za-z_-]{1,64}$/;
const pathPattern = /^\/[A-Za-z0-9_\-./~]*$/;
const jsonContentType = 'application/json';

/** Whether a Content-Type is `multipart/form-data` (TikTok's upload format), whatever its parameters. */
export function isMultipart(contentType: string | undefined): boolean {
  return (contentType?.split(';', 1)[0] ?? '').trim().toLowerCase() === 'multipart/form-data';
}

/**
 * Builds and signs one request with the given time (unix seconds are taken from `now`).
 * Throws {@link ValidationFailed} for a malformed path, a reserved query name, or unencodable text.
 *
 * @example
 * prepareSignedRequest({ apiBaseUrl: 'https://open-api.tiktokglobalshop.com', appKey: '29a39d', appSecret: 'e59af819cc' },
 *   { method: 'GET', path: '/authorization/202309/shops', accessToken: 'TTP_x' }, new Date(1623812664000))
 * // { url: '…/authorization/202309/shops?app_key=29a39d&timestamp=1623812664&sign=b596b73e…', body: undefined, … }
 */
export function prepareSignedRequest(config: SigningConfig, request: ApiRequest, now: Date): PreparedRequest {
  const method = request.method.toUpperCase();
  if (!pathPattern.test(request.path) || request.path.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw new ValidationFailed('The TikTok API path must look like /category/version/resource.', [
      { path: 'path', message: 'letters, digits, _ - . ~ and / only, starting with /' },
    ]);
  }
  const callerQuery = normalizeQuery(request.query);
  const reserved = Object.keys(callerQuery).filter((name) => reservedQueryNames.has(name));
  if (reserved.length > 0) {
    throw new ValidationFailed(`The query must not set ${reserved.join(', ')}; the client adds them.`, reserved.map((name) => ({ path: `query.${name}`, message: 'reserved' })));
  }

  const query: Record<string, string> = {
    ...callerQuery,
    app_key: config.appKey,
    timestamp: String(unixSeconds(now)),
  };
  if (request.shopCipher) query.shop_cipher = request.shopCipher;

  const body = request.body === undefined || request.body === null ? undefined : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  const contentType = request.contentType ?? jsonContentType;
  if (isMultipart(contentType) && body !== undefined) {
    throw new ValidationFailed('A multipart/form-data request is signed without its body, so give no body to sign: send the form itself with the signed URL and headers.', [
      { path: 'body', message: 'leave it out for multipart/form-data' },
    ]);
  }
  const headers: Record<string, string> = { 'x-tts-access-token': request.accessToken, 'content-type': contentType };

  query.sign = sign({ appSecret: config.appSecret, path: request.path, query, body, contentType });

  let search: string;
  try {
    search = encodeQuery(query);
  } catch {
    throw new ValidationFailed('A query value is not valid Unicode text (it has a lone surrogate).');
  }
  return { method, url: `${config.apiBaseUrl.replace(/\/+$/, '')}${request.path}?${search}`, query, headers, body };
}
