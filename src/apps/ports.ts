import type { ConnectionStatus } from '../connections/model.js';
import type { FreshToken } from '../refresh/attempt.js';
import type { TikTokDetail } from '../shared/errors.js';

/**
 * What apps/ needs from the services to its right (refresh, connections), as narrow structural
 * types: main.ts passes the real services, which satisfy them.
 */

export type { FreshToken } from '../refresh/attempt.js';

export interface TokenRefresher {
  /** Returns a usable access token, refreshing first when due (or always with `force`). */
  ensureFresh(connectionId: string, options?: { force?: boolean }): Promise<FreshToken>;
  /** Starts a refresh of a due token unless one is running, and returns at once (single flight; failures are the refresher's). */
  refreshInBackground(connectionId: string): void;
}

export interface ScopeProblems {
  recordScopeMissing(input: {
    connectionId: string;
    apiPath: string;
    scopeKeys: string[];
    tiktokCode: number | null;
    tiktokMessage: string | null;
  }): Promise<unknown>;
  resolve(connectionId: string, apiPath: string, resolution: string): Promise<unknown>;
}

/**
 * Where an API call reports that TikTok will never accept the shop's grant again (105001
 * "deauthorized", or 105001 again right after a refresh). The refresher marks the connection
 * `needs_reauth` (or `expired`) as it does for a dead refresh token: status, reason, outbox event,
 * audit. Answers the connection's status afterwards; still `active` when the refused token was
 * replaced meanwhile or another process is refreshing it.
 */
export interface GrantLoss {
  markGrantDead(input: {
    connectionId: string;
    accessToken: string;
    tiktok?: TikTokDetail;
    requestId?: string;
  }): Promise<{ status: ConnectionStatus; statusReason: string | null } | undefined>;
}

/** Who is calling, for the audit trail. */
export interface CallContext {
  clientId: string;
  requestId: string;
  /** `?app=`: the TikTok Shop app whose connection of the shop is meant (a shop connected through several apps). */
  app?: string | undefined;
  /** The key's TikTok Shop apps; `undefined`: every app. */
  allowedApps?: ReadonlySet<string> | undefined;
}

/**
 * Fetches the connection's authorized shops again and stores the difference (connections/'s
 * ShopSync): the proxy asks after TikTok said the token is not authorized for the shop (101000).
 */
export interface ShopResync {
  sync(
    connectionId: string,
    accessToken: string,
    trigger: 'api_call',
    context: { app: string; requestId?: string },
  ): Promise<{ removedShopIds: string[]; syncedAt: Date }>;
}
