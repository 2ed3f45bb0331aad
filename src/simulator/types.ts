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
  /** Default 90 days; absurdly long values (100 years) are fine. */
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
  /** Keeps sellers, grants and tokens in this file across restarts (development: `$DATA_DIR/simulator-state.json`). */
  stateFile?: string;
}

/** What can change at runtime through `control`. */
export interface SimulatorSettings {
  rotation: RotationMode;
  rotationGraceSeconds: number;
  accessTokenLifetimeSeconds: number;
  refreshTokenLifetimeSeconds: number;
  appScopes: string[];
}
