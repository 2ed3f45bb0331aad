import { AppNotFound } from '../shared/errors.js';
import type { ApiClient } from './api-client.js';
import type { AuthClient } from './auth-client.js';
import { verifyWebhookSignature } from './webhook-verify.js';

/** TikTok Shop's two partner platforms: the US Partner Center, and the global one (every other market). */
export type Market = 'global' | 'us';

/** One configured TikTok Shop app as the rest of the service sees it: its clients, never its secret. */
export interface TikTokApp {
  /** The configuration's id (`default` for TIKTOK_APP_KEY): what connections are keyed by. */
  id: string;
  market: Market;
  appKey: string;
  serviceId: string;
  authorizeUrl: string;
  authBaseUrl: string;
  apiBaseUrl: string;
  /** Code exchange (connect callback). */
  auth: AuthClient;
  /** Token refresh, with the refresher's shorter timeout. */
  refreshAuth: AuthClient;
  api: ApiClient;
  /** Whether `authorization` is this app's signature of a webhook body (constant time). */
  verifyWebhook(rawBody: Buffer, authorization: string | undefined): boolean;
}

/** What the registry is built from: an app's settings and the clients built for it. */
export interface TikTokAppInput extends Omit<TikTokApp, 'verifyWebhook'> {
  appSecret: string;
}

/** Every configured app, keyed by id; the one object the service asks "which app" (built once, in core.ts). */
export interface TikTokApps {
  /** In configuration order (`default` first when configured). */
  readonly list: readonly TikTokApp[];
  /** The app with this id; throws {@link AppNotFound}. */
  get(id: string): TikTokApp;
  has(id: string): boolean;
  /** The app whose app key TikTok named (`app_key` on an App Store install's callback). */
  byAppKey(appKey: string): TikTokApp | undefined;
  /** The apps of a market, in configuration order. */
  ofMarket(market: Market): TikTokApp[];
}

/**
 * The app registry: one client set per configured app. A secret stays inside its clients and its
 * webhook check; nothing here hands it out.
 *
 * @example
 * const apps = createTikTokApps([{ id: 'us', market: 'us', appKey, appSecret, ..., auth, refreshAuth, api }]);
 * apps.get('us').api.call(request);
 */
export function createTikTokApps(inputs: readonly TikTokAppInput[]): TikTokApps {
  const list: TikTokApp[] = inputs.map(({ appSecret, ...app }) => ({
    ...app,
    verifyWebhook: (rawBody, authorization) => verifyWebhookSignature({ appKey: app.appKey, appSecret, rawBody, authorization }),
  }));
  const byId = new Map(list.map((app) => [app.id, app]));
  return {
    list,
    get(id) {
      const app = byId.get(id);
      if (!app) throw new AppNotFound(id, list.map((known) => known.id));
      return app;
    },
    has: (id) => byId.has(id),
    byAppKey: (appKey) => list.find((app) => app.appKey === appKey),
    ofMarket: (market) => list.filter((app) => app.market === market),
  };
}
