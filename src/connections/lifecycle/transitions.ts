import type { ConnectionEventType } from './events.js';
import type { ConnectionStatus } from './statuses.js';

/** What makes a connection change status. */
export const transitionCauses = ['refresh', 'api_call', 'tiktok_webhook', 'sweeper', 'admin', 'merchant'] as const;
export type TransitionCause = (typeof transitionCauses)[number];

/**
 * What a move does to the refresh schedule: `stop` clears the due time and any lease (nothing will
 * refresh it again), `keep` leaves both (a suspended grant stays alive), `restore` gives a connection
 * that has none a due time of now.
 */
export type ScheduleEffect = 'stop' | 'keep' | 'restore';

export interface TransitionRule {
  from: readonly ConnectionStatus[];
  to: ConnectionStatus;
  causes: readonly TransitionCause[];
  event: ConnectionEventType;
  schedule: ScheduleEffect;
}

/**
 * Every status change a connection can make, and nothing else: from → to, who may cause it, the
 * event it emits. A rule is found by its target and cause; its `from` is the compare-and-set guard.
 * Creation (a first authorization) is not a move: it writes `connection.created` with the new row.
 */
export const transitions = {
  /** TikTok refuses the refresh token (36004005 and the like) or, for good, an access token. */
  grantRefused: { from: ['active'], to: 'needs_reauth', causes: ['refresh', 'api_call'], event: 'connection.needs_reauth', schedule: 'stop' },
  /**
   * TikTok refused the refresh token (36004005) after an attempt whose answer was lost: it was most likely
   * rotated by that attempt. The access token is still served until it expires (#15 item 3).
   */
  refreshLost: { from: ['active'], to: 'refresh_lost', causes: ['refresh'], event: 'connection.refresh_lost', schedule: 'stop' },
  /** A `refresh_lost` connection's access token expired (sweeper), or TikTok refused it for good (API call). */
  refreshLostEnded: { from: ['refresh_lost'], to: 'needs_reauth', causes: ['sweeper', 'api_call'], event: 'connection.needs_reauth', schedule: 'stop' },
  /** The seller authorization's end has passed (TikTok 36004001, or our own clock). */
  authorizationEnded: { from: ['active'], to: 'expired', causes: ['refresh', 'api_call', 'sweeper'], event: 'connection.expired', schedule: 'stop' },
  /** TikTok's webhook 6 (seller) or 20 (creator): the app was removed; re-authorizing brings it back. */
  deauthorized: { from: ['active', 'refresh_lost', 'expired'], to: 'needs_reauth', causes: ['tiktok_webhook'], event: 'connection.deauthorized', schedule: 'stop' },
  suspend: { from: ['active'], to: 'suspended', causes: ['admin'], event: 'connection.suspended', schedule: 'keep' },
  resume: { from: ['suspended'], to: 'active', causes: ['admin'], event: 'connection.resumed', schedule: 'restore' },
  revoke: { from: ['active', 'refresh_lost', 'needs_reauth', 'expired', 'suspended'], to: 'revoked', causes: ['admin'], event: 'connection.revoked', schedule: 'stop' },
  /** The merchant authorized again: new tokens (written in the same transaction), working again. */
  reauthorize: { from: ['active', 'refresh_lost', 'needs_reauth', 'expired', 'revoked'], to: 'active', causes: ['merchant'], event: 'connection.reauthorized', schedule: 'keep' },
  /** A merchant re-authorizing never lifts an administrator's suspension; only Resume does. */
  reauthorizeSuspended: { from: ['suspended'], to: 'suspended', causes: ['merchant'], event: 'connection.reauthorized', schedule: 'keep' },
} as const satisfies Record<string, TransitionRule>;

export type TransitionName = keyof typeof transitions;

/**
 * The rule for moving to `to` because of `cause` (from every status of `from`, when given: two rules may
 * share a target and cause, e.g. `grantRefused` and `refreshLostEnded`), or undefined: that move is not allowed.
 */
export function ruleFor(to: ConnectionStatus, cause: TransitionCause, from?: readonly ConnectionStatus[]): TransitionRule | undefined {
  const candidates = Object.values(transitions).filter((rule) => rule.to === to && (rule.causes as readonly string[]).includes(cause));
  if (!from || from.length === 0) return candidates[0];
  return candidates.find((rule) => from.every((status) => (rule.from as readonly string[]).includes(status))) ?? candidates[0];
}
