import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js';
import type { Clock } from '../../src/shared/clock.js';
import { referenceSign } from '../../src/simulator/reference-signature.js';

export const appKey = 'sim-app-key';
export const appSecret = 'sim-app-secret';
export const serviceId = '7000000000000000001';
export const redirectUrl = 'https://connect.example.test/callback';

export interface FakeClock extends Clock {
  advance(seconds: number): void;
  seconds(): number;
}

/** Starts at 2026-03-01T12:00:00Z and moves only when told to. */
export function fakeClock(start = Date.UTC(2026, 2, 1, 12, 0, 0)): FakeClock {
  let ms = start;
  return {
    now: () => new Date(ms),
    advance: (seconds) => void (ms += seconds * 1000),
    seconds: () => Math.floor(ms / 1000),
  };
}

export async function start(clock: FakeClock, options: Partial<SimulatorOptions> = {}): Promise<RunningSimulator> {
  return startSimulator({ appKey, appSecret, serviceId, redirectUrl, clock, ...options });
}

export interface TokenData {
  access_token: string;
  access_token_expire_in: number;
  refresh_token: string;
  refresh_token_expire_in: number;
  open_id: string;
  seller_name: string;
  seller_base_region: string;
  user_type: number;
  granted_scopes: string[];
}

export interface Envelope<T = unknown> {
  code: number;
  message: string;
  request_id: string;
  data?: T;
}

export async function getJson<T = unknown>(url: string, init?: RequestInit): Promise<{ status: number; body: Envelope<T> }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Envelope<T> };
}

export function tokenGet(sim: RunningSimulator, code: string, overrides: Record<string, string> = {}) {
  const query = new URLSearchParams({ app_key: appKey, app_secret: appSecret, auth_code: code, grant_type: 'authorized_code', ...overrides });
  return getJson<TokenData>(`${sim.url}/api/v2/token/get?${query}`);
}

export function tokenRefresh(sim: RunningSimulator, refreshToken: string) {
  const query = new URLSearchParams({ app_key: appKey, app_secret: appSecret, refresh_token: refreshToken, grant_type: 'refresh_token' });
  return getJson<TokenData>(`${sim.url}/api/v2/token/refresh?${query}`);
}

/** Authorizes a seller programmatically and exchanges the code. */
export async function authorize(sim: RunningSimulator, openId: string, grantedScopes?: string[]): Promise<TokenData> {
  const { body } = await tokenGet(sim, sim.control.issueAuthCode({ openId, grantedScopes }));
  if (body.code !== 0 || body.data === undefined) throw new Error(`token get failed: ${body.code} ${body.message}`);
  return body.data;
}

export interface SignedCall {
  method?: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: string;
  accessToken?: string;
  timestamp?: number;
  /** Applied to the correct signature before sending. */
  tamperSign?: (sign: string) => string;
  /** The body actually sent, when it should differ from the signed one. */
  sentBody?: string;
  /** Prefix of the mount point, e.g. `/simulator`. */
  base?: string;
  /** The content-type header; default `application/json` on every call, as TikTok requires. `null`: none sent. */
  contentType?: string | null;
}

/**
 * Signs with the simulator's protocol-derived `referenceSign()`, not the service's signer, so these
 * tests never depend on src/tiktok/sign.ts being right (reference-signature.test.ts cross-checks both).
 */
export function signedCall(baseUrl: string, clock: FakeClock, call: SignedCall) {
  const query: Record<string, string> = {
    app_key: appKey,
    timestamp: String(call.timestamp ?? clock.seconds()),
    ...call.query,
  };
  const contentType = call.contentType === null ? undefined : (call.contentType ?? 'application/json');
  const signature = referenceSign({ appSecret, path: call.path, query, body: call.body, contentType });
  const search = new URLSearchParams({ ...query, sign: call.tamperSign ? call.tamperSign(signature) : signature });
  const headers: Record<string, string> = {};
  if (contentType !== undefined) headers['content-type'] = contentType;
  if (call.accessToken !== undefined) headers['x-tts-access-token'] = call.accessToken;
  const body = call.sentBody ?? call.body;
  return getJson(`${baseUrl}${call.base ?? ''}${call.path}?${search.toString().replace(/\+/g, '%20')}`, {
    method: call.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
}

/** Changes one hex digit. */
export function flipOneChar(value: string, index = 0): string {
  const char = value[index] === 'a' ? 'b' : 'a';
  return value.slice(0, index) + char + value.slice(index + 1);
}
