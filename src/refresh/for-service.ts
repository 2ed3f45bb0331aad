import type { SqlRunner } from '../db/sql.js';
import { createRefreshStore } from '../db/stores/refresh-store.js';
import { createAuthClient, type FetchLike, type TikTokCallObserver } from '../tiktok/index.js';
import { createRefresher, type Refresher, type RefresherDeps } from './refresher.js';

export interface RefresherForServiceDeps extends Omit<RefresherDeps, 'store' | 'auth'> {
  sql: SqlRunner;
  fetch: FetchLike;
  tiktok: { authBaseUrl: string; appKey: string; appSecret: string; observer?: TikTokCallObserver };
}

/**
 * The refresher as the service and the operator CLI run it: its store over `sql`, and a token client
 * whose calls always end well inside the claim lease (at most half of it, and 10 s), so another
 * replica never takes over a refresh that is still waiting for TikTok.
 *
 * @example
 * const refresher = createRefresherForService({ sql: db.sql, fetch, tiktok: config.tiktok, vault, clock, logger,
 *   audit, metrics: metrics.refresh, problems, settings: config.refresh });
 */
export function createRefresherForService(deps: RefresherForServiceDeps): Refresher {
  const { sql, fetch, tiktok, ...rest } = deps;
  return createRefresher({
    ...rest,
    store: createRefreshStore(sql),
    auth: createAuthClient({
      fetch,
      authBaseUrl: tiktok.authBaseUrl,
      appKey: tiktok.appKey,
      appSecret: tiktok.appSecret,
      timeoutMs: Math.min(10_000, deps.settings.claimSeconds * 500),
      ...(tiktok.observer ? { observer: tiktok.observer } : {}),
    }),
  });
}
