import type { SimulatedSeller, SimulatorSettings } from './types.js';

export interface AuthCodeRecord {
  code: string;
  openId: string;
  grantedScopes: string[];
  expiresAt: number;
  usedAt?: number;
}

/** One seller authorization: what a token get creates and a refresh keeps alive. */
export interface GrantRecord {
  id: string;
  openId: string;
  grantedScopes: string[];
  /** Absolute unix seconds; fixed at authorization time, refresh does not extend it. */
  refreshTokenExpiresAt: number;
  createdAt: number;
  revokedAt?: number;
}

export interface AccessTokenRecord {
  token: string;
  grantId: string;
  expiresAt: number;
  /** Set when a refresh replaced it (strict mode): refused from then on. */
  supersededAt?: number;
}

export interface RefreshTokenRecord {
  token: string;
  grantId: string;
  /** Set when a refresh replaced this token (strict and grace modes). */
  rotatedAt?: number;
}

export interface SimulatorCounters {
  /** Calls to `/api/v2/token/get`. */
  tokenGets: number;
  /** Calls to `/api/v2/token/refresh`; `byOpenId` counts those whose token was known. */
  refreshes: { total: number; byOpenId: Record<string, number> };
  badSignatures: number;
  /** Rotated-away refresh tokens presented again (refused in strict mode, accepted in grace). */
  reusedRefreshTokens: number;
  /** Open API calls by endpoint path template (unknown paths by their literal path). */
  apiCalls: { total: number; byPath: Record<string, number> };
  scopeDenied: number;
  rateLimited: number;
  serverErrors: number;
  webhooksSent: number;
  /** Calls refused by a strict setting (no content-type, `access_token` in the query, a superseded access token). */
  strictRefusals: number;
  /** Uploads accepted (Upload Product Image / File), with their bytes. */
  uploads: { total: number; bytes: number };
}

export interface SimulatorState {
  sellers: Map<string, SimulatedSeller>;
  authCodes: Map<string, AuthCodeRecord>;
  grants: Map<string, GrantRecord>;
  accessTokens: Map<string, AccessTokenRecord>;
  refreshTokens: Map<string, RefreshTokenRecord>;
  settings: SimulatorSettings;
  counters: SimulatorCounters;
  /** The Event API's registrations: shop id → event type name (`ORDER_STATUS_CHANGE`) → address. */
  shopWebhooks: Map<string, Map<string, ShopWebhook>>;
}

export interface ShopWebhook {
  address: string;
  createTime: number;
  updateTime: number;
}

export function emptyCounters(): SimulatorCounters {
  return {
    tokenGets: 0,
    refreshes: { total: 0, byOpenId: {} },
    badSignatures: 0,
    reusedRefreshTokens: 0,
    apiCalls: { total: 0, byPath: {} },
    scopeDenied: 0,
    rateLimited: 0,
    serverErrors: 0,
    webhooksSent: 0,
    strictRefusals: 0,
    uploads: { total: 0, bytes: 0 },
  };
}

export function createState(settings: SimulatorSettings): SimulatorState {
  return {
    sellers: new Map(),
    authCodes: new Map(),
    grants: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
    settings,
    counters: emptyCounters(),
    shopWebhooks: new Map(),
  };
}

export function increment(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}
