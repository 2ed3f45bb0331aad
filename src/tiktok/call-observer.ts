import { isTikTokError } from './errors.js';

/** One HTTP exchange with TikTok as metrics see it: bounded labels only, never a URL, id or token. */
export interface TikTokCall {
  /** The endpoint's template from the scope table (`/product/202309/products/{product_id}`), a token path, or `(unlisted)`. */
  api: string;
  method: string;
  /**
   * How it ended: `0` for success, TikTok's code when it answered with one (`105005`), `http_<status>`
   * for an answer without an envelope, otherwise the error's code (`tiktok_unavailable` for a network
   * failure or timeout).
   */
  code: string;
  seconds: number;
  /** 1 for the first attempt, 2 for the first retry… */
  attempt: number;
}

/** Told about every exchange with TikTok (each attempt); must not throw. */
export type TikTokCallObserver = (call: TikTokCall) => void;

/** The label for endpoints the scope table does not list, so raw paths (with ids) never become label values. */
export const unlistedApi = '(unlisted)';

/**
 * The outcome label of a finished exchange: `0`, TikTok's code, `http_<status>`, or the error's code.
 *
 * @example
 * callOutcome(undefined) // '0'
 * callOutcome(new TikTokRequestRejected('…', { method: 'GET', apiPath: '/x', tiktok: { code: 105005, … } })) // '105005'
 */
export function callOutcome(error: unknown): string {
  if (error === undefined) return '0';
  // ScopeMissing (105005) is a shared error, not a TikTokError, but carries TikTok's code too.
  const tiktok = (error as { tiktok?: { code?: unknown } } | null)?.tiktok;
  if (typeof tiktok?.code === 'number') return String(tiktok.code);
  if (!isTikTokError(error)) return 'error';
  return error.httpStatus !== undefined ? `http_${error.httpStatus}` : error.code;
}
