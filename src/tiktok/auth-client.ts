import type { TikTokCallObserver } from './call-observer.js';
import { fetchEnvelope, type FetchLike } from './fetch-envelope.js';
import { encodeQuery } from './query-string.js';
import { toTokenSet, type TokenSet } from './token-set.js';

export interface AuthClientOptions {
  fetch: FetchLike;
  /** e.g. `https://auth.tiktok-shops.com` */
  authBaseUrl: string;
  appKey: string;
  appSecret: string;
  /** Per call; default 10 000 ms. */
  timeoutMs?: number;
  /** Told about every call (metrics): token path, TikTok's code, duration. */
  observer?: TikTokCallObserver;
}

export interface AuthClient {
  /** Exchanges a one-time auth code (valid 30 minutes) for a token set. */
  getToken(authCode: string): Promise<TokenSet>;
  /** Exchanges a refresh token for a new token set; persist everything it returns, refresh token included. */
  refreshToken(refreshToken: string): Promise<TokenSet>;
}

/**
 * The token endpoints (`/api/v2/token/get` and `/refresh`). They are unsigned GETs with the app
 * secret in the query, so their URLs never reach a log or an error message. Not retried here:
 * an auth code is single-use, and refreshes are serialised by the caller.
 *
 * @example
 * const auth = createAuthClient({ fetch, authBaseUrl: 'https://auth.tiktok-shops.com', appKey, appSecret });
 * const tokens = await auth.getToken(code);
 * tokens.accessTokenExpiresAt // absolute Date, from access_token_expire_in (unix seconds)
 */
export function createAuthClient(options: AuthClientOptions): AuthClient {
  const base = options.authBaseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;

  async function exchange(apiPath: string, grant: Record<string, string>, secret: string, requireIdentity: boolean): Promise<TokenSet> {
    const query = { app_key: options.appKey, app_secret: options.appSecret, ...grant };
    const { envelope, status } = await fetchEnvelope(
      options.fetch,
      `${base}${apiPath}?${encodeQuery(query)}`,
      { method: 'GET', headers: { accept: 'application/json' } },
      {
        method: 'GET', apiPath, timeoutMs, secrets: [options.appSecret, secret], keepBodyOnError: false,
        ...(options.observer ? { observe: { observer: options.observer, api: apiPath, attempt: 1 } } : {}),
      },
    );
    return toTokenSet(envelope.data, { method: 'GET', apiPath, httpStatus: status }, { requireIdentity });
  }

  return {
    getToken(authCode) {
      return exchange('/api/v2/token/get', { auth_code: authCode, grant_type: 'authorized_code' }, authCode, true);
    },
    refreshToken(refreshToken) {
      return exchange('/api/v2/token/refresh', { refresh_token: refreshToken, grant_type: 'refresh_token' }, refreshToken, false);
    },
  };
}
