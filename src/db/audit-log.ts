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

/**
 * One statement per batch, with the rows as one JSON parameter: `JSON.stringify` is native, where
 * pg would escape one array element at a time in JavaScript.
 */
const insertBatch = `INSERT INTO audit_events
  (occurred_at, actor_type, actor_id, action, outcome, connection_id, shop_id, request_id, detail)
  SELECT occurred_at, actor_type, actor_id, action, outcome, connection_id, shop_id, request_id, detail
    FROM jsonb_to_recordset($1::jsonb) AS row(occurred_at timestamptz, actor_type text, actor_id text, action text,
      outcome text, connection_id text, shop_id text, request_id text, detail jsonb)`;

function rowsOf(batch: { occurredAt: Date; event: AuditEventInput }[]): string {
  const json = JSON.stringify(
    batch.map(({ occurredAt, event }) => ({
      occurred_at: occurredAt.toISOString(),
      actor_type: event.actorType,
      actor_id: event.actorId ?? null,
      action: event.action,
      outcome: event.outcome,
      connection_id: event.connectionId ?? null,
      shop_id: event.shopId ?? null,
      request_id: event.requestId ?? null,
      detail: event.detail ?? null,
    })),
  );
  // jsonb cannot hold U+0000; whatever a caller sent, the event must still be written. JSON writes
  // it as the escape \u0000, unless that backslash is itself escaped (a literal "\u0000" in the text).
  return json.includes('\\u0000') ? json.replace(/(?<!\\)((?:\\\\)*)\\u0000/g, '$1\\ufffd') : json;
}

/** Postgres "data exception" (SQLSTATE class 22): this batch can never be written as it is. */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
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
        await db.sql.query(insertBatch, [rowsOf(batch)]);
        queue = queue.slice(batch.length);
      } catch (error) {
        if (isDataException(error)) {
          // One bad event must not hold up the trail: write this batch one by one, drop what cannot be written.
          for (const entry of batch) {
            await db.sql.query(insertBatch, [rowsOf([entry])]).catch((single: unknown) => {
              options.logger.error({ err: single, action: entry.event.action }, 'audit event cannot be stored; dropped');
            });
          }
          queue = queue.slice(batch.length);
          continue;
        }
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
