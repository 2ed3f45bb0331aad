import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { AuditStore } from '../db/stores/audit-store.js';
import { createRetryPause } from '../shared/backoff.js';
import { wellFormedJson } from '../shared/well-formed.js';
import type { Worker } from '../shared/worker.js';

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
  /** The batch writer: `start()` writes queued events every `flushIntervalMs`; `stop()` is {@link close}. */
  worker: Worker;
}

export interface AuditLogOptions {
  clock: Clock;
  logger: Logger;
  flushIntervalMs?: number;
  maxBatch?: number;
}

/** Postgres "data exception" (SQLSTATE class 22): this batch can never be written as it is. */
function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

/**
 * The audit trail, written in batches off the request path: recording costs a push onto an array.
 * A failed write is retried on the next flush (bounded), then logged; it never fails a request.
 * Until its worker starts, events are written when a batch fills up or on flush/close.
 *
 * @example
 * const audit = createAuditLog(createAuditStore(db.sql), { clock, logger });
 * audit.worker.start();
 * audit.record({ actorType: 'api_client', actorId: client.id, action: 'token.read', outcome: 'success', shopId });
 * await audit.close(); // on shutdown, before the database closes
 */
export function createAuditLog(store: AuditStore, options: AuditLogOptions): AuditLog {
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
        await store.insert(batch);
        pause.succeeded();
        queue = queue.slice(batch.length);
      } catch (error) {
        if (isDataException(error)) {
          // One bad event must not hold up the trail: write this batch one by one, drop what cannot be written.
          for (const entry of batch) {
            await store.insert([entry]).catch((single: unknown) => {
              options.logger.error({ err: single, action: entry.event.action }, 'audit event cannot be stored; dropped');
            });
          }
          queue = queue.slice(batch.length);
          continue;
        }
        pause.failed(options.clock.now().getTime());
        // Logged at the first failure and then at doubling counts, not on every retry of an outage.
        if ((pause.failures & (pause.failures - 1)) === 0) {
          options.logger.error({ err: error, queued: queue.length, failures: pause.failures }, 'audit events could not be written; will retry');
        }
        if (queue.length > maxQueued) {
          options.logger.error({ dropped: queue.length - maxQueued }, 'audit queue over its limit; oldest events dropped');
          queue = queue.slice(queue.length - maxQueued);
        }
        return;
      }
    }
  };
  const flush = (): Promise<void> => (writing = writing.then(write));
  // The timer waits out failures (doubling up to 30 s); an explicit flush or close always tries.
  const pause = createRetryPause({ baseMs: flushIntervalMs, maxMs: 30_000 });
  const tick = () => {
    if (pause.ready(options.clock.now().getTime())) void flush();
  };
  let timer: NodeJS.Timeout | undefined;
  const close = async (): Promise<void> => {
    closed = true;
    clearInterval(timer);
    timer = undefined;
    await flush();
  };

  return {
    record(event) {
      // Lone surrogates and NUL cannot be stored: U+FFFD instead, so the event is never dropped for its text.
      queue.push({ occurredAt: options.clock.now(), event: wellFormedJson(event, { nul: true }) });
      if (closed || queue.length >= maxBatch) void flush();
    },
    flush,
    close,
    worker: {
      name: 'audit writer',
      start() {
        closed = false;
        timer ??= setInterval(tick, flushIntervalMs);
        timer.unref();
      },
      stop: close,
    },
  };
}
