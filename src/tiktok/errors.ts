import { ServiceError, type TikTokDetail } from '../shared/errors.js';
import type { TikTokCodeEntry } from './error-catalog.js';

/** What TikTok sent back, kept for debugging. Attached non-enumerably, so it never reaches JSON or logs by accident. */
export interface RawTikTokResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface TikTokErrorInit {
  method: string;
  apiPath: string;
  httpStatus?: number;
  tiktok?: TikTokDetail;
  entry?: TikTokCodeEntry;
  cause?: unknown;
  response?: RawTikTokResponse;
}

/**
 * Base of every failure that came from talking to TikTok. `tiktok` is set when TikTok answered with
 * its envelope; `entry` is the catalog explanation of the code; the original failure is `cause`.
 */
export abstract class TikTokError extends ServiceError {
  abstract override readonly code:
    | 'tiktok_unavailable'
    | 'tiktok_rate_limited'
    | 'tiktok_token_expired'
    | 'tiktok_grant_dead'
    | 'tiktok_auth_code_invalid'
    | 'tiktok_request_rejected'
    | 'tiktok_path_not_found'
    | 'tiktok_method_not_allowed'
    | 'tiktok_bad_response';
  readonly method: string;
  readonly apiPath: string;
  readonly httpStatus?: number;
  readonly tiktok?: TikTokDetail;
  readonly entry?: TikTokCodeEntry;
  declare readonly response?: RawTikTokResponse;

  constructor(message: string, init: TikTokErrorInit) {
    super(message, { cause: init.cause, hint: init.entry?.remedy });
    this.method = init.method;
    this.apiPath = init.apiPath;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.tiktok) this.tiktok = init.tiktok;
    if (init.entry) this.entry = init.entry;
    attachResponse(this, init.response);
  }
}

/** Network failure, timeout, 5xx/503, 36009003 or 36009007. Retried for idempotent methods only. */
export class TikTokUnavailable extends TikTokError {
  readonly code = 'tiktok_unavailable';
}

/** HTTP 429 or 36009002. Retried for every method. */
export class TikTokRateLimited extends TikTokError {
  readonly code = 'tiktok_rate_limited';
}

/** 105002 (or 105001 / 36009004 about the token without "deauthorized"): refresh once, then retry. */
export class TikTokTokenExpired extends TikTokError {
  readonly code = 'tiktok_token_expired';
}

/** 36004001, 36004005, 105001 "deauthorized": the merchant must re-authorize. */
export class TikTokGrantDead extends TikTokError {
  readonly code = 'tiktok_grant_dead';
}

/** 36004004: the auth code is expired, used or wrong; restart the authorization. */
export class TikTokAuthCodeInvalid extends TikTokError {
  readonly code = 'tiktok_auth_code_invalid';
}

/** Caller bugs and policy refusals (106001, 106013, 36009004, 101000, 360090xx, unknown codes…). Never retried. */
export class TikTokRequestRejected extends TikTokError {
  readonly code = 'tiktok_request_rejected';
}

/** 36009009: TikTok has no API at this path (a caller's mistake: the path or its version). Never retried. */
export class TikTokPathNotFound extends TikTokError {
  readonly code = 'tiktok_path_not_found';
}

/** 36009010: TikTok's API at this path does not take this method (a caller's mistake). Never retried. */
export class TikTokMethodNotAllowed extends TikTokError {
  readonly code = 'tiktok_method_not_allowed';
}

/** TikTok answered, but not with something we can use (no envelope, or `data` missing required fields). */
export class TikTokBadResponse extends TikTokError {
  readonly code = 'tiktok_bad_response';
}

/** Every concrete TikTok error, for exhaustive `switch (error.code)`. */
export type AnyTikTokError =
  | TikTokUnavailable
  | TikTokRateLimited
  | TikTokTokenExpired
  | TikTokGrantDead
  | TikTokAuthCodeInvalid
  | TikTokRequestRejected
  | TikTokPathNotFound
  | TikTokMethodNotAllowed
  | TikTokBadResponse;

export function isTikTokError(error: unknown): error is AnyTikTokError {
  return error instanceof TikTokError;
}

/** Defines `response` as a non-enumerable property (oauth4webapi `ResponseBodyError` style). */
export function attachResponse(target: object, response: RawTikTokResponse | undefined): void {
  if (response === undefined) return;
  Object.defineProperty(target, 'response', { value: response, enumerable: false, writable: false, configurable: true });
}
