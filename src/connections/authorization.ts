import type { AuditLog } from '../audit/audit-log.js';
import type { AuthorizationEvents, AuthorizationStore } from '../db/stores/authorization-store.js';
import type { Clock } from '../shared/clock.js';
import { AuthorizationDenied, ConnectSessionNotFound, ConnectSessionUsed, isServiceError, OAuthStateInvalid, ReauthorizationSellerMismatch } from '../shared/errors.js';
import { parseAuthorizeCallback, type AuthorizeCallback, type TikTokApp, type TikTokApps } from '../tiktok/index.js';
import { sealTokens } from '../vault/tokens.js';
import type { Vault } from '../vault/vault.js';
import type { ConnectSessionRecord } from '../db/stores/connect-session-store.js';
import type { ConnectSessions } from './connect-sessions.js';
import type { Lifecycle } from './lifecycle/index.js';
import type { OAuthStates } from './oauth-states.js';
import type { Problems } from './problems.js';
import { returnUrlWithOutcome } from './return-url.js';

export interface AuthorizationDeps {
  states: OAuthStates;
  sessions: ConnectSessions;
  connections: AuthorizationStore;
  lifecycle: Pick<Lifecycle, 'plan' | 'event'>;
  problems: Problems;
  /** The configured apps: the state's app (or, for an App Store install, TikTok's `app_key`) exchanges the code. */
  apps: Pick<TikTokApps, 'list' | 'get' | 'byAppKey'>;
  vault: Vault;
  audit: AuditLog;
  clock: Clock;
  /** TIKTOK_ALLOW_APP_STORE_INSTALLS: a callback without `state` is an install from the App Store. */
  allowAppStoreInstalls: boolean;
  /** When tokens issued now and expiring at `expiresAt` are due for refresh (refresh/'s schedule). */
  refreshDueAt(issuedAt: Date, expiresAt: Date): Date;
}

export interface CompletedAuthorization {
  connectionId: string;
  outcome: 'created' | 'reauthorized';
  /** The session's return URL with `connectionId` and `outcome`, or null to show the status page. */
  redirectTo: string | null;
}

/** Where the seller came from: our connect link (a state we issued) or TikTok's App Store (no state). */
type Origin = { via: 'connect_link'; session: ConnectSessionRecord; app: TikTokApp } | { via: 'app_store_install'; app: TikTokApp };

/**
 * TikTok's redirect back: the state is consumed first (once, for this browser), then the one-time
 * code is exchanged, the shops fetched, and the authorization stored as ONE connection per seller.
 * A callback with no state at all is an install from the TikTok Shop App Store, stored without a
 * merchant reference when `allowAppStoreInstalls` (#11 item 1); a state we did not issue, reused or
 * expired is always refused. Refusals are audited and store nothing.
 */
export function createAuthorizationCallback(deps: AuthorizationDeps) {
  return async function completeAuthorization(
    query: Record<string, unknown>,
    browserBinding: string | undefined,
    context: { requestId?: string } = {},
  ): Promise<CompletedAuthorization> {
    const requestId = context.requestId ?? null;
    const callback = parseAuthorizeCallback(query);
    const origin: Origin =
      callback.state === undefined && deps.allowAppStoreInstalls
        ? { via: 'app_store_install', app: installedApp(query, requestId) }
        : { via: 'connect_link', ...(await sessionOf(callback, browserBinding, requestId)) };
    const session = origin.via === 'connect_link' ? origin.session : undefined;
    const app = origin.app;
    if (callback.kind === 'denied') {
      deps.audit.record({
        actorType: 'merchant', action: 'connect.authorization_denied', outcome: 'denied', requestId,
        connectionId: session?.connectionId ?? null,
        detail: { via: origin.via, ...(session ? { connectSessionId: session.id } : {}), tiktokError: callback.error },
      });
      throw new AuthorizationDenied('The access was not approved on TikTok Shop, so nothing was connected.');
    }

    try {
      const tokens = await app.auth.getToken(callback.code);
      if (session?.connectionId) {
        // A re-authorization link approved by another seller would silently connect a second seller (#16).
        const expected = await deps.connections.findById(session.connectionId);
        if (expected && (expected.openId !== tokens.openId || expected.app !== app.id)) throw new ReauthorizationSellerMismatch(expected.sellerName, tokens.sellerName);
      }
      const shops = await app.api.getAuthorizedShops(tokens.accessToken);
      const now = deps.clock.now();
      // null: TikTok's answer had no granted_scopes, so they are unknown (#11 item 5), never "none".
      const grantedScopes = tokens.grantedScopes ?? null;
      const saved = await deps.connections.saveAuthorization(
        {
          app: app.id,
          openId: tokens.openId,
          userType: tokens.userType,
          sellerName: tokens.sellerName,
          sellerBaseRegion: tokens.sellerBaseRegion,
          merchantRef: session?.merchantRef ?? null,
          apiClientId: session?.apiClientId ?? null,
          grantedScopes,
          accessTokenExpiresAt: tokens.accessTokenExpiresAt,
          refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
          refreshDueAt: deps.refreshDueAt(now, tokens.accessTokenExpiresAt),
          authorizedAt: now,
          shops,
        },
        (connectionId) => sealTokens(deps.vault, connectionId, tokens),
        authorizationEvents(deps.lifecycle, { sellerName: tokens.sellerName, shopIds: shops.map((shop) => shop.id), grantedScopes, at: now }),
      );
      if (session) await deps.sessions.complete(session.id, saved.connectionId);
      const resolvedProblems = grantedScopes === null ? 0 : await deps.problems.resolveGranted(saved.connectionId, grantedScopes);
      const outcome = saved.created ? 'created' : 'reauthorized';
      deps.audit.record({
        actorType: 'merchant', action: `connection.${outcome}`, outcome: 'success', requestId,
        connectionId: saved.connectionId,
        detail: {
          via: origin.via, app: app.id, ...(session ? { connectSessionId: session.id } : {}), sellerName: tokens.sellerName, shopIds: shops.map((shop) => shop.id),
          removedShopIds: saved.removedShopIds, grantedScopes, resolvedProblems,
        },
      });
      return {
        connectionId: saved.connectionId,
        outcome,
        redirectTo: session?.returnUrl ? returnUrlWithOutcome(session.returnUrl, { connectionId: saved.connectionId, outcome }) : null,
      };
    } catch (error) {
      deps.audit.record({
        actorType: 'merchant', action: 'connect.callback_failed', outcome: 'failure', requestId,
        connectionId: session?.connectionId ?? null,
        detail: { via: origin.via, ...(session ? { connectSessionId: session.id } : {}), reason: isServiceError(error) ? error.code : 'internal_error' },
      });
      throw error;
    }
  };

  /**
   * The app of an App Store install (no state): the one TikTok names in `app_key` (one callback URL
   * serves every app), or the only app. An install of an app this service does not know is refused.
   */
  function installedApp(query: Record<string, unknown>, requestId: string | null): TikTokApp {
    const appKey = typeof query.app_key === 'string' ? query.app_key : undefined;
    const app = appKey === undefined ? (deps.apps.list.length === 1 ? deps.apps.list[0] : undefined) : deps.apps.byAppKey(appKey);
    if (app) return app;
    deps.audit.record({
      actorType: 'merchant', action: 'connect.callback_refused', outcome: 'denied', requestId,
      detail: { reason: 'oauth_state_invalid', via: 'app_store_install', appKeyGiven: appKey !== undefined },
    });
    throw new OAuthStateInvalid(
      appKey === undefined
        ? 'The sign-in came back without a state, and without the app_key that says which app was installed.'
        : 'The sign-in came back for an app this service is not configured with.',
    );
  }

  /** The connect session behind the callback's state, and its app: consumed once, for this browser; refusals audited. */
  async function sessionOf(callback: AuthorizeCallback, browserBinding: string | undefined, requestId: string | null): Promise<{ session: ConnectSessionRecord; app: TikTokApp }> {
    try {
      const state = await deps.states.consume(callback.state, browserBinding);
      const session = state.connectSessionId ? await deps.sessions.findById(state.connectSessionId) : undefined;
      if (!session) throw new ConnectSessionNotFound('The connect link of this sign-in no longer exists.');
      if (session.completedAt) throw new ConnectSessionUsed('This connect link was already used.');
      // A state issued before apps existed (#13) was for the one app there was.
      return { session, app: deps.apps.get(state.app ?? session.app ?? deps.apps.list[0]!.id) };
    } catch (error) {
      if (isServiceError(error)) {
        deps.audit.record({
          actorType: 'merchant', action: 'connect.callback_refused', outcome: 'denied', requestId,
          detail: { reason: error.code, ...(callback.kind === 'denied' ? { tiktokError: callback.error } : {}) },
        });
      }
      throw error;
    }
  }
}

/**
 * The lifecycle's writes for a stored authorization: `connection.created` for a new seller, otherwise
 * the merchant's re-authorization move (`reauthorizeSuspended` keeps an administrator's suspension).
 */
function authorizationEvents(
  lifecycle: Pick<Lifecycle, 'plan' | 'event'>,
  grant: { sellerName: string; shopIds: string[]; grantedScopes: string[] | null; at: Date },
): AuthorizationEvents {
  const details = (removedShopIds: string[]) => ({
    sellerName: grant.sellerName, shopIds: grant.shopIds, removedShopIds, grantedScopes: grant.grantedScopes, occurredAt: grant.at.toISOString(),
  });
  return {
    created: (_connectionId, removedShopIds) => lifecycle.event('connection.created', details(removedShopIds)),
    reauthorized: (id, previous, removedShopIds) =>
      lifecycle.plan({
        id, from: [previous], to: previous === 'suspended' ? 'suspended' : 'active', cause: 'merchant', at: grant.at,
        // A suspension keeps the administrator's reason; any other status is working again.
        ...(previous === 'suspended' ? {} : { reason: null }),
        details: details(removedShopIds),
      }),
  };
}
