import type { z } from 'zod';
import type { ClaimGuard } from '../../db/stores/refresh-claims.js';
import type { EventWrite, LifecycleStore, TransitionWrite } from '../../db/stores/lifecycle-store.js';
import type { Clock } from '../../shared/clock.js';
import { TransitionNotAllowed } from '../../shared/errors.js';
import { connectionEventSchemas, type ConnectionEventType, type EventDetails } from './events.js';
import { tiktokRelaySchema, type TiktokRelayPayload } from './tiktok-events.js';
import type { ConnectionStatus } from './statuses.js';
import { ruleFor, type TransitionCause } from './transitions.js';

export interface TransitionRequest {
  id: string;
  to: ConnectionStatus;
  cause: TransitionCause;
  /** The statuses the caller expects the connection in; default: every status the rule moves from. */
  from?: readonly ConnectionStatus[];
  /** Why, in words people read (the status reason); null clears it, left out keeps the current one. */
  reason?: string | null;
  /** The event's own fields (the row's facts are added by the store). */
  details: Record<string, unknown>;
  /** Only the refresh claim holder at this token version may make the move. */
  guard?: ClaimGuard;
  /** A refresh error that caused the move (recorded as the connection's last refresh error). */
  error?: string;
  at?: Date;
}

export interface Lifecycle {
  /**
   * Moves a connection by the transition table: compare-and-set on the expected status, its event in
   * the same statement. True when it moved; false when the connection was not in a `from` status (or
   * the guard's claim was lost). Throws {@link TransitionNotAllowed} for a move the table lacks.
   *
   * @example
   * await lifecycle.transition({ id, to: 'suspended', cause: 'admin', reason, details: { by: { type: 'admin', email } } });
   */
  transition(request: TransitionRequest): Promise<boolean>;
  /** The write {@link transition} makes, for a store that applies it inside its own transaction. */
  plan(request: TransitionRequest): TransitionWrite;
  /** An event that changes no status (checked against its schema), for a store to write in its transaction. */
  event<T extends ConnectionEventType>(type: T, details: EventDetails<T>): EventWrite;
  /** Writes an event that changes no status; false for an unknown connection. */
  announce<T extends ConnectionEventType>(connectionId: string, type: T, details: EventDetails<T>): Promise<boolean>;
  /** Writes a relayed TikTok webhook (`tiktok.<name>`, checked against its schema) to the outbox; answers the event id. */
  relay(type: string, payload: TiktokRelayPayload): Promise<string>;
  /** Sends the `authorization.expiring` warning for `days`, once (compare-and-set on the last warning sent). */
  warnExpiring(input: { id: string; days: number; details: EventDetails<'authorization.expiring'> }): Promise<boolean>;
}

/** Row facts the store writes into every payload; a writer never sends them. */
const rowFacts = ['connectionId', 'openId', 'merchantRef', 'status', 'previousStatus'];

function checkDetails(type: ConnectionEventType, details: Record<string, unknown>): Record<string, unknown> {
  const schema = connectionEventSchemas[type] as z.ZodObject;
  const mask: Record<string, true> = Object.fromEntries(rowFacts.filter((key) => key in schema.shape).map((key) => [key, true]));
  const parsed = schema.omit(mask as never).strict().safeParse(details);
  if (!parsed.success) throw new TransitionNotAllowed(`The ${type} event is malformed: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}.`);
  return parsed.data as Record<string, unknown>;
}

/**
 * The connection's life in one owner: the transition table decides what may move, and the lifecycle
 * store writes each move and its event in one statement. Nothing else writes a status or an event.
 */
export function createLifecycle(deps: { store: LifecycleStore; clock: Clock }): Lifecycle {
  const plan = (request: TransitionRequest): TransitionWrite => {
    const rule = ruleFor(request.to, request.cause, request.from);
    const from = request.from ?? rule?.from ?? [];
    if (!rule || from.length === 0 || !from.every((status) => rule.from.includes(status))) {
      throw new TransitionNotAllowed(
        `A connection cannot move from ${from.join(' or ') || 'any status'} to ${request.to} because of ${request.cause}.`,
      );
    }
    return {
      id: request.id,
      from,
      to: rule.to,
      reason: request.reason === undefined ? { keep: true } : request.reason,
      schedule: rule.schedule,
      ...(request.error === undefined ? {} : { error: request.error }),
      ...(request.guard ? { guard: request.guard } : {}),
      event: { type: rule.event, details: checkDetails(rule.event, request.details) },
      at: request.at ?? deps.clock.now(),
    };
  };
  const event = <T extends ConnectionEventType>(type: T, details: EventDetails<T>): EventWrite => ({
    type,
    details: checkDetails(type, details as Record<string, unknown>),
  });

  return {
    // Async, so a refused move rejects like a failed write instead of throwing at the caller.
    transition: async (request) => deps.store.applyTransition(plan(request)),
    plan,
    event,
    announce: async (connectionId, type, details) => deps.store.appendEvent(connectionId, event(type, details), deps.clock.now()),
    relay: async (type, payload) => {
      if (!/^tiktok\.[a-z0-9_]+$/.test(type)) throw new TransitionNotAllowed(`"${type}" is not a TikTok relay event type.`);
      const checked = tiktokRelaySchema.parse(payload);
      return deps.store.appendRelay({ type, connectionId: checked.connectionId, payload: checked, at: deps.clock.now() });
    },
    warnExpiring: async (input) =>
      deps.store.recordExpiryWarning({ id: input.id, days: input.days, at: deps.clock.now(), event: event('authorization.expiring', input.details) }),
  };
}
