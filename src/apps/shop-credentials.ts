import { LRUCache } from 'lru-cache';
import type { ShopAccess } from '../connections/model.js';
import type { ShopAccessStore } from '../db/stores/shop-access-store.js';
import { isTokenDue, refreshUrgency } from '../refresh/due.js';
import type { Clock } from '../shared/clock.js';
import { ConnectionUnusable, ShopAmbiguous, ShopNotFound } from '../shared/errors.js';
import { openAccessToken } from '../vault/tokens.js';
import type { Vault } from '../vault/vault.js';
import type { TokenRefresher } from './ports.js';

/** A usable access token for one shop, with what signing needs. Never a refresh token. */
export interface ShopCredentials {
  shopId: string;
  shopCipher: string;
  connectionId: string;
  /** The connection's TikTok Shop app: its key and secret sign calls for this shop. */
  app: string;
  accessToken: string;
  accessTokenExpiresAt: Date;
  /** null: unknown (TikTok never listed them); the scope pre-check does not refuse on unknown scopes. */
  grantedScopes: string[] | null;
  hasOpenProblems: boolean;
}

export interface ShopCredentialSource {
  /**
   * One indexed read and a decryption. A due token still valid beyond the minimum validity is answered
   * from that read while one background refresh replaces it; the caller waits for the refresher only
   * when the token is about to expire (or has), or with `force`. A `refresh_lost` connection's token is
   * answered as it is until it expires.
   * `app` picks the connection of a shop connected through several TikTok Shop apps (#13); without it
   * such a shop is {@link ShopAmbiguous}. The app comes from the row read, never from another query.
   * Throws {@link ShopNotFound}, or {@link ConnectionUnusable} for a connection that is not active.
   */
  forShop(shopId: string, options?: { app?: string | undefined; force?: boolean; withProblems?: boolean; remember?: boolean }): Promise<ShopCredentials>;
  /**
   * What this process's latest {@link forShop} read of the shop with `remember` found (any read
   * that finds the connection unusable or the shop gone forgets it), if the connection was active
   * then and its token is not due now; otherwise undefined. No database read. A hint for starting a
   * safe call while the authoritative read runs, never an answer on its own: the caller must
   * compare it with what `forShop` returns ({@link sameAccess}) before using anything it produced.
   */
  lastSeen(shopId: string, app?: string): ShopCredentials | undefined;
}

/** Whether two reads would sign a call identically: same connection, token, cipher and grant. */
export function sameAccess(a: ShopCredentials, b: ShopCredentials): boolean {
  return (
    a.connectionId === b.connectionId &&
    a.app === b.app &&
    a.accessToken === b.accessToken &&
    a.shopCipher === b.shopCipher &&
    (a.grantedScopes === null || b.grantedScopes === null
      ? a.grantedScopes === b.grantedScopes
      : a.grantedScopes.length === b.grantedScopes.length && a.grantedScopes.every((scope, index) => scope === b.grantedScopes?.[index]))
  );
}

/** How many shops' latest reads one process remembers (sealed tokens only; a few hundred bytes each). */
const defaultRememberedShops = 10_000;

export function createShopCredentialSource(deps: {
  shopAccess: ShopAccessStore;
  vault: Vault;
  refresher: TokenRefresher;
  clock: Clock;
  rememberedShops?: number;
}): ShopCredentialSource {
  const capacity = deps.rememberedShops ?? defaultRememberedShops;
  /** Latest usable read per shop; the least recently remembered or asked for goes first. */
  const latest = capacity > 0 ? new LRUCache<string, ShopAccess>({ max: capacity }) : undefined;

  function remember(shopId: string, access: ShopAccess | undefined): void {
    if (!access || access.status !== 'active') latest?.delete(shopId);
    else latest?.set(shopId, access);
  }

  /** The shop's credentials from its row, with the row's token or a refreshed one. */
  const credentials = (
    shopId: string,
    access: ShopAccess,
    token: Pick<ShopCredentials, 'accessToken' | 'accessTokenExpiresAt' | 'grantedScopes'>,
  ): ShopCredentials => ({
    shopId,
    shopCipher: access.shopCipher,
    connectionId: access.connectionId,
    app: access.app,
    hasOpenProblems: access.hasOpenProblems,
    accessToken: token.accessToken,
    accessTokenExpiresAt: token.accessTokenExpiresAt,
    grantedScopes: token.grantedScopes,
  });
  const opened = (shopId: string, access: ShopAccess): ShopCredentials =>
    credentials(shopId, access, {
      accessToken: openAccessToken(deps.vault, access.connectionId, access.accessTokenSealed),
      accessTokenExpiresAt: access.accessTokenExpiresAt,
      grantedScopes: access.grantedScopes,
    });

  return {
    async forShop(shopId, options = {}) {
      const key = rememberedAs(shopId, options.app);
      const access = pick(shopId, await deps.shopAccess.find(shopId, { app: options.app, withProblems: options.withProblems ?? false }));
      if (!access || access.removedAt) {
        remember(key, undefined);
        throw new ShopNotFound(shopId, access?.removedAt ? { removedAt: access.removedAt } : {});
      }
      if (access.status !== 'active') {
        remember(key, undefined);
        // Its refresh token was lost (#15 item 3): the access token is served, never refreshed, until it expires.
        if (access.status === 'refresh_lost' && access.accessTokenExpiresAt.getTime() > deps.clock.now().getTime()) return opened(shopId, access);
        throw new ConnectionUnusable(access.connectionId, access.status, access.statusReason);
      }
      const urgency = options.force === true ? 'urgent' : refreshUrgency(access, deps.clock.now().getTime());
      if (urgency === 'urgent') {
        // The refresher's answer is not the row just read: forget it, and let the next read remember.
        if (options.remember) remember(key, undefined);
        const fresh = await deps.refresher.ensureFresh(access.connectionId, options.force ? { force: true } : undefined);
        return credentials(shopId, access, fresh);
      }
      // A due token that is still good is answered from this read; one refresh replaces it behind the answer.
      if (urgency === 'due') deps.refresher.refreshInBackground(access.connectionId);
      else if (options.remember) remember(key, access);
      return opened(shopId, access);
    },

    lastSeen(shopId, app) {
      const access = latest?.get(rememberedAs(shopId, app));
      if (!access || isTokenDue(access, deps.clock.now().getTime())) return undefined;
      try {
        return opened(shopId, access);
      } catch {
        // A ciphertext this process can no longer open (keys rotated away): no hint, just the read.
        return undefined;
      }
    },
  };
}

/** A remembered read is the answer to one question: this shop, through this app (or through whichever one). */
function rememberedAs(shopId: string, app: string | undefined): string {
  return app === undefined ? shopId : `${app}\u0000${shopId}`;
}

/**
 * The row a read means: the one current (not removed) row, else a removed one (to say why it is gone).
 * Two current rows are one shop connected through two apps: ambiguous without `app` (#13).
 */
function pick(shopId: string, rows: ShopAccess[]): ShopAccess | undefined {
  const current = rows.filter((row) => row.removedAt === null);
  if (current.length > 1) throw new ShopAmbiguous(shopId, current.map((row) => row.app).sort());
  return current[0] ?? rows[0];
}
