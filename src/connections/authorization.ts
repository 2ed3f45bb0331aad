import type { AuditLog } from '../db/audit-log.js';
import type { ConnectionStore } from '../db/stores/connection-store.js';
import type { Clock } from '../shared/clock.js';
import { AuthorizationDenied, ConnectSessionNotFound, ConnectSessionUsed, isServiceError, ReauthorizationSellerMismatch } from '../shared/errors.js';
import { parseAuthorizeCallback, type AuthClient, type ApiClient } from '../tiktok/index.js';
import { sealTokens } from '../vault/tokens.js';
import type { Vault } from '../vault/vault.js';
import type { ConnectSessions } from './connect-sessions.js';
import type { OAuthStates } from './oauth-states.js';
import type { Problems } from './problems.js';
import { refreshDueAt, type RefreshPolicy } from './refresh-schedule.js';
import { returnUrlWithOutcome } from './return-url.js';

export interface AuthorizationDeps {
  states: OAuthStates;
  sessions: ConnectSessions;
  connections: ConnectionStore;
  problems: Problems;
  auth: Pick<AuthClient, 'getToken'>;
  api: Pick<ApiClient, 'getAuthorizedShops'>;
  vault: Vault;
  audit: AuditLog;
  clock: Clock;
  refreshPolicy: RefreshPolicy;
}

export interface CompletedAuthorization {
  connectionId: string;
  outcome: 'created' | 'reauthorized';
  /** The session's return URL with `connectionId` and `outcome`, or null to show the status page. */
  redirectTo: string | null;
}

/**
 * TikTok's redirect back: the state is consumed first (once, for this browser), then the one-time
 * code is exchanged, the shops fetched, and the authorization stored as ONE connection per seller.
 * Refusals are audited and store nothing.
 */
export function createAuthorizationCallback(deps: AuthorizationDeps) {
  return async function completeAuthorization(
    query: Record<string, unknown>,
    browserBinding: string | undefined,
    context: { requestId?: string } = {},
  ): Promise<CompletedAuthorization> {
    const requestId = context.requestId ?? null;
    const callback = parseAuthorizeCallback(query);
    let state;
    let session;
    try {
      state = await deps.states.consume(callback.state, browserBinding);
      session = state.connectSessionId ? await deps.sessions.findById(state.connectSessionId) : undefined;
      if (!session) throw new ConnectSessionNotFound('The connect link of this sign-in no longer exists.');
      if (session.completedAt) throw new ConnectSessionUsed('This connect link was already used.');
    } catch (error) {
      if (isServiceError(error)) {
        deps.audit.record({
          actorType: 'merchant', action: 'connect.callback_refused', outcome: 'denied', requestId,
          detail: { reason: error.code, ...(callback.kind === 'denied' ? { tiktokError: callback.error } : {}) },
        });
      }
      throw error;
    }
    if (callback.kind === 'denied') {
      deps.audit.record({
        actorType: 'merchant', action: 'connect.authorization_denied', outcome: 'denied', requestId,
        connectionId: session.connectionId,
        detail: { connectSessionId: session.id, tiktokError: callback.error },
      });
      throw new AuthorizationDenied('The access was not approved on TikTok Shop, so nothing was connected.');
    }

    try {
      const tokens = await deps.auth.getToken(callback.code);
      if (session.connectionId) {
        // A re-authorization link approved by another seller would silently connect a second seller.
        const expected = await deps.connections.findById(session.connectionId);
        if (expected && expected.openId !== tokens.openId) throw new ReauthorizationSellerMismatch(expected.sellerName, tokens.sellerName);
      }
      const shops = await deps.api.getAuthorizedShops(tokens.accessToken);
      const now = deps.clock.now();
      const saved = await deps.connections.saveAuthorization(
        {
          openId: tokens.openId,
          userType: tokens.userType,
          sellerName: tokens.sellerName,
          sellerBaseRegion: tokens.sellerBaseRegion,
          merchantRef: session.merchantRef,
          apiClientId: session.apiClientId,
          grantedScopes: tokens.grantedScopes,
          accessTokenExpiresAt: tokens.accessTokenExpiresAt,
          refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
          refreshDueAt: refreshDueAt(now, tokens.accessTokenExpiresAt, deps.refreshPolicy),
          authorizedAt: now,
          shops,
        },
        (connectionId) => sealTokens(deps.vault, connectionId, tokens),
      );
      await deps.sessions.complete(session.id, saved.connectionId);
      const resolvedProblems = await deps.problems.resolveGranted(saved.connectionId, tokens.grantedScopes);
      const outcome = saved.created ? 'created' : 'reauthorized';
      deps.audit.record({
        actorType: 'merchant', action: `connection.${outcome}`, outcome: 'success', requestId,
        connectionId: saved.connectionId,
        detail: {
          connectSessionId: session.id, sellerName: tokens.sellerName, shopIds: shops.map((shop) => shop.id),
          removedShopIds: saved.removedShopIds, grantedScopes: tokens.grantedScopes, resolvedProblems,
        },
      });
      return {
        connectionId: saved.connectionId,
        outcome,
        redirectTo: session.returnUrl ? returnUrlWithOutcome(session.returnUrl, { connectionId: saved.connectionId, outcome }) : null,
      };
    } catch (error) {
      deps.audit.record({
        actorType: 'merchant', action: 'connect.callback_failed', outcome: 'failure', requestId,
        connectionId: session.connectionId,
        detail: { connectSessionId: session.id, reason: isServiceError(error) ? error.code : 'internal_error' },
      });
      throw error;
    }
  };
}
