import { createHmac } from 'node:crypto';

/** What goes into a TikTok Shop open API signature. */
export interface SignInput {
  appSecret: string;
  /** The request path only, e.g. `/order/202309/orders` (no host, no query). */
  path: string;
  /** Decoded query values, one per name. `sign` and `access_token` are ignored. */
  query: Record<string, string>;
  /** The exact body string that is sent; omit for no body. Ignored for multipart requests. */
  body?: string;
  contentType?: string;
}

const excludedParameters = new Set(['sign', 'access_token']);

/**
 * The string TikTok signs: path, then `name + value` for each query parameter in byte order of the
 * names (except `sign` and `access_token`), then the body unless multipart, wrapped in the secret.
 *
 * @example
 * stringToSign({ appSecret: 'e59af819cc', path: '/authorization/202309/shops',
 *   query: { app_key: '29a39d', timestamp: '1623812664' } })
 * // 'e59af819cc/authorization/202309/shopsapp_key29a39dtimestamp1623812664e59af819cc'
 */
export function stringToSign(input: SignInput): string {
  const names = Object.keys(input.query)
    .filter((name) => !excludedParameters.has(name))
    .sort(compareBytes);
  let base = input.path;
  for (const name of names) base += name + input.query[name];
  const multipart = input.contentType?.toLowerCase().startsWith('multipart/form-data') ?? false;
  if (!multipart && input.body !== undefined) base += input.body;
  return input.appSecret + base + input.appSecret;
}

/**
 * Lowercase hex HMAC-SHA256 of {@link stringToSign}, keyed with the app secret (TikTok API 202309+).
 *
 * @example
 * sign({ appSecret: 'e59af819cc', path: '/authorization/202309/shops',
 *   query: { app_key: '29a39d', timestamp: '1623812664' } })
 * // 'b596b73e0cc6de07ac26f036364178ab16b0a907af13d43f0a0cd2345f582dc8'
 */
export function sign(input: SignInput): string {
  return createHmac('sha256', input.appSecret).update(stringToSign(input), 'utf8').digest('hex');
}

/** Byte-order comparison of UTF-8 strings (not locale order, not UTF-16 code units). */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
