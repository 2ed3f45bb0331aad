import { callOutcome, type TikTokCallObserver } from './call-observer.js';
import type { TikTokEnvelope } from './envelope.js';
import { parseEnvelope } from './envelope.js';
import type { RawTikTokResponse } from './errors.js';
import type { ScopeIndex } from './scopes.js';
import { toTikTokError } from './to-tiktok-error.js';

/** The part of WHATWG `fetch` the clients use; undici's `fetch` and the global one both fit. */
export type FetchLike = (url: string, init: FetchInit) => Promise<ResponseLike>;

export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  /** A string, or a stream of bytes sent as it is read (an upload; then `duplex: 'half'`, as WHATWG fetch requires). */
  body?: string | AsyncIterable<Uint8Array>;
  duplex?: 'half';
  signal: AbortSignal;
}

export interface ResponseLike {
  status: number;
  headers: { forEach(callback: (value: string, name: string) => void): void };
  text(): Promise<string>;
}

export interface EnvelopeResult {
  status: number;
  envelope: TikTokEnvelope;
  /** The body exactly as TikTok sent it (numbers as written, e.g. ids past 2^53). */
  text: string;
  requestId: string | undefined;
  headers: Record<string, string>;
}

export interface EnvelopeCallOptions {
  method: string;
  apiPath: string;
  timeoutMs: number;
  /** Kept out of error messages. */
  secrets: readonly string[];
  /** false for token endpoints, whose bodies carry tokens: the attached raw response then omits the body. */
  keepBodyOnError: boolean;
  /** Names the scopes of a 105005 answer in its error. */
  scopes?: Pick<ScopeIndex, 'requiredScopesFor'>;
  /** Told how the exchange ended and how long it took (metrics); `api` is its bounded label. */
  observe?: { observer: TikTokCallObserver; api: string; attempt: number };
}

/**
 * One HTTP exchange with TikTok, read as an envelope whatever the status, under `AbortSignal.timeout`.
 * Resolves only for `code === 0` with a 2xx status; everything else throws through {@link toTikTokError}.
 *
 * @example
 * const { envelope } = await fetchEnvelope(fetch, url, { method: 'GET', headers: {} },
 *   { method: 'GET', apiPath: '/api/v2/token/get', timeoutMs: 10_000, secrets: [appSecret], keepBodyOnError: false });
 */
export async function fetchEnvelope(
  fetch: FetchLike,
  url: string,
  init: Omit<FetchInit, 'signal'>,
  options: EnvelopeCallOptions,
): Promise<EnvelopeResult> {
  const { observe } = options;
  if (!observe) return exchange(fetch, url, init, options);
  const started = performance.now();
  let failure: unknown;
  try {
    return await exchange(fetch, url, init, options);
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    const seconds = (performance.now() - started) / 1000;
    observe.observer({ api: observe.api, method: options.method, code: callOutcome(failure), seconds, attempt: observe.attempt });
  }
}

async function exchange(
  fetch: FetchLike,
  url: string,
  init: Omit<FetchInit, 'signal'>,
  options: EnvelopeCallOptions,
): Promise<EnvelopeResult> {
  const context = { method: options.method, apiPath: options.apiPath, secrets: options.secrets, timeoutMs: options.timeoutMs, scopes: options.scopes };
  let status: number;
  let headers: Record<string, string>;
  let text: string;
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
    status = response.status;
    headers = headerRecord(response);
    text = await response.text();
  } catch (failure) {
    throw toTikTokError({ failure }, context);
  }

  const raw: RawTikTokResponse = { status, headers, body: options.keepBodyOnError ? text : '[omitted]' };
  const envelope = parseEnvelope(text);
  if (!envelope) {
    throw toTikTokError({ failure: new SyntaxError('The response body is not a TikTok JSON envelope.') }, { ...context, httpStatus: status, response: raw });
  }
  if (envelope.code !== 0 || status < 200 || status >= 300) {
    throw toTikTokError(envelope, { ...context, httpStatus: status, response: raw });
  }
  return { status, envelope, text, requestId: envelope.request_id, headers };
}

function headerRecord(response: ResponseLike): Record<string, string> {
  const record: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    record[name.toLowerCase()] = value;
  });
  return record;
}
