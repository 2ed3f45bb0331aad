import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Database } from './database.js';

export interface AuditEventInput {
  actorType: 'api_client' | 'admin' | 'merchant' | 'system' | 'tiktok';
  actorId?: string | null;
  /** What happened, dotted: `token.read`, `connection.created`, `refresh.succeeded` … */
  action: string;
  outcome: 'success' | 'failure' | 'denied';
  connectionId?: string | null;
  shopId?: string | null;
  requestId?: string | null;
  /** Context for people; never a token, key, code or state. */
  detail?: Record<string, unknown>;
}

export interface AuditLog {
  /** Queues the event and returns at once; it is written within `flushIntervalMs`, or on flush/close. */
  record(event: AuditEventInput): void;
  /** Writes everything queued so far. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. Events recorded afterwards are written immediately. */
  close(): Promise<void>;
}

export interface AuditLogOptions {
  clock: Clock;
  logger: Logger;
  flushIntervalMs?: number;
  maxBatch?: number;
}

/** One statement per batch: column arrays unnested into rows (cheaper than one parameter per value). */
const insertBatch = `INSERT INTO audit_events
  (occurred_at, actor_type, actor_id, action, outcome, connection_id, shop_id, request_id, detail)
  SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::jsonb[])`;

function columnsOf(batch: { occurredAt: Date; event: AuditEventInput }[]): unknown[][] {
  const columns: unknown[][] = [[], [], [], [], [], [], [], [], []];
  for (const { occurredAt, event } of batch) {
    const values = [
      occurredAt.toISOString(),
      event.actorType,
      event.actorId ?? null,
      event.action,
      event.outcome,
      event.connectionId ?? null,
      event.shopId ?? null,
      event.requestId ?? null,
      event.detail === undefined ? null : JSON.stringify(event.detail),
    ];
    values.forEach((value, i) => columns[i]!.push(value));
  }
  return columns;
}

/**
 * The audit trail, written in batches off the request path: recording costs a push onto an array.
 * A failed write is retried on the next flush (bounded), then logged; it never fails a request.
 *
 * @example
 * const audit = createAuditLog(db, { clock, logger });
 * audit.record({ actorType: 'api_client', actorId: client.id, action: 'token.read', outcome: 'success', shopId });
 * await audit.close(); // on shutdown, before the database closes
 */
export function createAuditLog(db: Database, options: AuditLogOptions): AuditLog {
  const flushIntervalMs = options.flushIntervalMs ?? 250;
  const maxBatch = options.maxBatch ?? 500;
  const maxQueued = maxBatch * 100;
  let queue: { occurredAt: Date; event: AuditEventInput }[] = [];
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const write = async (): Promise<void> => {
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      try {
        await db.sql.query(insertBatch, columnsOf(batch));
        queue = queue.slice(batch.length);
      } catch (error) {
        options.logger.error({ err: error, queued: queue.length }, 'audit events could not be written; will retry');
        if (queue.length > maxQueued) {
          options.logger.error({ dropped: queue.length - maxQueued }, 'audit queue over its limit; oldest events dropped');
          queue = queue.slice(queue.length - maxQueued);
        }
        return;
      }
    }
  };
  const flush = (): Promise<void> => (writing = writing.then(write));
  const timer = setInterval(() => void flush(), flushIntervalMs);
  timer.unref();

  return {
    record(event) {
      queue.push({ occurredAt: options.clock.now(), event });
      if (closed || queue.length >= maxBatch) void flush();
    },
    flush,
    async close() {
      closed = true;
      clearInterval(timer);
      await flush();
    },
  };
}
