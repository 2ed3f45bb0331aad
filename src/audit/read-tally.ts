import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { createRetryPause } from '../shared/backoff.js';
import type { Worker } from '../shared/worker.js';

/** One credential read (GET /v1/shops/:shopId/token), as the audit trail must be able to attribute it. */
export interface CredentialRead {
  clientId: string;
  shopId: string;
  /** null when the shop was not found. */
  connectionId: string | null;
  outcome: 'success' | 'denied' | 'failure';
  requestId: string;
}

/** Reads of one client, shop and connection in one UTC minute. */
export interface ReadBucket {
  minute: Date;
  clientId: string;
  shopId: string;
  connectionId: string | null;
  reads: number;
  succeeded: number;
  denied: number;
  failed: number;
  firstRequestId: string;
  firstAt: Date;
  lastRequestId: string;
  lastAt: Date;
}

export interface ReadBucketStore {
  /** Adds the buckets to the stored ones (one statement): counts add up, first and last widen. */
  add(buckets: readonly ReadBucket[]): Promise<void>;
}

export interface ReadTally {
  /** Counts the read in its bucket: a Map update, no I/O. */
  record(read: CredentialRead): void;
  /** Writes the buckets counted so far. */
  flush(): Promise<void>;
  /** `start()` writes every `flushIntervalMs`; `stop()` stops and flushes. */
  worker: Worker;
}

/**
 * Credential reads audited without a row per read (issue #12): each read is counted in memory in its
 * bucket (client × shop × connection × UTC minute: count, outcomes, first and last request id and
 * time) and the buckets are added to `credential_reads` in one upsert every `flushIntervalMs` (5 s),
 * so Postgres sees one statement every 5 s however many reads there are (flushed on shutdown too),
 * or sooner once `flushAtBuckets` (2,000) buckets are held and no write is under way: reads spread
 * over many shops make a bucket each, and while writes succeed the process holds about 1 MB of them,
 * not 5 s worth. 2,000 rather than 5,000: at 300,000 shops read at random the service's RSS measured
 * 125–127 MB against 135–145 MB with 5,000 (buckets held longer are promoted to the old generation),
 * throughput within the noise (`npm run bench:ab`, docs/benchmarks.md); a fleet whose reads repeat
 * within a minute holds fewer buckets than that and writes every 5 s as before. A failed write keeps
 * the buckets for the next flush (merged; at most `maxBuckets`, then the oldest are dropped and logged).
 *
 * @example
 * const reads = createReadTally(createCredentialReadStore(db.sql), { clock, logger });
 * reads.worker.start();
 * reads.record({ clientId, shopId, connectionId, outcome: 'success', requestId });
 */
export function createReadTally(
  store: ReadBucketStore,
  options: { clock: Clock; logger: Logger; flushIntervalMs?: number; flushAtBuckets?: number; maxBuckets?: number },
): ReadTally {
  const flushIntervalMs = options.flushIntervalMs ?? 5000;
  const flushAtBuckets = options.flushAtBuckets ?? 2000;
  const maxBuckets = options.maxBuckets ?? 100_000;
  let buckets = new Map<string, ReadBucket>();
  let writing: Promise<void> = Promise.resolve();
  const pause = createRetryPause({ baseMs: flushIntervalMs, maxMs: 30_000 });

  const merge = (into: Map<string, ReadBucket>, key: string, bucket: ReadBucket) => {
    const held = into.get(key);
    if (!held) {
      into.set(key, bucket);
      return;
    }
    held.reads += bucket.reads;
    held.succeeded += bucket.succeeded;
    held.denied += bucket.denied;
    held.failed += bucket.failed;
    if (bucket.firstAt < held.firstAt) Object.assign(held, { firstAt: bucket.firstAt, firstRequestId: bucket.firstRequestId });
    if (bucket.lastAt >= held.lastAt) Object.assign(held, { lastAt: bucket.lastAt, lastRequestId: bucket.lastRequestId });
  };

  const write = async (): Promise<void> => {
    if (buckets.size === 0) return;
    const taken = buckets;
    buckets = new Map();
    try {
      await store.add([...taken.values()]);
      pause.succeeded();
    } catch (error) {
      pause.failed(options.clock.now().getTime());
      for (const [key, bucket] of taken) merge(buckets, key, bucket);
      if ((pause.failures & (pause.failures - 1)) === 0) {
        options.logger.error({ err: error, buckets: buckets.size, failures: pause.failures }, 'credential reads could not be written; will retry');
      }
      if (buckets.size > maxBuckets) {
        const dropped = buckets.size - maxBuckets;
        for (const key of [...buckets.keys()].slice(0, dropped)) buckets.delete(key);
        options.logger.error({ dropped }, 'credential read buckets over their limit; oldest dropped');
      }
    }
  };
  /** Writes queued or under way: a full tally adds none while one is (it may be failing). */
  let pending = 0;
  const flush = (): Promise<void> => {
    pending += 1;
    return (writing = writing.then(write).finally(() => (pending -= 1)));
  };
  let timer: NodeJS.Timeout | undefined;
  const flushWhenFull = () => {
    if (pending > 0 || buckets.size < flushAtBuckets || !pause.ready(options.clock.now().getTime())) return;
    void flush();
  };

  return {
    record(read) {
      const at = options.clock.now();
      const minute = Math.floor(at.getTime() / 60_000) * 60_000;
      const key = `${minute}\u0000${read.clientId}\u0000${read.shopId}\u0000${read.connectionId ?? ''}`;
      let bucket = buckets.get(key);
      if (!bucket) {
        bucket = {
          minute: new Date(minute), clientId: read.clientId, shopId: read.shopId, connectionId: read.connectionId,
          reads: 0, succeeded: 0, denied: 0, failed: 0, firstRequestId: read.requestId, firstAt: at, lastRequestId: read.requestId, lastAt: at,
        };
        buckets.set(key, bucket);
        flushWhenFull();
      }
      bucket.reads += 1;
      if (read.outcome === 'success') bucket.succeeded += 1;
      else if (read.outcome === 'denied') bucket.denied += 1;
      else bucket.failed += 1;
      bucket.lastRequestId = read.requestId;
      bucket.lastAt = at;
    },
    flush,
    worker: {
      name: 'credential read tally',
      start() {
        timer ??= setInterval(() => {
          if (pause.ready(options.clock.now().getTime())) void flush();
        }, flushIntervalMs);
        timer.unref();
      },
      async stop() {
        clearInterval(timer);
        timer = undefined;
        await flush();
      },
    },
  };
}
