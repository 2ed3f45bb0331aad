import type { ConnectionStatus } from '../db/stores/connection-records.js';
import type { OutboxEventInput, RefreshState } from '../db/stores/refresh-store.js';
import type { TikTokDetail } from '../shared/errors.js';

/** The status a dead grant leaves the connection in, and the reason people read. */
export interface GrantDeadVerdict {
  status: Extract<ConnectionStatus, 'needs_reauth' | 'expired'>;
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
  if (tiktok?.code === 105001) {
    return { status: 'needs_reauth', reason: `The seller removed the app in TikTok Shop${said}; the merchant must re-authorize.` };
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

/** The outbox event announcing that a connection stopped working. */
export function statusEvent(state: Pick<RefreshState, 'id' | 'openId' | 'merchantRef'>, status: ConnectionStatus, reason: string, now: Date): OutboxEventInput {
  return {
    type: `connection.${status}`,
    payload: { connectionId: state.id, openId: state.openId, merchantRef: state.merchantRef, status, reason, occurredAt: now.toISOString() },
  };
}
