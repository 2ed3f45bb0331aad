/**
 * Coalesces concurrent lookups into few queries (issue #12, the token read). A lookup starts its own
 * query at once while fewer than `maxInFlight` are running, so a quiet service adds no wait at all;
 * when that many are running, lookups queue, and the next query to start takes every queued key
 * (up to `maxBatch`, oldest first). Under load one query (one round trip, one statement for the
 * database to run) then serves many requests that would each have waited for a pooled connection.
 *
 * The limit shapes batches; it never holds a lookup behind queries that do not answer: a lookup
 * queued for `maxQueueMs` has its query started anyway, beyond the limit, and whatever bounds any
 * query (the pool's acquire and statement timeouts) bounds it.
 *
 * `run` answers a list of distinct keys; lookups of one key in one query share its value (do not
 * mutate it); a failure fails every lookup of that query.
 */
export interface Batcher<Key, Value> {
  load(key: Key): Promise<Value>;
}

export interface BatcherOptions<Key, Value> {
  run: (keys: Key[]) => Promise<Map<Key, Value>>;
  /** The value for a key `run` did not answer (called once per lookup, so each gets its own). */
  missing: () => Value;
  maxInFlight: number;
  maxBatch: number;
  maxQueueMs: number;
  now: () => number;
}

interface Waiter<Value> {
  queuedAt: number;
  resolve(value: Value): void;
  reject(error: unknown): void;
}

export function createBatcher<Key, Value>(options: BatcherOptions<Key, Value>): Batcher<Key, Value> {
  /** Keys waiting for the next query, oldest first, each with everyone who asked for it. */
  let queued = new Map<Key, Waiter<Value>[]>();
  /** Starts the queue's query once its oldest lookup has waited `maxQueueMs`. */
  let overdue: NodeJS.Timeout | undefined;
  let inFlight = 0;

  function start(batch: Map<Key, Waiter<Value>[]>): void {
    inFlight += 1;
    const settle = (answer: (waiter: Waiter<Value>, key: Key) => void) => {
      inFlight -= 1;
      try {
        for (const [key, waiters] of batch) for (const waiter of waiters) answer(waiter, key);
      } catch (error) {
        // An answer that cannot be read (not a Map): every lookup of the query fails (answered ones stay answered).
        for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
      }
      if (queued.size > 0 && inFlight < options.maxInFlight) start(take());
    };
    let answered: Promise<Map<Key, Value>>;
    try {
      answered = options.run([...batch.keys()]);
    } catch (error) {
      answered = Promise.reject(error); // a `run` that throws before its promise: the same as a failed query
    }
    answered.then(
      (found) => settle((waiter, key) => waiter.resolve(found.has(key) ? found.get(key)! : options.missing())),
      (error: unknown) => settle((waiter) => waiter.reject(error)),
    );
  }

  /** The oldest queued keys, at most `maxBatch` of them; the rest stay queued. */
  function take(): Map<Key, Waiter<Value>[]> {
    let batch: Map<Key, Waiter<Value>[]>;
    if (queued.size <= options.maxBatch) {
      batch = queued;
      queued = new Map();
    } else {
      batch = new Map();
      for (const [key, waiters] of queued) {
        if (batch.size === options.maxBatch) break;
        batch.set(key, waiters);
        queued.delete(key);
      }
    }
    watchQueue();
    return batch;
  }

  /** (Re)arms the timer for the oldest queued lookup, or clears it when nothing is queued. */
  function watchQueue(): void {
    clearTimeout(overdue);
    overdue = undefined;
    const oldest = queued.values().next().value?.[0];
    if (!oldest) return;
    overdue = setTimeout(() => {
      overdue = undefined;
      if (queued.size > 0) start(take());
    }, Math.max(0, oldest.queuedAt + options.maxQueueMs - options.now()));
    overdue.unref();
  }

  return {
    load(key) {
      return new Promise<Value>((resolve, reject) => {
        const waiter = { queuedAt: options.now(), resolve, reject };
        if (inFlight < options.maxInFlight && queued.size === 0) {
          start(new Map([[key, [waiter]]]));
          return;
        }
        const waiters = queued.get(key);
        if (waiters) waiters.push(waiter);
        else queued.set(key, [waiter]);
        if (overdue === undefined) watchQueue();
      });
    },
  };
}
