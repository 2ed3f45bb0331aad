import { AppForbidden, AppNotFound, ValidationFailed } from '../shared/errors.js';
import type { Market, TikTokApp, TikTokApps } from '../tiktok/index.js';

/** Which TikTok Shop app a connect link uses (#13): named, by market, the only one, or the merchant's choice. */
export interface AppRequest {
  app?: string | undefined;
  market?: Market | undefined;
  /** The API client's apps; undefined: every app. */
  allowedApps?: ReadonlySet<string> | undefined;
}

export type AppCatalog = Pick<TikTokApps, 'list' | 'get'>;

/**
 * The app a new connect link is for, or null when the merchant chooses their market on the connect
 * page (several markets are served, and neither `app` nor `market` was given). `market` picks the first
 * app of that market in configuration order. A key limited to some apps never gets a link for another.
 */
export function chooseSessionApp(apps: AppCatalog, request: AppRequest): string | null {
  const allowed = (app: TikTokApp) => !request.allowedApps || request.allowedApps.has(app.id);
  if (request.app !== undefined) {
    const app = apps.get(request.app);
    if (!allowed(app)) throw new AppForbidden(app.id);
    if (request.market !== undefined && app.market !== request.market) {
      throw new ValidationFailed(`The app "${app.id}" serves the ${app.market} market, not ${request.market}.`, [{ path: 'body.market', message: `the app's market is ${app.market}` }]);
    }
    return app.id;
  }
  const candidates = apps.list.filter(allowed);
  if (candidates.length === 0) throw new AppForbidden(apps.list.map((app) => app.id).join(', '));
  if (request.market !== undefined) {
    const app = candidates.find((candidate) => candidate.market === request.market);
    if (!app) throw new AppNotFound(`market:${request.market}`, candidates.map((candidate) => `${candidate.id} (${candidate.market})`));
    return app.id;
  }
  const markets = marketsOf(candidates);
  if (markets.length === 1) return candidates[0]!.id;
  // Several markets: the merchant says where they sell. A key limited to some apps must say which.
  if (request.allowedApps) {
    throw new ValidationFailed('This key is limited to apps of several markets: give "app" or "market".', [{ path: 'body.app', message: 'required for this key' }]);
  }
  return null;
}

/** The markets the merchant may choose from on the connect page, in a fixed order (global, then US). */
export function marketsOf(apps: readonly Pick<TikTokApp, 'market'>[]): Market[] {
  return (['us', 'global'] as const).filter((market) => apps.some((app) => app.market === market));
}

/** The app of a session, or of the market the merchant chose on the page; undefined when a choice is still needed. */
export function appOfChoice(apps: AppCatalog, sessionApp: string | null, market: Market | undefined): TikTokApp | undefined {
  if (sessionApp !== null) return apps.get(sessionApp);
  if (marketsOf(apps.list).length === 1) return apps.list[0];
  return market === undefined ? undefined : apps.list.find((app) => app.market === market);
}
