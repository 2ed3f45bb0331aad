import type { AuditLog } from '../audit/audit-log.js';
import type { AuthorizationStore, ShopChanges } from '../db/stores/authorization-store.js';
import type { Clock } from '../shared/clock.js';
import { ConnectionNotFound } from '../shared/errors.js';
import type { TikTokApps } from '../tiktok/index.js';
import type { Lifecycle } from './lifecycle/index.js';

export type { ShopChanges } from '../db/stores/authorization-store.js';

/** What fetched the list again: a token refresh, a call TikTok refused for the shop, or an operator. */
export type ShopSyncTrigger = 'refresh' | 'api_call' | 'operator';

export interface ShopSync {
  /**
   * Fetches Get Authorized Shops with `accessToken` (one GET) and stores the difference (#11 item 8):
   * added shops become usable, removed ones stop getting tokens (404 `shop_not_found` with a hint).
   * A change writes `connection.shops_changed` and an audit row; an unchanged list writes nothing.
   * Throws the TikTok error when the list cannot be fetched, ConnectionNotFound for an unknown id.
   *
   * @example
   * const { addedShopIds, removedShopIds } = await shops.sync(connectionId, accessToken, 'operator', { app: 'default' });
   */
  sync(
    connectionId: string,
    accessToken: string,
    trigger: ShopSyncTrigger,
    /** `app`: the connection's TikTok Shop app, whose key signs the call. */
    context: { app: string; requestId?: string; actorId?: string },
  ): Promise<ShopChanges & { syncedAt: Date }>;
}

export function createShopSync(deps: {
  store: Pick<AuthorizationStore, 'syncShops'>;
  apps: Pick<TikTokApps, 'get'>;
  lifecycle: Pick<Lifecycle, 'event'>;
  audit: Pick<AuditLog, 'record'>;
  clock: Clock;
}): ShopSync {
  return {
    async sync(connectionId, accessToken, trigger, context) {
      const shops = await deps.apps.get(context.app).api.getAuthorizedShops(accessToken);
      const at = deps.clock.now();
      const changes = await deps.store.syncShops(connectionId, shops, at, (found) =>
        deps.lifecycle.event('connection.shops_changed', { ...found, trigger, occurredAt: at.toISOString() }),
      );
      if (!changes) throw new ConnectionNotFound(connectionId);
      if (changes.addedShopIds.length > 0 || changes.removedShopIds.length > 0) {
        deps.audit.record({
          actorType: 'system', actorId: context.actorId ?? null, action: 'connection.shops_changed', outcome: 'success',
          requestId: context.requestId ?? null, connectionId, detail: { trigger, ...changes },
        });
      }
      return { ...changes, syncedAt: at };
    },
  };
}
