import { ReturnUrlNotAllowed } from '../shared/errors.js';

/**
 * Accepts a return URL only when it is http(s) and its origin is exactly one of `allowlist`
 * (origins such as `https://app.example.com`), so a connect link can never redirect elsewhere.
 *
 * @example
 * checkReturnUrl('https://app.example.com/done?x=1', ['https://app.example.com']) // 'https://app.example.com/done?x=1'
 * checkReturnUrl('https://evil.example/', ['https://app.example.com']) // throws ReturnUrlNotAllowed
 */
export function checkReturnUrl(value: string, allowlist: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ReturnUrlNotAllowed('returnUrl is not an absolute URL.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ReturnUrlNotAllowed('returnUrl must be an http or https URL.');
  }
  if (url.username !== '' || url.password !== '') throw new ReturnUrlNotAllowed('returnUrl must not carry credentials.');
  if (!allowlist.includes(url.origin)) {
    throw new ReturnUrlNotAllowed(`returnUrl origin ${url.origin} is not on the allow-list (RETURN_URL_ALLOWLIST).`);
  }
  return url.href;
}

/** The return URL with the outcome of the connect flow added to its query. */
export function returnUrlWithOutcome(returnUrl: string, params: { connectionId: string; outcome: string }): string {
  const url = new URL(returnUrl);
  url.searchParams.set('connectionId', params.connectionId);
  url.searchParams.set('outcome', params.outcome);
  return url.href;
}
