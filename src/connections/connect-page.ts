import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../shared/clock.js';
import { randomToken } from '../shared/secrets.js';
import { buildAuthorizeUrl } from '../tiktok/index.js';
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
}

export interface ConnectPageDeps {
  sessions: ConnectSessions;
  states: OAuthStates;
  audit: AuditLog;
  clock: Clock;
  authorizeUrl: string;
  serviceId: string;
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
      };
    },

    /**
     * Issues a state bound to this browser (reusing its binding when it has one, so two tabs both
     * work) and answers the TikTok authorize URL to send the browser to.
     */
    async start(token: string, browserBinding: string | undefined, context: { requestId?: string } = {}) {
      const session = await deps.sessions.open(token);
      const binding = browserBinding ?? randomToken(32);
      const state = await deps.states.issue({ browserBinding: binding, connectSessionId: session.id, connectionId: session.connectionId });
      deps.audit.record({
        actorType: 'merchant', action: 'connect.authorize_started', outcome: 'success',
        connectionId: session.connectionId, requestId: context.requestId ?? null,
        detail: { connectSessionId: session.id },
      });
      return { authorizeUrl: buildAuthorizeUrl({ authorizeUrl: deps.authorizeUrl, serviceId: deps.serviceId, state }), browserBinding: binding };
    },
  };
}

export type ConnectPage = ReturnType<typeof createConnectPage>;
