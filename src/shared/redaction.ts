/**
 * Log paths pino must censor. Tokens, keys and secrets never reach a log line; URLs are cleaned
 * separately by {@link redactUrl} because pino redaction works on paths, not substrings.
 */
export const redactedLogPaths = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-tts-access-token"]',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-tts-access-token"]',
  '*.accessToken',
  '*.refreshToken',
  '*.access_token',
  '*.refresh_token',
  '*.appSecret',
  '*.app_secret',
  '*.apiKey',
  '*.key',
  'accessToken',
  'refreshToken',
  'appSecret',
  'apiKey',
];

/** Query parameters whose values are secrets (compared case-insensitively); API keys too, though they are refused there. */
const secretQueryParameters = ['app_secret', 'sign', 'access_token', 'refresh_token', 'auth_code', 'code', 'state', 'sig', 'api_key', 'apikey', 'api-key', 'x-api-key', 'key', 'token'];

/** Paths whose segment after the prefix is itself a secret (a connect link's token). */
const secretPathSegment = /^(\/connect\/)[^/?#]+/;

/** Replaces secret path segments and the values of secret query parameters with `[REDACTED]`. */
export function redactUrl(rawUrl: string): string {
  const url = rawUrl.replace(secretPathSegment, '$1[REDACTED]');
  const queryStart = url.indexOf('?');
  if (queryStart === -1) return url;
  const query = url
    .slice(queryStart + 1)
    .split('&')
    .map((pair) => {
      const name = decodeURIComponentSafe(pair.split('=')[0] ?? '');
      return secretQueryParameters.includes(name.toLowerCase()) ? `${pair.split('=')[0]}=[REDACTED]` : pair;
    })
    .join('&');
  return `${url.slice(0, queryStart)}?${query}`;
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const secretInText = new RegExp(`([?&](?:${secretQueryParameters.join('|')})=)[^&\\s"']+`, 'gi');

/** Censors secret query values inside free text (error messages and stacks that quote a URL). */
export function redactText(text: string): string {
  return text.replace(secretInText, '$1[REDACTED]');
}
