import type { AuditLog } from '../audit/audit-log.js';
import { merchantStatusLinkTtlSeconds } from '../connections/index.js';
import { transitions, type ConnectionStatus, type Lifecycle, type TransitionRule } from '../connections/lifecycle/index.js';
import type { Clock } from '../shared/clock.js';
import { ConnectionNotFound, InternalError, isServiceError, type ErrorCode } from '../shared/errors.js';

/** What the admin console needs from refresh/: refresh one authorization now, whatever its due time. */
export interface RefreshNow {
  refreshNow(connectionId: string): Promise<unknown>;
}

/** Who acts, and the request it came with (for the audit trail). */
export interface AdminActor {
  email: string;
  requestId: string;
}

export type StatusAction = 'suspend' | 'resume' | 'revoke';

/** What a connection's page can offer an admin. */
export type OfferedAction = 'refresh' | StatusAction | 'reauthorization-link';

/**
 * The actions that can work for a status, read from the lifecycle's transition table (so a new status
 * gets the right buttons by itself): an admin's status change where its rule starts from the status;
 * "Refresh now" where a refresh can move the connection (only a refreshing connection can); the
 * re-authorization link where the merchant re-authorizing makes it active again, unless an admin ended it
 * for good (an admin moved it there and no admin move leaves it: revoked, where the merchant connects anew).
 */
export function offeredActions(status: ConnectionStatus): OfferedAction[] {
  const rules: readonly TransitionRule[] = Object.values(transitions);
  const leaves = (rule: TransitionRule) => rule.from.includes(status);
  const byAdmin = (rule: TransitionRule) => rule.causes.includes('admin');
  const endedByAdmin = rules.some((rule) => rule.to === status && byAdmin(rule)) && !rules.some((rule) => leaves(rule) && byAdmin(rule));
  const adminMove = (action: StatusAction) => rules.some((rule) => byAdmin(rule) && rule.to === targets[action].to && leaves(rule));
  return [
    ...(rules.some((rule) => leaves(rule) && rule.causes.includes('refresh')) ? (['refresh'] as const) : []),
    ...(['suspend', 'resume', 'revoke'] as const).filter(adminMove),
    ...(!endedByAdmin && rules.some((rule) => rule.to === 'active' && rule.causes.includes('merchant') && leaves(rule)) ? (['reauthorization-link'] as const) : []),
  ];
}

/** `changed`: done now; `unchanged`: the connection was not in a state the action applies to. */
export type ActionOutcome = { result: 'changed' | 'unchanged' };
export type RefreshOutcome = { result: 'refreshed' } | { result: 'failed'; code: ErrorCode; message: string };

/** What the admin console needs from connections/: a signed, expiring link to a connection's merchant status page. */
export interface MerchantStatusLinks {
  merchantStatusLink(connectionId: string, ttlSeconds: number): Promise<string>;
}

/** A link an admin hands to the merchant: the status page with its **Re-authorize** button. */
export interface ReauthorizationLink {
  url: string;
  expiresAt: Date;
}

/** As long as the status links internal apps get (`statusPageUrl`). */
export const reauthorizationLinkTtlSeconds = merchantStatusLinkTtlSeconds;

export interface AdminActions {
  changeStatus(action: StatusAction, connectionId: string, actor: AdminActor): Promise<ActionOutcome>;
  refreshNow(connectionId: string, actor: AdminActor): Promise<RefreshOutcome>;
  /**
   * A signed merchant status link for the connection (valid {@link reauthorizationLinkTtlSeconds}),
   * whose **Re-authorize** button sends the merchant through TikTok again for this connection.
   * Audited; the link itself is never stored or logged. Throws ConnectionNotFound.
   */
  reauthorizationLink(connectionId: string, actor: AdminActor): Promise<ReauthorizationLink>;
}

/**
 * Each action is a lifecycle move caused by an admin: one compare-and-set statement with its event,
 * from the statuses the transition table allows. Suspended connections keep their refresh schedule
 * (so the grant stays alive) but give out no tokens; revoked ones are never refreshed.
 */
const targets: Record<StatusAction, { to: ConnectionStatus; audit: string }> = {
  suspend: { to: 'suspended', audit: 'connection.suspended' },
  resume: { to: 'active', audit: 'connection.resumed' },
  revoke: { to: 'revoked', audit: 'connection.revoked' },
};

const reasons: Record<StatusAction, (email: string) => string | null> = {
  suspend: (email) => `Suspended by an administrator (${email}).`,
  resume: () => null,
  revoke: (email) => `Revoked by an administrator (${email}).`,
};

export function createAdminActions(deps: {
  lifecycle: Pick<Lifecycle, 'transition' | 'announce'>;
  connectionExists(connectionId: string): Promise<boolean>;
  audit: AuditLog;
  clock: Clock;
  refresher: RefreshNow | undefined;
  statusLinks: MerchantStatusLinks;
}): AdminActions {
  const exists = deps.connectionExists;

  return {
    async changeStatus(action, connectionId, actor) {
      const target = targets[action];
      const now = deps.clock.now();
      const reason = reasons[action](actor.email);
      const changed = await deps.lifecycle.transition({
        id: connectionId, to: target.to, cause: 'admin', reason, at: now,
        details: { by: { type: 'admin', email: actor.email }, reason, occurredAt: now.toISOString() },
      });
      if (!changed && !(await exists(connectionId))) throw new ConnectionNotFound(connectionId);
      const result = changed ? 'changed' : 'unchanged';
      deps.audit.record({
        actorType: 'admin',
        actorId: actor.email,
        action: target.audit,
        outcome: result === 'changed' ? 'success' : 'failure',
        connectionId,
        requestId: actor.requestId,
        ...(result === 'unchanged' ? { detail: { reason: 'not in a state this action applies to' } } : {}),
      });
      // Admin actions are rare: write now, so the page the admin lands on already shows them.
      await deps.audit.flush();
      return { result };
    },

    async refreshNow(connectionId, actor) {
      if (!(await exists(connectionId))) throw new ConnectionNotFound(connectionId);
      if (!deps.refresher) throw new InternalError('Refreshing from the admin console is not available in this build.');
      let outcome: RefreshOutcome;
      try {
        await deps.refresher.refreshNow(connectionId);
        outcome = { result: 'refreshed' };
      } catch (error) {
        if (!isServiceError(error)) throw error;
        outcome = { result: 'failed', code: error.code, message: error.message };
      }
      const failed = outcome.result === 'failed' ? { code: outcome.code } : {};
      await deps.lifecycle.announce(connectionId, 'connection.refresh_requested', {
        by: { type: 'admin', email: actor.email }, outcome: outcome.result, ...failed, occurredAt: deps.clock.now().toISOString(),
      });
      deps.audit.record({
        actorType: 'admin',
        actorId: actor.email,
        action: 'connection.refresh_requested',
        outcome: outcome.result === 'refreshed' ? 'success' : 'failure',
        connectionId,
        requestId: actor.requestId,
        ...(outcome.result === 'failed' ? { detail: failed } : {}),
      });
      await deps.audit.flush();
      return outcome;
    },

    async reauthorizationLink(connectionId, actor) {
      if (!(await exists(connectionId))) throw new ConnectionNotFound(connectionId);
      const url = await deps.statusLinks.merchantStatusLink(connectionId, reauthorizationLinkTtlSeconds);
      const expiresAt = new Date(deps.clock.now().getTime() + reauthorizationLinkTtlSeconds * 1000);
      deps.audit.record({
        actorType: 'admin',
        actorId: actor.email,
        action: 'connection.reauthorization_link_created',
        outcome: 'success',
        connectionId,
        requestId: actor.requestId,
        // The link is a bearer credential: the audit keeps when it stops working, never the link.
        detail: { expiresAt: expiresAt.toISOString() },
      });
      await deps.audit.flush();
      return { url, expiresAt };
    },
  };
}
