import type { AuditLog } from '../audit/audit-log.js';
import type { AuthorizationStore } from '../db/stores/authorization-store.js';
import type { ConnectSessionStore } from '../db/stores/connect-session-store.js';
import type { OAuthStateStore } from '../db/stores/oauth-state-store.js';
import type { ProblemStore } from '../db/stores/problem-store.js';
import type { Clock } from '../shared/clock.js';
import { ConnectionNotFound, MerchantLinkInvalid } from '../shared/errors.js';
import type { Market, TikTokApps } from '../tiktok/index.js';
import type { Vault } from '../vault/vault.js';
import { createAuthorizationCallback, type CompletedAuthorization } from './authorization.js';
import { createBrowserTokens } from './browser-tokens.js';
import { createConnectPage, type ConnectPageModel } from './connect-page.js';
import { createConnectSessions, type CreatedConnectSession, type NewConnectSessionInput } from './connect-sessions.js';
import type { Lifecycle } from './lifecycle/index.js';
import { createMerchantStatus, type MerchantStatusModel } from './merchant-status.js';
import { createOAuthStates } from './oauth-states.js';
import { createProblems, type ProblemUnit, type Problems } from './problems.js';

/** A cookie value to set, with its lifetime. */
export interface SignedCookie {
  value: string;
  maxAgeSeconds: number;
}

/** How a browser proves it may see a connection's status page. */
export interface MerchantAccess {
  /** The `sig` query parameter of a status link. */
  sig?: string;
  /** The value of the cookie set during connect. */
  connectionsCookie?: string;
}

export interface ConnectionsService {
  /**
   * A single-use connect link for a merchant (valid CONNECT_SESSION_TTL_SECONDS). Throws
   * ReturnUrlNotAllowed when `returnUrl` is not on RETURN_URL_ALLOWLIST.
   *
   * @example
   * const { id, url, expiresAt } = await connections.createConnectSession({ merchantRef: 'm-42', apiClientId: client.id });
   */
  createConnectSession(input: NewConnectSessionInput, context?: { requestId?: string }): Promise<CreatedConnectSession>;
  /**
   * A signed, expiring link to a connection's merchant status page (`/merchant/connections/:id?sig=…`).
   *
   * @example
   * await connections.merchantStatusLink(connectionId, 7 * 86_400) // 'https://connect.example.com/merchant/connections/…?sig=eyJ…'
   */
  merchantStatusLink(connectionId: string, ttlSeconds: number): Promise<string>;
  /** Scope problems; the proxy records and resolves them (see {@link Problems}). */
  problems: Problems;
  /** The connect page of a link's token; throws ConnectSessionNotFound / Expired / Used. */
  connectPage(token: string, context?: { requestId?: string }): Promise<ConnectPageModel>;
  /** The TikTok authorize URL for a link's token, and the browser binding cookie to set. */
  startAuthorization(
    token: string,
    bindingCookie: string | undefined,
    context?: { requestId?: string; market?: Market | undefined },
  ): Promise<{ authorizeUrl: string; bindingCookie: SignedCookie }>;
  /** TikTok's redirect back; answers where to send the browser and the updated connections cookie. */
  completeAuthorization(
    query: Record<string, unknown>,
    cookies: { binding?: string; connections?: string },
    context?: { requestId?: string },
  ): Promise<CompletedAuthorization & { location: string; connectionsCookie: SignedCookie }>;
  /** The status page of a connection, if this browser may see it; otherwise MerchantLinkInvalid. */
  merchantStatus(connectionId: string, access: MerchantAccess): Promise<MerchantStatusModel>;
  /** A new connect link bound to this connection, if this browser may see it. */
  startReauthorization(connectionId: string, access: MerchantAccess, context?: { requestId?: string }): Promise<CreatedConnectSession>;
}

export interface ConnectionsServiceDeps {
  stores: { connections: AuthorizationStore; connectSessions: ConnectSessionStore; oauthStates: OAuthStateStore; problems: ProblemStore };
  lifecycle: Pick<Lifecycle, 'plan' | 'event'>;
  /** Runs `work` in one transaction: a problem change and its event are written together. */
  problemsInTransaction<T>(work: (unit: ProblemUnit) => Promise<T>): Promise<T>;
  vault: Vault;
  audit: AuditLog;
  clock: Clock;
  /** The configured TikTok Shop apps: a link's app, or the merchant's market, picks the app to connect with. */
  apps: Pick<TikTokApps, 'list' | 'get' | 'byAppKey'>;
  settings: {
    publicUrl: string;
    cookieSecret: string;
    sessionTtlSeconds: number;
    returnUrlAllowlist: readonly string[];
    /** OAUTH_STATE_TTL_SECONDS: how long a merchant has on TikTok's side. */
    stateTtlSeconds: number;
    /** TIKTOK_ALLOW_APP_STORE_INSTALLS: a callback without state is an App Store install. */
    allowAppStoreInstalls: boolean;
  };
  /** When tokens issued at `issuedAt` and expiring at `expiresAt` are due for refresh (refresh/'s schedule). */
  refreshDueAt(issuedAt: Date, expiresAt: Date): Date;
}

/**
 * How long a merchant status link works: the `statusPageUrl` internal apps get and the admin's
 * re-authorization link alike (time enough for an e-mail or a support ticket).
 */
export const merchantStatusLinkTtlSeconds = 7 * 86_400;

const connectionsCookieTtlSeconds = 30 * 86_400;
const rememberedConnections = 20;

/** Connect sessions, OAuth state, callback completion, merchant status and problems. */
export function createConnectionsService(deps: ConnectionsServiceDeps): ConnectionsService {
  const { stores, clock, settings, audit } = deps;
  const tokens = createBrowserTokens({ secret: settings.cookieSecret, issuer: settings.publicUrl, clock });
  const sessions = createConnectSessions({
    store: stores.connectSessions, audit, clock, publicUrl: settings.publicUrl,
    ttlSeconds: settings.sessionTtlSeconds, returnUrlAllowlist: settings.returnUrlAllowlist, apps: deps.apps,
  });
  const states = createOAuthStates({ store: stores.oauthStates, clock, ttlSeconds: settings.stateTtlSeconds });
  const problems = createProblems({ store: stores.problems, clock, inTransaction: deps.problemsInTransaction });
  const page = createConnectPage({ sessions, states, audit, clock, apps: deps.apps });
  const complete = createAuthorizationCallback({
    states, sessions, connections: stores.connections, lifecycle: deps.lifecycle, problems, apps: deps.apps,
    vault: deps.vault, audit, clock, allowAppStoreInstalls: settings.allowAppStoreInstalls, refreshDueAt: deps.refreshDueAt,
  });
  const status = createMerchantStatus({ connections: stores.connections, problems, clock });

  async function requireAccess(connectionId: string, access: MerchantAccess): Promise<void> {
    if (await tokens.verifyStatusLink(access.sig, connectionId)) return;
    if ((await tokens.verifyConnections(access.connectionsCookie)).includes(connectionId)) return;
    throw new MerchantLinkInvalid('This status link is not valid or has expired.');
  }

  return {
    createConnectSession: (input, context) => sessions.create(input, context),
    async merchantStatusLink(connectionId, ttlSeconds) {
      const sig = await tokens.signStatusLink(connectionId, ttlSeconds);
      return `${settings.publicUrl}/merchant/connections/${encodeURIComponent(connectionId)}?sig=${sig}`;
    },
    problems,
    connectPage: (token, context) => page.show(token, context),
    async startAuthorization(token, bindingCookie, context) {
      const existing = await tokens.verifyBinding(bindingCookie);
      const started = await page.start(token, existing, context);
      return {
        authorizeUrl: started.authorizeUrl,
        bindingCookie: { value: await tokens.signBinding(started.browserBinding, settings.stateTtlSeconds), maxAgeSeconds: settings.stateTtlSeconds },
      };
    },
    async completeAuthorization(query, cookies, context) {
      const completed = await complete(query, await tokens.verifyBinding(cookies.binding), context);
      const known = await tokens.verifyConnections(cookies.connections);
      const ids = [completed.connectionId, ...known.filter((id) => id !== completed.connectionId)].slice(0, rememberedConnections);
      return {
        ...completed,
        location: completed.redirectTo ?? `/merchant/connections/${encodeURIComponent(completed.connectionId)}?outcome=${completed.outcome}`,
        connectionsCookie: { value: await tokens.signConnections(ids, connectionsCookieTtlSeconds), maxAgeSeconds: connectionsCookieTtlSeconds },
      };
    },
    async merchantStatus(connectionId, access) {
      await requireAccess(connectionId, access);
      return status(connectionId);
    },
    async startReauthorization(connectionId, access, context) {
      await requireAccess(connectionId, access);
      const connection = await stores.connections.findById(connectionId);
      if (!connection) throw new ConnectionNotFound(connectionId);
      return sessions.create(
        {
          merchantRef: connection.merchantRef ?? connection.sellerName, connectionId, app: connection.app,
          ...(connection.createdByApiClientId ? { apiClientId: connection.createdByApiClientId } : {}),
        },
        context,
      );
    },
  };
}
