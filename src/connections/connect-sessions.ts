import type { AuditLog } from '../audit/audit-log.js';
import type { ConnectSessionRecord, ConnectSessionStore } from '../db/stores/connect-session-store.js';
import type { Clock } from '../shared/clock.js';
import { ConnectSessionExpired, ConnectSessionNotFound, ConnectSessionUsed } from '../shared/errors.js';
import { randomToken, sha256Hex } from '../shared/secrets.js';
import type { Market } from '../tiktok/index.js';
import { chooseSessionApp, type AppCatalog } from './app-choice.js';
import { checkReturnUrl } from './return-url.js';

export interface NewConnectSessionInput {
  /** The merchant in the calling app's own terms (shown on the page, stored on the connection). */
  merchantRef: string;
  /** Where to send the merchant afterwards; its origin must be on RETURN_URL_ALLOWLIST. */
  returnUrl?: string;
  /** The API client that asked for the link (shown as "which app"). */
  apiClientId?: string;
  /** Re-authorize this connection. */
  connectionId?: string;
  /** The TikTok Shop app (#13); with `market`, and neither, see {@link chooseSessionApp}. */
  app?: string;
  market?: Market;
  /** The API client's apps (undefined: every app): a link is never made for another. */
  allowedApps?: ReadonlySet<string>;
}

/** What an app hands to a merchant. The token is inside `url` and is never stored in plain text. */
export interface CreatedConnectSession {
  id: string;
  url: string;
  expiresAt: Date;
  /** null: the merchant chooses their market on the connect page. */
  app: string | null;
}

export interface ConnectSessionsOptions {
  store: ConnectSessionStore;
  audit: AuditLog;
  clock: Clock;
  publicUrl: string;
  ttlSeconds: number;
  returnUrlAllowlist: readonly string[];
  apps: AppCatalog;
}

export interface ConnectSessions {
  create(input: NewConnectSessionInput, context?: { requestId?: string }): Promise<CreatedConnectSession>;
  /** The open session behind a link's token; throws when unknown, expired or already used. */
  open(token: string): Promise<ConnectSessionRecord>;
  findById(id: string): Promise<ConnectSessionRecord | undefined>;
  complete(id: string, connectionId: string): Promise<boolean>;
}

export function createConnectSessions(options: ConnectSessionsOptions): ConnectSessions {
  const { store, clock } = options;
  return {
    async create(input, context = {}) {
      const returnUrl = input.returnUrl === undefined ? null : checkReturnUrl(input.returnUrl, options.returnUrlAllowlist);
      const app = chooseSessionApp(options.apps, { app: input.app, market: input.market, allowedApps: input.allowedApps });
      const token = randomToken(32);
      const now = clock.now();
      const session = await store.insert({
        tokenHash: sha256Hex(token),
        merchantRef: input.merchantRef,
        returnUrl,
        apiClientId: input.apiClientId ?? null,
        app,
        connectionId: input.connectionId ?? null,
        expiresAt: new Date(now.getTime() + options.ttlSeconds * 1000),
        createdAt: now,
      });
      options.audit.record({
        actorType: input.apiClientId ? 'api_client' : 'merchant',
        actorId: input.apiClientId ?? null,
        action: 'connect_session.created',
        outcome: 'success',
        connectionId: input.connectionId ?? null,
        requestId: context.requestId ?? null,
        detail: { connectSessionId: session.id, merchantRef: input.merchantRef, reauthorization: input.connectionId !== undefined, app },
      });
      return { id: session.id, url: `${options.publicUrl}/connect/${token}`, expiresAt: session.expiresAt, app };
    },
    async open(token) {
      const session = token.length >= 16 && token.length <= 128 ? await store.findByTokenHash(sha256Hex(token)) : undefined;
      if (!session) throw new ConnectSessionNotFound('This connect link is not valid.');
      if (session.completedAt) throw new ConnectSessionUsed('This connect link was already used.');
      if (session.expiresAt.getTime() <= clock.now().getTime()) throw new ConnectSessionExpired('This connect link has expired.');
      return session;
    },
    findById: (id) => store.findById(id),
    complete: (id, connectionId) => store.complete(id, connectionId, clock.now()),
  };
}
