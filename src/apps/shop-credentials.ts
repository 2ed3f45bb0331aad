import type { ShopAccessStore } from '../db/stores/shop-access-store.js';
import type { Clock } from '../shared/clock.js';
import { ConnectionUnusable, ShopNotFound } from '../shared/errors.js';
import { openAccessToken } from '../vault/tokens.js';
import type { Vault } from '../vault/vault.js';
import type { TokenRefresher } from './ports.js';

/** A usable access token for one shop, with what signing needs. Never a refresh token. */
export interface ShopCredentials {
  shopId: string;
  shopCipher: string;
  connectionId: string;
  accessToken: string;
  accessTokenExpiresAt: Date;
  grantedScopes: string[];
  hasOpenProblems: boolean;
}

export interface ShopCredentialSource {
  /**
   * One indexed read and a decryption; the refresher only when the token is due (or `force`).
   * Throws {@link ShopNotFound}, or {@link ConnectionUnusable} for a connection that is not active.
   */
  forShop(shopId: string, options?: { force?: boolean; withProblems?: boolean }): Promise<ShopCredentials>;
}

/** Tokens closer than this to expiry are refreshed before they are handed out, whatever the schedule says. */
const minimumValidityMs = 60_000;

export function createShopCredentialSource(deps: {
  shopAccess: ShopAccessStore;
  vault: Vault;
  refresher: TokenRefresher;
  clock: Clock;
}): ShopCredentialSource {
  return {
    async forShop(shopId, options = {}) {
      const access = await deps.shopAccess.find(shopId, { withProblems: options.withProblems ?? false });
      if (!access) throw new ShopNotFound(shopId);
      if (access.status !== 'active') throw new ConnectionUnusable(access.connectionId, access.status, access.statusReason);
      const now = deps.clock.now().getTime();
      const due =
        options.force === true ||
        access.accessTokenExpiresAt.getTime() - now <= minimumValidityMs ||
        (access.refreshDueAt !== null && access.refreshDueAt.getTime() <= now);
      const base = { shopId, shopCipher: access.shopCipher, connectionId: access.connectionId, hasOpenProblems: access.hasOpenProblems };
      if (due) {
        const fresh = await deps.refresher.ensureFresh(access.connectionId, options.force ? { force: true } : undefined);
        return { ...base, accessToken: fresh.accessToken, accessTokenExpiresAt: fresh.accessTokenExpiresAt, grantedScopes: fresh.grantedScopes };
      }
      return {
        ...base,
        accessToken: openAccessToken(deps.vault, access.connectionId, access.accessTokenSealed),
        accessTokenExpiresAt: access.accessTokenExpiresAt,
        grantedScopes: access.grantedScopes,
      };
    },
  };
}
