import type { Logger } from '../shared/logger.js';
import type { Worker } from '../shared/worker.js';

/** A worker that runs one round of work now and then, and sooner when woken. */
export interface PollingWorker extends Worker {
  /** Runs a round soon (in this process): new work was just written. No-op when stopped. */
  wake(): void;
  /** Waits for the round in hand, then runs rounds until one finds nothing to do (tests, tools); resolves with the rounds run. */
  drain(): Promise<number>;
}

/**
 * Runs `round()` every `intervalMs`, one round at a time; a round answers whether it did anything, and
 * a round that did runs again at once (a backlog drains without waiting for the timer). `stop()` waits
 * for the round in hand. Starts nothing until `start()`.
 */
export function createPollingWorker(deps: { name: string; intervalMs: number; round(): Promise<boolean>; logger: Logger }): PollingWorker {
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let running: Promise<void> | undefined;
  let again = false;

  const schedule = (delay: number) => {
    if (!started) return;
    clearTimeout(timer);
    timer = setTimeout(run, delay);
    timer.unref();
  };
  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = deps
      .round()
      .then(
        (busy) => busy,
        (error: unknown) => {
          deps.logger.warn({ err: error, worker: deps.name }, 'webhook work round failed; will retry');
          return false;
        },
      )
      .then((busy) => {
        running = undefined;
        const soon = busy || again;
        again = false;
        schedule(soon ? 0 : deps.intervalMs);
      });
  };
  return {
    name: deps.name,
    start() {
      if (started) return;
      started = true;
      schedule(0);
    },
    wake() {
      if (started) schedule(0);
    },
    async drain() {
      // The round in hand first: what it claimed is not claimable by this drain.
      await running;
      let rounds = 0;
      while (await deps.round()) rounds += 1;
      await running;
      return rounds;
    },
    async stop() {
      started = false;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
