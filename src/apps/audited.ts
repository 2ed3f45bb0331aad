import type { AuditEventInput, AuditLog } from '../audit/audit-log.js';
import type { ReadTally } from '../audit/read-tally.js';
import type { Clock } from '../shared/clock.js';
import { isServiceError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { CallContext } from './ports.js';

/** Actions audited one event per call (token reads are tallied: {@link tallied}). */
export type AuditedAction = 'sign' | 'proxy';

/**
 * Runs `work` and queues one audit event for it, success or failure. Queuing is a push onto an
 * array (the audit log writes in batches), so this adds nothing to the request's critical path.
 */
export async function audited<T>(
  audit: AuditLog,
  event: { action: AuditedAction; context: CallContext; shopId: string; detail: Record<string, unknown> },
  work: (note: (facts: { connectionId?: string; detail?: Record<string, unknown> }) => void) => Promise<T>,
): Promise<T> {
  let connectionId: string | null = null;
  let detail = event.detail;
  const note = (facts: { connectionId?: string; detail?: Record<string, unknown> }) => {
    if (facts.connectionId) connectionId = facts.connectionId;
    if (facts.detail) detail = { ...detail, ...facts.detail };
  };
  const base = { actorType: 'api_client' as const, actorId: event.context.clientId, action: event.action, shopId: event.shopId, requestId: event.context.requestId };
  try {
    const result = await work(note);
    audit.record({ ...base, outcome: 'success', connectionId, detail });
    return result;
  } catch (error) {
    const code = isServiceError(error) ? error.code : 'internal_error';
    const outcome = outcomeOf(code);
    audit.record({ ...base, outcome, connectionId: connectionId ?? (error as { connectionId?: string }).connectionId ?? null, detail: { ...detail, code } });
    throw error;
  }
}

const outcomeOf = (code: string): 'denied' | 'failure' => (code === 'scope_missing' || code.startsWith('connection_') ? 'denied' : 'failure');

/**
 * A credential read (issue #12): counted in the read tally (client × shop × connection × minute,
 * with outcome and first/last request id) instead of one audit row per read. A read that fails is
 * also queued as one `token.read` audit event with its code, as {@link audited} does: failures are
 * rare, and the code is what explains them.
 */
export async function tallied<T extends { connectionId: string }>(
  reads: Pick<ReadTally, 'record'>,
  audit: Pick<AuditLog, 'record'>,
  event: { context: CallContext; shopId: string; route: string },
  work: () => Promise<T>,
): Promise<T> {
  const read = { clientId: event.context.clientId, shopId: event.shopId, requestId: event.context.requestId };
  try {
    const result = await work();
    reads.record({ ...read, connectionId: result.connectionId, outcome: 'success' });
    return result;
  } catch (error) {
    const code = isServiceError(error) ? error.code : 'internal_error';
    const outcome = outcomeOf(code);
    const connectionId = (error as { connectionId?: string }).connectionId ?? null;
    reads.record({ ...read, connectionId, outcome });
    audit.record({
      actorType: 'api_client', actorId: read.clientId, action: 'token.read', shopId: read.shopId, requestId: read.requestId,
      outcome, connectionId, detail: { route: event.route, code },
    });
    throw error;
  }
}

/** A call refused before its use case ran (authentication, scope, shop limit, rate limit, validation). */
export interface Refusal {
  actorType: AuditEventInput['actorType'];
  /** The API client or admin behind the call; null when the caller is not known (no or bad key). */
  actorId: string | null;
  /** `METHOD /path/template` of the endpoint. */
  route: string;
  /** The error code answered, e.g. `scope_forbidden`. */
  code: string;
  status: number;
  shopId: string | null;
  requestId: string;
}

export interface RefusalAudit {
  /** Queues a `request.refused` audit event (outcome `denied`), within the caller's budget. */
  record(refusal: Refusal): void;
}

export interface RefusalBudget {
  /** Refusals of unknown callers recorded per minute by one process, per kind of caller (API, merchant, admin, TikTok). */
  anonymousPerMinute: number;
  /** Refusals of one known API client or admin recorded per minute by one process. */
  perActorPerMinute: number;
}

export const defaultRefusalBudget: RefusalBudget = { anonymousPerMinute: 60, perActorPerMinute: 60 };

/**
 * Audits refused calls through the batched audit log (a push onto an array, no write on the request
 * path). Anyone can send requests without a valid key at wire speed, so each process records at
 * most `anonymousPerMinute` refusals of unknown callers of each kind, and `perActorPerMinute` of
 * each known caller; beyond that it counts, and writes one `request.refusals_suppressed` event per
 * caller with the count when the next refusal arrives after the minute (the trail stays bounded,
 * the gap visible).
 */
export function createRefusalAudit(deps: {
  audit: Pick<AuditLog, 'record'>;
  clock: Clock;
  logger: Logger;
  budget?: RefusalBudget;
}): RefusalAudit {
  const budget = deps.budget ?? defaultRefusalBudget;
  let minute = -1;
  const callers = new Map<string, { actorType: Refusal['actorType']; actorId: string | null; recorded: number; suppressed: number }>();

  const turnMinute = (now: number) => {
    const current = Math.floor(now / 60_000);
    if (current === minute) return;
    for (const caller of callers.values()) {
      if (caller.suppressed === 0) continue;
      deps.audit.record({
        actorType: caller.actorType, actorId: caller.actorId, action: 'request.refusals_suppressed', outcome: 'denied',
        detail: { suppressed: caller.suppressed, minuteStartedAt: new Date(minute * 60_000).toISOString() },
      });
    }
    callers.clear();
    minute = current;
  };

  return {
    record(refusal) {
      turnMinute(deps.clock.now().getTime());
      const key = `${refusal.actorType}:${refusal.actorId ?? ''}`;
      let caller = callers.get(key);
      if (!caller) callers.set(key, (caller = { actorType: refusal.actorType, actorId: refusal.actorId, recorded: 0, suppressed: 0 }));
      const limit = refusal.actorId === null ? budget.anonymousPerMinute : budget.perActorPerMinute;
      if (caller.recorded >= limit) {
        if (caller.suppressed === 0) deps.logger.warn({ actorType: refusal.actorType, actorId: refusal.actorId, limit }, 'refused calls beyond the audit budget this minute; counting only');
        caller.suppressed += 1;
        return;
      }
      caller.recorded += 1;
      deps.audit.record({
        actorType: refusal.actorType, actorId: refusal.actorId, action: 'request.refused', outcome: 'denied',
        shopId: refusal.shopId, requestId: refusal.requestId,
        detail: { route: refusal.route, code: refusal.code, status: refusal.status },
      });
    },
  };
}
