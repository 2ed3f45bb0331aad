/**
 * Background work with an explicit life: built without side effects, started by the composition
 * root once the service listens, stopped in reverse order on shutdown (finishing what it holds).
 */
export interface Worker {
  /** Names it in logs. */
  readonly name: string;
  /** Starts its timers; calling it twice changes nothing. */
  start(): void;
  /** Stops its timers and finishes (or flushes) the work in hand. */
  stop(): Promise<void>;
}
