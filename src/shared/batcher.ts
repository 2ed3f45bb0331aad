/**
 * Coalesces concurrent lookups into few queries (issue #12, the token read). A lookup starts its own
 * query at once while fewer than `maxInFlight` are running, so a quiet service adds no wait at all;
 * when that many are running, lookups queue, and the next query to start takes every queued key
 * (up to `maxBatch`). Under load one query (one round trip, one statement for the database to run)
 * then serves many requests that would each have waited for a pooled connection anyway.
 *
 * `run` answers a list of distinct keys; lookups of one key in one query share its value (do not
 * mutate it); a failure fails every lookup of that query. A lookup that
 * stays queued for `maxWaitMs` (the queries ahead of it hang: a frozen network) fails with
 * `waitedTooLong()`, as a request waiting for a pooled connection would.
 */
export interface Batcher<Key, Value> {
  load(key: Key): Promise<Value>;
}

export interface BatcherOptions<Key, Value> {
  run: (keys: Key[]) => Promise<Map<Key, Value>>;
  /** Returned for a key `run` did not answer. */
  missing: Value;
  maxInFlight: number;
  maxBatch: number;
  maxWaitMs: number;
  waitedTooLong: () => Error;
}

interface Waiter<Value> {
  resolve(value: Value): void;
  reject(error: unknown): void;
}

export function createBatcher<Key, Value>(options: BatcherOptions<Key, Value>): Batcher<Key, Value> {
  /** Keys waiting for the next query, each with everyone who asked for it. */
  let queued = new Map<Key, Waiter<Value>[]>();
  /** Fails the queue if it is not taken in time; one timer for the whole queue, not one per lookup. */
  let deadline: NodeJS.Timeout | undefined;
  let inFlight = 0;

  function start(batch: Map<Key, Waiter<Value>[]>): void {
    inFlight += 1;
    const settle = (answer: (waiter: Waiter<Value>, key: Key) => void) => {
      inFlight -= 1;
      for (const [key, waiters] of batch) for (const waiter of waiters) answer(waiter, key);
      if (queued.size > 0 && inFlight < options.maxInFlight) start(take());
    };
    let answered: Promise<Map<Key, Value>>;
    try {
      answered = options.run([...batch.keys()]);
    } catch (error) {
      answered = Promise.reject(error); // a `run` that throws before its promise: the same as a failed query
    }
    answered.then(
      (found) => settle((waiter, key) => waiter.resolve(found.has(key) ? found.get(key)! : options.missing)),
      (error: unknown) => settle((waiter) => waiter.reject(error)),
    );
  }

  /** The queued keys, at most `maxBatch` of them; the rest stay queued (under a new deadline). */
  function take(): Map<Key, Waiter<Value>[]> {
    clearTimeout(deadline);
    deadline = undefined;
    if (queued.size <= options.maxBatch) {
      const batch = queued;
      queued = new Map();
      return batch;
    }
    const batch = new Map<Key, Waiter<Value>[]>();
    for (const [key, waiters] of queued) {
      if (batch.size === options.maxBatch) break;
      batch.set(key, waiters);
      queued.delete(key);
    }
    armDeadline();
    return batch;
  }

  function armDeadline(): void {
    deadline = setTimeout(() => {
      const failed = queued;
      queued = new Map();
      deadline = undefined;
      const error = options.waitedTooLong();
      for (const waiters of failed.values()) for (const waiter of waiters) waiter.reject(error);
    }, options.maxWaitMs);
    deadline.unref();
  }

  return {
    load(key) {
      return new Promise<Value>((resolve, reject) => {
        const waiter = { resolve, reject };
        if (inFlight < options.maxInFlight && queued.size === 0) {
          start(new Map([[key, [waiter]]]));
          return;
        }
        const waiters = queued.get(key);
        if (waiters) waiters.push(waiter);
        else queued.set(key, [waiter]);
        if (deadline === undefined) armDeadline();
      });
    },
  };
}
