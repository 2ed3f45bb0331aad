/** A subscription's life: it delivers while `active`; `paused` by its owner, an admin, or automatically after days of failures. */
export const subscriptionStatuses = ['active', 'paused'] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/** The moves a subscription makes, and who makes them. */
export const subscriptionTransitions = [
  { from: 'active', to: 'paused', cause: 'owner' },
  { from: 'active', to: 'paused', cause: 'failing' },
  { from: 'paused', to: 'active', cause: 'owner' },
] as const satisfies readonly { from: SubscriptionStatus; to: SubscriptionStatus; cause: string }[];
export type SubscriptionCause = (typeof subscriptionTransitions)[number]['cause'];

/**
 * A delivery of one event to one subscription: `pending` (due now or later, or being sent) until it is
 * `delivered` (a 2xx) or `dead` (a dead letter: out of attempts, or refused with a 4xx that no retry fixes).
 */
export const deliveryStatuses = ['pending', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** What an attempt came to. */
export type AttemptOutcome = 'delivered' | 'retry' | 'dead';

export interface Subscription {
  id: string;
  /** The API client that made it (null: made by an operator). */
  apiClientId: string | null;
  url: string;
  /** Event types or patterns: `tiktok.order_status_change`, `connection.*`, `tiktok.*`, `*`. */
  events: string[];
  /** Only events of these shops; null: every shop the owner may see. */
  shopIds: string[] | null;
  /** Only events of these TikTok apps; null: every app. */
  apps: string[] | null;
  status: SubscriptionStatus;
  pausedReason: string | null;
  /** Since when every attempt has failed (null: the last attempt succeeded, or none failed). */
  failingSince: Date | null;
  /** Until when the secret replaced by the last rotation is still used to sign (null: none). */
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One attempt as recorded: what the receiver answered (a snippet) and how long it took. */
export interface Attempt {
  attemptedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  outcome: AttemptOutcome;
  error: string | null;
  responseSnippet: string | null;
}

export interface Delivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  connectionId: string | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  replayOf: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  attemptLog: Attempt[];
}

/** An event as pushed and as `GET /v1/events` shows it: the same object, the same id. */
export interface OutboundEvent {
  id: string;
  type: string;
  connectionId: string | null;
  /** The TikTok Shop app the event is about (#13): the connection's, or the app a relayed webhook came to. */
  app: string | null;
  payload: unknown;
  createdAt: string;
}
