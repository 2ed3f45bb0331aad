/**
 * One promise per key in this process: callers that arrive while work for a key is pending share
 * it. Each flight carries a sequence number, and only the flight that is still current may remove
 * its entry when it settles (jose `remote.ts`, `pendingFetch` + `reloadSequence`), so a settled
 * older flight never evicts a newer one.
 */
export interface SingleFlight<T> {
  run(key: string, work: () => Promise<T>): Promise<T>;
  pending(key: string): Promise<T> | undefined;
  /** Every pending flight, settled or not (for shutdown). */
  all(): Promise<T>[];
}

export function createSingleFlight<T>(): SingleFlight<T> {
  const flights = new Map<string, { sequence: number; promise: Promise<T> }>();
  let sequence = 0;
  return {
    run(key, work) {
      const current = flights.get(key);
      if (current) return current.promise;
      const mine = ++sequence;
      const promise = (async () => {
        try {
          return await work();
        } finally {
          if (flights.get(key)?.sequence === mine) flights.delete(key);
        }
      })();
      flights.set(key, { sequence: mine, promise });
      return promise;
    },
    pending: (key) => flights.get(key)?.promise,
    all: () => [...flights.values()].map((flight) => flight.promise),
  };
}
