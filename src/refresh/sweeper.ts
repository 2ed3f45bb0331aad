import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

export interface SweepReport {
  /** Connections refreshed by this process. */
  refreshed: number;
  /** Attempts that failed (the connection keeps its old tokens, or stopped being usable). */
  failed: number;
  /** Due connections another process claimed first. */
  skipped: number;
  /** Authorization expiry warnings sent. */
  warned: number;
  /** Connections marked expired because their authorization ended, or needs_reauth because a `refresh_lost` access token ran out. */
  expired: number;
}

interface SweeperDeps {
  clock: Clock;
  logger: Logger;
  concurrency: number;
  intervalMs: number;
  selectDue(now: Date, limit: number): Promise<string[]>;
  /** Resolves with undefined when another process had the claim. */
  refreshOne(id: string): Promise<unknown>;
  authorizationExpiry(now: Date, limit: number): Promise<{ warned: number; expired: number }>;
}

const batchesPerSweep = 50;

/**
 * Every `intervalMs`: ends expired authorizations and sends expiry warnings, then refreshes due
 * connections in batches, `concurrency` at a time, until none is due. Sweeps never overlap.
 */
export function createSweeper(deps: SweeperDeps) {
  const batchSize = Math.max(deps.concurrency * 25, 50);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SweepReport> | undefined;
  let stopped = true;

  const sweep = async (): Promise<SweepReport> => {
    const report: SweepReport = { refreshed: 0, failed: 0, skipped: 0, warned: 0, expired: 0 };
    Object.assign(report, await deps.authorizationExpiry(deps.clock.now(), batchSize));
    for (let batch = 0; batch < batchesPerSweep; batch += 1) {
      const ids = await deps.selectDue(deps.clock.now(), batchSize);
      const before = report.refreshed + report.failed;
      await forEachLimited(ids, deps.concurrency, async (id) => {
        try {
          if ((await deps.refreshOne(id)) === undefined) report.skipped += 1;
          else report.refreshed += 1;
        } catch {
          report.failed += 1;
        }
      });
      if (ids.length < batchSize || report.refreshed + report.failed === before) break;
    }
    return report;
  };

  const sweepOnce = (): Promise<SweepReport> => {
    running ??= sweep().finally(() => {
      running = undefined;
    });
    return running;
  };

  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      sweepOnce()
        .then((report) => {
          if (report.refreshed + report.failed + report.warned + report.expired > 0) deps.logger.info({ sweep: report }, 'refresh sweep');
        })
        .catch((error: unknown) => deps.logger.error({ err: error }, 'refresh sweep failed'))
        .finally(() => schedule(deps.intervalMs));
    }, ms);
    timer.unref();
  };

  return {
    sweepOnce,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(limit, 1), items.length) }, worker));
}
