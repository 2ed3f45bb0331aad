export interface AuthorizeUrlInput {
  /** The full authorize page, e.g. `https://services.tiktokshop.com/open/authorize` (US: `https://services.tiktokshops.us/open/authorize`). */
  authorizeUrl: string;
  /** The app's service id from Partner Center (not the app key). */
  serviceId: string;
  /** CSRF state; optional for TikTok but always sent by this service. */
  state?: string;
}

/**
 * The seller authorize link. Any query already on `authorizeUrl` is kept, except `service_id` and
 * `state`, which are replaced. Values are percent-encoded with `%20` for spaces.
 *
 * @example
 * buildAuthorizeUrl({ authorizeUrl: 'https://services.tiktokshop.com/open/authorize', serviceId: '7212', state: 'a b' })
 * // 'https://services.tiktokshop.com/open/authorize?service_id=7212&state=a%20b'
 */
export function buildAuthorizeUrl(input: AuthorizeUrlInput): string {
  const url = new URL(input.authorizeUrl);
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !['service_id', 'state'].includes(decodeName(pair)));
  kept.push(`service_id=${encodeURIComponent(input.serviceId)}`);
  if (input.state !== undefined && input.state !== '') kept.push(`state=${encodeURIComponent(input.state)}`);
  return `${url.origin}${url.pathname}?${kept.join('&')}${url.hash}`;
}

export type AuthorizeCallback =
  | { kind: 'code'; code: string; state: string | undefined }
  | { kind: 'denied'; error: string; state: string | undefined };

/**
 * Reads TikTok's redirect query. Any `error` parameter, or a `code` that is missing, empty or the
 * text `null`, is a denial (the docs show both `auth_denied` and `access_denied`). `state` is
 * trimmed, and absent when empty (App Store installs send none). `app_key`, `locale` and
 * `shop_region` are informational and ignored.
 *
 * @example
 * parseAuthorizeCallback({ code: 'abc', state: ' s1 ' }) // { kind: 'code', code: 'abc', state: 's1' }
 * parseAuthorizeCallback({ code: 'null', error: 'access_denied' }) // { kind: 'denied', error: 'access_denied', state: undefined }
 */
export function parseAuthorizeCallback(query: Record<string, unknown>): AuthorizeCallback {
  const state = first(query.state)?.trim() || undefined;
  const error = first(query.error)?.trim();
  const code = first(query.code)?.trim();
  if (error) return { kind: 'denied', error, state };
  if (!code || code.toLowerCase() === 'null') return { kind: 'denied', error: 'missing_code', state };
  return { kind: 'code', code, state };
}

/** Express gives a string, an array for repeated names, or a nested object; only the first string counts. */
function first(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}

function decodeName(pair: string): string {
  const name = pair.split('=')[0] ?? '';
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return name;
  }
}
