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

/**
 * Buckets of reads (client × shop × connection × UTC minute) as columns: bucket i is element i of every array.
 * Times are epoch milliseconds; `connectionId` is '' when the shop was not found. Columns rather than an object
 * a bucket: reads spread over many shops make a bucket each, held until the next write, long enough to be
 * promoted to the old generation, and arrays of numbers and shared strings are what that costs least.
 */
export interface ReadBuckets {
  minute: number[];
  clientId: string[];
  shopId: string[];
  connectionId: string[];
  reads: number[];
  succeeded: number[];
  denied: number[];
  failed: number[];
  firstRequestId: string[];
  firstAt: number[];
  lastRequestId: string[];
  lastAt: number[];
}

export interface ReadBucketStore {
  /** Adds the buckets to the stored ones (one statement): counts add up, first and last widen. */
  add(buckets: ReadBuckets): Promise<void>;
}

function emptyReadBuckets(): ReadBuckets {
  return {
    minute: [], clientId: [], shopId: [], connectionId: [], reads: [], succeeded: [], denied: [], failed: [],
    firstRequestId: [], firstAt: [], lastRequestId: [], lastAt: [],
  };
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
  let held = emptyReadBuckets();
  /** Bucket key (minute, client, shop, connection) → its index in `held`. */
  let index = new Map<string, number>();
  let writing: Promise<void> = Promise.resolve();
  const pause = createRetryPause({ baseMs: flushIntervalMs, maxMs: 30_000 });

  /** The index of the bucket in `held`, opened empty (no reads, first and last = this request) if there is none. */
  const bucketOf = (minute: number, clientId: string, shopId: string, connectionId: string, requestId: string, at: number): number => {
    const key = `${minute}\u0000${clientId}\u0000${shopId}\u0000${connectionId}`;
    const found = index.get(key);
    if (found !== undefined) return found;
    const i = held.minute.length;
    held.minute.push(minute);
    held.clientId.push(clientId);
    held.shopId.push(shopId);
    held.connectionId.push(connectionId);
    held.reads.push(0);
    held.succeeded.push(0);
    held.denied.push(0);
    held.failed.push(0);
    held.firstRequestId.push(requestId);
    held.firstAt.push(at);
    held.lastRequestId.push(requestId);
    held.lastAt.push(at);
    index.set(key, i);
    return i;
  };
  /** Adds buckets `from` (from index `start`) to `held`: counts add up, first and last widen. */
  const mergeIntoHeld = (from: ReadBuckets, start = 0) => {
    for (let i = start; i < from.minute.length; i++) {
      const j = bucketOf(from.minute[i]!, from.clientId[i]!, from.shopId[i]!, from.connectionId[i]!, from.firstRequestId[i]!, from.firstAt[i]!);
      held.reads[j]! += from.reads[i]!;
      held.succeeded[j]! += from.succeeded[i]!;
      held.denied[j]! += from.denied[i]!;
      held.failed[j]! += from.failed[i]!;
      if (from.firstAt[i]! < held.firstAt[j]!) {
        held.firstAt[j] = from.firstAt[i]!;
        held.firstRequestId[j] = from.firstRequestId[i]!;
      }
      if (from.lastAt[i]! >= held.lastAt[j]!) {
        held.lastAt[j] = from.lastAt[i]!;
        held.lastRequestId[j] = from.lastRequestId[i]!;
      }
    }
  };
  const restart = () => {
    held = emptyReadBuckets();
    index = new Map();
  };

  const write = async (): Promise<void> => {
    if (held.minute.length === 0) return;
    const taken = held;
    restart();
    try {
      await store.add(taken);
      pause.succeeded();
    } catch (error) {
      pause.failed(options.clock.now().getTime());
      // Kept for the next write, oldest first: the buckets that failed, then those counted since.
      const since = held;
      restart();
      mergeIntoHeld(taken);
      mergeIntoHeld(since);
      if ((pause.failures & (pause.failures - 1)) === 0) {
        options.logger.error({ err: error, buckets: held.minute.length, failures: pause.failures }, 'credential reads could not be written; will retry');
      }
      if (held.minute.length > maxBuckets) {
        const dropped = held.minute.length - maxBuckets;
        const all = held;
        restart();
        mergeIntoHeld(all, dropped);
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
    if (pending > 0 || held.minute.length < flushAtBuckets || !pause.ready(options.clock.now().getTime())) return;
    void flush();
  };

  return {
    record(read) {
      const at = options.clock.now().getTime();
      const before = held.minute.length;
      const i = bucketOf(at - (at % 60_000), read.clientId, read.shopId, read.connectionId ?? '', read.requestId, at);
      held.reads[i]! += 1;
      if (read.outcome === 'success') held.succeeded[i]! += 1;
      else if (read.outcome === 'denied') held.denied[i]! += 1;
      else held.failed[i]! += 1;
      held.lastRequestId[i] = read.requestId;
      held.lastAt[i] = at;
      if (held.minute.length > before) flushWhenFull();
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
