import type { AuditLog } from '../audit/audit-log.js';
import type { Lifecycle } from '../connections/lifecycle/index.js';
import type { ConnectionStatus, RefreshState } from '../connections/model.js';
import type { ClaimGuard, RefreshClaimStore } from '../db/stores/refresh-claims.js';
import type { Clock } from '../shared/clock.js';
import type { TikTokDetail } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { openAccessToken } from '../vault/tokens.js';
import type { Vault } from '../vault/vault.js';

/** The status a dead grant leaves the connection in, and the reason people read. */
export interface GrantDeadVerdict {
  status: Extract<ConnectionStatus, 'needs_reauth' | 'expired' | 'refresh_lost'>;
  reason: string;
}

/**
 * Explains why TikTok refused the refresh token. When an earlier attempt may have rotated the token
 * without its answer being stored (`refreshOutcomeUnknownAt`), 36004005 is the lost-rotation case and
 * the reason says so, instead of leaving an unexplained broken connection.
 */
export function grantDeadVerdict(state: RefreshState, now: Date, tiktok: TikTokDetail | undefined): GrantDeadVerdict {
  const said = tiktok ? ` (TikTok ${tiktok.code} "${tiktok.message}")` : '';
  if (tiktok?.code === 36004001 || state.refreshTokenExpiresAt.getTime() <= now.getTime()) {
    return {
      status: 'expired',
      reason: `The authorization ended on ${state.refreshTokenExpiresAt.toISOString()}${said}; the merchant must re-authorize.`,
    };
  }
  if (tiktok?.code === 105001 && /deauthori[sz]ed/i.test(tiktok.message)) {
    return { status: 'needs_reauth', reason: `The seller removed the app in TikTok Shop${said}; the merchant must re-authorize.` };
  }
  if (tiktok?.code === 105001 || tiktok?.code === 36009004) {
    return {
      status: 'needs_reauth',
      reason: `TikTok refuses the connection's access token even right after a refresh${said}; the merchant must re-authorize.`,
    };
  }
  if (state.refreshOutcomeUnknownAt && tiktok?.code === 36004005) {
    // Not a dead grant yet (#15 item 3): the access token from before still works until it expires. One that
    // has already expired (the retries kept failing until then) is told the same way, since the loss was ours
    // and subscribers must hear it as such; the sweeper's next pass ends it (refreshLostEnded).
    const expiry = state.accessTokenExpiresAt.toISOString();
    const expired = state.accessTokenExpiresAt.getTime() <= now.getTime();
    return {
      status: 'refresh_lost',
      reason:
        `TikTok no longer accepts the stored refresh token${said}: an earlier refresh (at ${state.refreshOutcomeUnknownAt.toISOString()}) ` +
        'reached TikTok but its answer was lost, so the refresh token was most likely rotated away. ' +
        (expired
          ? `The access token expired on ${expiry}; the merchant must re-authorize.`
          : `The access token keeps working until ${expiry}; the merchant must re-authorize before then.`),
    };
  }
  if (state.refreshOutcomeUnknownAt) {
    return {
      status: 'needs_reauth',
      reason:
        `TikTok no longer accepts the stored refresh token${said}: an earlier refresh (at ${state.refreshOutcomeUnknownAt.toISOString()}) ` +
        'reached TikTok but its answer was lost before it could be stored, so the refresh token was rotated away. The merchant must re-authorize.',
    };
  }
  return {
    status: 'needs_reauth',
    reason: `TikTok no longer accepts the stored refresh token${said}: the seller removed the app, or the refresh token was rotated away or lost. The merchant must re-authorize.`,
  };
}

/**
 * Moves a connection to its verdict's status through the lifecycle (`connection.needs_reauth`,
 * `connection.expired` or `connection.refresh_lost`), under the refresh claim when `guard` is given.
 * From `active`, or from `refresh_lost` when `from` says so. True when it moved.
 */
export function markGrantDead(
  lifecycle: Pick<Lifecycle, 'transition'>,
  input: {
    id: string; verdict: GrantDeadVerdict; cause: 'refresh' | 'api_call'; guard?: ClaimGuard; error?: string; at: Date;
    from?: 'active' | 'refresh_lost';
    /** For `refresh_lost`: until when the access token is served. */
    accessTokenExpiresAt?: Date;
  },
): Promise<boolean> {
  const { verdict } = input;
  const until = verdict.status === 'refresh_lost' && input.accessTokenExpiresAt ? { accessTokenExpiresAt: input.accessTokenExpiresAt.toISOString() } : {};
  return lifecycle.transition({
    id: input.id, from: [input.from ?? 'active'], to: verdict.status, cause: input.cause, reason: verdict.reason, at: input.at,
    details: { reason: verdict.reason, occurredAt: input.at.toISOString(), cause: input.cause, ...until },
    ...(input.guard ? { guard: input.guard } : {}),
    ...(input.error === undefined ? {} : { error: input.error }),
  });
}

export interface AccessRefusedDeps {
  store: RefreshClaimStore;
  lifecycle: Pick<Lifecycle, 'transition'>;
  vault: Vault;
  clock: Clock;
  audit: Pick<AuditLog, 'record'>;
  logger: Logger;
  /** Names this process in claims. */
  owner: string;
  claimSeconds: number;
}

/** What TikTok said about an access token on an API call, and which token it was. */
export interface AccessRefused {
  connectionId: string;
  /** The access token TikTok refused, as it was sent. */
  accessToken: string;
  tiktok?: TikTokDetail;
  /** The request that learned it, for the audit trail. */
  requestId?: string;
}

/**
 * An API call learned that the grant is dead (105001 "deauthorized", or 105001 again right after a
 * refresh): the connection gets the refresher's verdict, status change and outbox event, in one
 * statement under the refresh claim, so it never races a refresh or a re-authorization. A token
 * refreshed or re-authorized meanwhile is not condemned by an answer about its predecessor: then,
 * or while another process holds the claim, nothing changes. Answers the status afterwards
 * (undefined for an unknown connection).
 *
 * @example
 * const after = await markAccessRefused(deps, { connectionId, accessToken, tiktok: error.tiktok });
 * if (after && after.status !== 'active') throw new ConnectionUnusable(connectionId, after.status, after.statusReason);
 */
export async function markAccessRefused(
  deps: AccessRefusedDeps,
  input: AccessRefused,
): Promise<Pick<RefreshState, 'status' | 'statusReason'> | undefined> {
  const { connectionId: id } = input;
  const now = deps.clock.now();
  const current = async () => {
    const state = await deps.store.read(id);
    return state && { status: state.status, statusReason: state.statusReason };
  };
  const claimed = await deps.store.claim({ id, owner: deps.owner, now, leaseUntil: new Date(now.getTime() + deps.claimSeconds * 1000), force: true });
  if (!claimed) return refusedWhileLost(deps, input, now, current);
  const guard = { id, owner: deps.owner, expectedVersion: claimed.tokenVersion };
  let changed = false;
  let verdict: GrantDeadVerdict | undefined;
  try {
    if (openAccessToken(deps.vault, id, claimed.accessTokenSealed) === input.accessToken) {
      verdict = grantDeadVerdict(claimed, now, input.tiktok);
      changed = await markGrantDead(deps.lifecycle, { id, verdict, cause: 'api_call', guard, at: now });
    }
  } finally {
    if (!changed) await deps.store.releaseClaim(guard);
  }
  if (!changed || !verdict) return current();
  reportAccessRefused(deps, input, verdict);
  return { status: verdict.status, statusReason: verdict.reason };
}

/**
 * A `refresh_lost` connection (never refreshed, so never claimed) whose access token TikTok refused for
 * good: the definitive signal that it is dead, so it becomes `needs_reauth` now instead of at its expiry.
 */
async function refusedWhileLost(
  deps: AccessRefusedDeps,
  input: AccessRefused,
  now: Date,
  current: () => Promise<Pick<RefreshState, 'status' | 'statusReason'> | undefined>,
): Promise<Pick<RefreshState, 'status' | 'statusReason'> | undefined> {
  const state = await deps.store.read(input.connectionId);
  if (state?.status !== 'refresh_lost' || openAccessToken(deps.vault, state.id, state.accessTokenSealed) !== input.accessToken) return current();
  const judged = grantDeadVerdict({ ...state, refreshOutcomeUnknownAt: null }, now, input.tiktok);
  const said = input.tiktok ? ` (TikTok ${input.tiktok.code} "${input.tiktok.message}")` : '';
  const removed = input.tiktok?.code === 105001 && /deauthori[sz]ed/i.test(input.tiktok.message);
  const verdict: GrantDeadVerdict = {
    status: 'needs_reauth',
    reason: removed ? judged.reason : `TikTok refuses the access token of this connection, whose refresh token was lost${said}; the merchant must re-authorize.`,
  };
  const changed = await markGrantDead(deps.lifecycle, { id: state.id, verdict, cause: 'api_call', at: now, from: 'refresh_lost' });
  if (!changed) return current();
  reportAccessRefused(deps, input, verdict);
  return { status: verdict.status, statusReason: verdict.reason };
}

function reportAccessRefused(deps: AccessRefusedDeps, input: AccessRefused, verdict: GrantDeadVerdict): void {
  const id = input.connectionId;
  deps.audit.record({
    actorType: 'system', actorId: deps.owner, action: `connection.${verdict.status}`, outcome: 'success', connectionId: id,
    requestId: input.requestId ?? null, detail: { source: 'api_call', tiktokCode: input.tiktok?.code ?? null, reason: verdict.reason },
  });
  deps.logger.warn({ connectionId: id, status: verdict.status, tiktokCode: input.tiktok?.code }, 'TikTok refused the access token for good; connection needs re-authorization');
}
