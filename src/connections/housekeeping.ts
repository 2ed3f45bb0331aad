import type { Logger } from '../shared/logger.js';
import type { Worker } from '../shared/worker.js';

/**
 * Every `intervalMs` (default hourly): deletes expired OAuth states and connect sessions (see
 * `purgeExpired`). Safe on every replica: each delete is one statement over expired rows.
 */
export function createHousekeeping(deps: {
  purgeExpired(): Promise<{ oauthStates: number; connectSessions: number }>;
  logger: Logger;
  intervalMs?: number;
}): Worker {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const purge = () => {
    running ??= deps
      .purgeExpired()
      .then(
        (purged) => deps.logger.debug(purged, 'expired connect sessions and OAuth states purged'),
        (error: unknown) => deps.logger.warn({ err: error }, 'purging expired connect sessions failed; will retry'),
      )
      .finally(() => {
        running = undefined;
      });
  };
  return {
    name: 'housekeeping',
    start() {
      timer ??= setInterval(purge, deps.intervalMs ?? 3_600_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
