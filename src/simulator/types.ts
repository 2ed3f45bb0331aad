import type { Clock } from '../shared/clock.js';

/** How `/api/v2/token/refresh` treats the refresh token it was given (TikTok does not document it). */
export type RotationMode = 'strict' | 'non-rotating' | 'grace';

export type SellerType = 'LOCAL' | 'CROSS_BORDER';

export interface SimulatedShop {
  /** Numeric string; webhooks carry it as `shop_id`. */
  id: string;
  cipher: string;
  code: string;
  name: string;
  region: string;
}

export interface SimulatedSeller {
  openId: string;
  name: string;
  baseRegion: string;
  sellerType: SellerType;
  shops: SimulatedShop[];
}

export interface SimulatorOptions {
  appKey: string;
  appSecret: string;
  serviceId: string;
  /** The service's OAuth callback; the authorize page redirects there. */
  redirectUrl: string;
  clock: Clock;
  /** Default 7 days. */
  accessTokenLifetimeSeconds?: number;
  /**
   * Default 365 days: TikTok's payloads show a year and more (some about a hundred years), never 90
   * days; absurdly long values are fine.
   */
  refreshTokenLifetimeSeconds?: number;
  /** Default `strict`. */
  rotation?: RotationMode;
  /** How long a rotated-away refresh token keeps working in `grace` mode. Default 60. */
  rotationGraceSeconds?: number;
  /** Scopes enabled on the app in Partner Center. Default {@link defaultAppScopes}. */
  appScopes?: string[];
  /** Used to deliver webhooks. Default: global fetch. */
  fetch?: typeof fetch;
  /** Shown on the authorize page and in `/_sim/state`, to tell simulators apart. */
  label?: string;
  /** Where TikTok's behaviour is undocumented, the stricter side; see {@link StrictSettings}. Default: all strict. */
  strict?: Partial<StrictSettings>;
  /** Keeps sellers, grants and tokens in this file across restarts (development: `$DATA_DIR/simulator-state.json`). */
  stateFile?: string;
  /** Waits between TikTok's retries of an unacknowledged webhook. Default +2 min, +30 min, +3 h, +12 h; tests compress them. */
  webhookRetryDelaysMs?: number[];
}

/**
 * The simulator takes the stricter side wherever TikTok's behaviour is undocumented; each can be
 * relaxed (tests flip them through `control.setStrict` or `PUT /_sim/settings`).
 */
export interface StrictSettings {
  /** Refuse an open API call without `content-type` (application/json; multipart/form-data for uploads). Every API reference marks it required. */
  requireContentType: boolean;
  /** A refresh makes every earlier access token of the grant invalid (105001), so nothing may keep using an old one. */
  refreshRevokesAccessTokens: boolean;
  /** Refuse `access_token` in the query (deprecated since 202309; only the `x-tts-access-token` header). */
  refuseQueryAccessToken: boolean;
  /** Sellers approve the app's whole scope list or nothing (per-scope opt-out is documented for creators only). */
  allOrNothingScopes: boolean;
}

export const strictDefaults: StrictSettings = {
  requireContentType: true,
  refreshRevokesAccessTokens: true,
  refuseQueryAccessToken: true,
  allOrNothingScopes: true,
};

/** What can change at runtime through `control`. */
export interface SimulatorSettings {
  rotation: RotationMode;
  rotationGraceSeconds: number;
  accessTokenLifetimeSeconds: number;
  refreshTokenLifetimeSeconds: number;
  appScopes: string[];
  strict: StrictSettings;
  /** false: token answers leave `granted_scopes` out, as older grants and several public payloads do. Default true. */
  sendGrantedScopes: boolean;
}
