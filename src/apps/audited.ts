import type { AuditLog } from '../db/audit-log.js';
import { isServiceError } from '../shared/errors.js';
import type { CallContext } from './ports.js';

export type AuditedAction = 'token.read' | 'sign' | 'proxy';

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
    const outcome = code === 'scope_missing' || code.startsWith('connection_') ? 'denied' : 'failure';
    audit.record({ ...base, outcome, connectionId: connectionId ?? (error as { connectionId?: string }).connectionId ?? null, detail: { ...detail, code } });
    throw error;
  }
}
