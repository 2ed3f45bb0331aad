import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../shared/clock.js';
import { randomToken } from '../shared/secrets.js';
import { ValidationFailed } from '../shared/errors.js';
import { buildAuthorizeUrl, type Market } from '../tiktok/index.js';
import { appOfChoice, marketsOf, type AppCatalog } from './app-choice.js';
import type { ConnectSessions } from './connect-sessions.js';
import type { OAuthStates } from './oauth-states.js';
import { appScopes } from './requested-access.js';

/** What the connect page shows. Holds no secret: the link's token stays in the URL only. */
export interface ConnectPageModel {
  merchantRef: string;
  reauthorization: boolean;
  /** The scopes the app asks for; the page names them in the merchant's words. */
  scopes: readonly string[];
  expiresAt: Date;
  /** Several TikTok Shop markets and no app chosen yet: the merchant says where they sell (#13). */
  marketChoices: Market[] | null;
}

export interface ConnectPageDeps {
  sessions: ConnectSessions;
  states: OAuthStates;
  audit: AuditLog;
  clock: Clock;
  apps: AppCatalog;
}

/** `GET /connect/:token` and its button: the page model, then the state and the way to TikTok. */
export function createConnectPage(deps: ConnectPageDeps) {
  return {
    async show(token: string, context: { requestId?: string } = {}): Promise<ConnectPageModel> {
      const session = await deps.sessions.open(token);
      deps.audit.record({
        actorType: 'merchant', action: 'connect_session.opened', outcome: 'success',
        connectionId: session.connectionId, requestId: context.requestId ?? null,
        detail: { connectSessionId: session.id },
      });
      return {
        merchantRef: session.merchantRef,
        reauthorization: session.connectionId !== null,
        scopes: appScopes,
        expiresAt: session.expiresAt,
        marketChoices: appOfChoice(deps.apps, session.app, undefined) ? null : marketsOf(deps.apps.list),
      };
    },

    /**
     * Issues a state bound to this browser (reusing its binding when it has one, so two tabs both
     * work) and answers the TikTok authorize URL to send the browser to.
     */
    async start(token: string, browserBinding: string | undefined, context: { requestId?: string; market?: Market | undefined } = {}) {
      const session = await deps.sessions.open(token);
      const app = appOfChoice(deps.apps, session.app, context.market);
      if (!app) throw new ValidationFailed('Choose where you sell first.', [{ path: 'body.market', message: 'required' }]);
      const binding = browserBinding ?? randomToken(32);
      const state = await deps.states.issue({ browserBinding: binding, connectSessionId: session.id, connectionId: session.connectionId, app: app.id });
      deps.audit.record({
        actorType: 'merchant', action: 'connect.authorize_started', outcome: 'success',
        connectionId: session.connectionId, requestId: context.requestId ?? null,
        detail: { connectSessionId: session.id, app: app.id },
      });
      return { authorizeUrl: buildAuthorizeUrl({ authorizeUrl: app.authorizeUrl, serviceId: app.serviceId, state }), browserBinding: binding };
    },
  };
}

export type ConnectPage = ReturnType<typeof createConnectPage>;
