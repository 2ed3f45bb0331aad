import type { RetentionSettings } from '../config.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Worker } from '../shared/worker.js';
import { processOwner } from '../shared/process-owner.js';
import { retainedTables, retentionPolicy, type RetainedTable } from './retention-policy.js';
import type { SqlRunner } from './sql.js';
import type { WorkerLeaseStore } from './stores/worker-lease-store.js';

export { retainedTables, type RetainedTable } from './retention-policy.js';
export type PurgeReport = Record<RetainedTable, number>;

/**
 * A run's outcome. `skipped`: not due yet, or another replica holds the run (`retryAt` says when to look
 * again). `complete` is false when the run stopped early: shutdown, or its lease was taken over.
 */
export type PurgeResult =
  | { skipped: true; reason: 'not_due' | 'held_elsewhere'; retryAt: Date }
  | { skipped: false; complete: boolean; deleted: PurgeReport };

export interface RetentionWorkerDeps {
  /** Runs the batch deletes. */
  sql: SqlRunner;
  /** The fleet's lease on the run (`worker_leases`). */
  leases: WorkerLeaseStore;
  clock: Clock;
  logger: Logger;
  /** How long each kind of row is kept (config.ts `RETENTION_*`, `WEBHOOK_RETENTION_DAYS`), batch size, interval. */
  policy: RetentionSettings;
  /** Names this replica in the lease; default host:pid:random. */
  owner?: string;
  /** How long a claim lasts without renewal (renewed before each batch); default 5 minutes. */
  leaseMs?: number;
  /** Told how many rows each batch deleted (metrics). */
  onDeleted?: (table: RetainedTable, rows: number) => void;
}

export interface RetentionWorker extends Worker {
  /** Runs when due, then looks again every `sweepIntervalSeconds` (sooner when another replica's run ends earlier). */
  start(): void;
  /** Stops scheduling and waits for a run in progress to finish its current batch; the lease is given back. */
  stop(): Promise<void>;
  /**
   * One run over `tables` (default: all), if no other replica is running one and, unless `force`, the
   * fleet's next run is due. A complete run of every table sets the next one `sweepIntervalSeconds` later.
   */
  purgeOnce(options?: { force?: boolean; tables?: readonly RetainedTable[] }): Promise<PurgeResult>;
}

const leaseName = 'retention';

/**
 * The one retention worker: every table of {@link retentionPolicy}, in batches of `batchSize`, each its
 * own short statement, so no lock is held for long and the tables stay writable. Every replica runs it;
 * a lease row (`worker_leases`) makes one run at a time for the whole fleet, once per interval. The lease
 * is renewed before each batch, and a holder that finds it taken over (it stalled past the lease) stops.
 * Nothing runs until `start()`.
 *
 * @example
 * const retention = createRetentionWorker({ sql: db.sql, leases: createWorkerLeaseStore(db.sql), clock, logger, policy: config.retention });
 * retention.start(); // … await retention.stop();
 */
export function createRetentionWorker(deps: RetentionWorkerDeps): RetentionWorker {
  const { clock, logger, policy, leases } = deps;
  const owner = deps.owner ?? processOwner();
  const leaseMs = deps.leaseMs ?? 300_000;
  const intervalMs = policy.sweepIntervalSeconds * 1000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopping = false;

  const leaseFromNow = () => new Date(clock.now().getTime() + leaseMs);

  /** Deletes one table's old rows batch after batch; false when the run must stop (shutdown, lease lost). */
  async function purgeTable(table: RetainedTable, cutoff: unknown, deleted: PurgeReport): Promise<boolean> {
    for (;;) {
      if (stopping) return false;
      if (!(await leases.renew({ name: leaseName, owner, leaseUntil: leaseFromNow() }))) {
        logger.warn({ table }, 'retention: another replica took the run over; this one stops');
        return false;
      }
      const rows = await deps.sql.query<{ n: string | number }>(retentionPolicy[table].deleteBatch, [cutoff, policy.batchSize]);
      const n = Number(rows[0]?.n ?? 0);
      deleted[table] += n;
      if (n > 0) deps.onDeleted?.(table, n);
      if (n < policy.batchSize) return true;
    }
  }

  async function purgeOnce(options: { force?: boolean; tables?: readonly RetainedTable[] } = {}): Promise<PurgeResult> {
    const started = clock.now();
    const claim = await leases.claim({ name: leaseName, owner, now: started, leaseUntil: leaseFromNow(), force: options.force ?? false });
    if (!claim.claimed) {
      const heldUntil = claim.leaseUntil !== null && claim.leaseUntil > started ? claim.leaseUntil.getTime() : undefined;
      const retryAt = new Date(Math.max(claim.nextRunAt.getTime(), heldUntil ?? 0));
      return { skipped: true, reason: heldUntil === undefined ? 'not_due' : 'held_elsewhere', retryAt };
    }
    const tables = options.tables ?? retainedTables;
    const deleted = Object.fromEntries(retainedTables.map((table) => [table, 0])) as PurgeReport;
    let complete = true;
    let nextRunAt: Date | undefined;
    try {
      const now = started.getTime();
      for (const table of tables) {
        complete = await purgeTable(table, retentionPolicy[table].cutoff(now, policy), deleted);
        if (!complete) break;
      }
      if (complete && tables.length === retainedTables.length) nextRunAt = new Date(clock.now().getTime() + intervalMs);
    } catch (error) {
      // The whole fleet tries again at the next interval, not every replica at once.
      nextRunAt = new Date(clock.now().getTime() + intervalMs);
      throw error;
    } finally {
      await leases.release({ name: leaseName, owner, nextRunAt }).catch((error: unknown) => logger.warn({ err: error }, 'retention: could not give the lease back; it runs out by itself'));
    }
    return { skipped: false, complete, deleted };
  }

  const schedule = (ms: number) => {
    if (!stopping) timer = setTimeout(sweep, Math.min(Math.max(ms, 1000), intervalMs)).unref();
  };

  const sweep = () => {
    timer = undefined;
    running = purgeOnce().then(
      (result) => {
        if (result.skipped) return schedule(result.retryAt.getTime() - clock.now().getTime());
        if (Object.values(result.deleted).some((n) => n > 0)) logger.info({ deleted: result.deleted, complete: result.complete }, 'retention: old rows purged');
        schedule(intervalMs);
      },
      (error: unknown) => {
        logger.warn({ err: error }, 'retention: purge failed; will retry at the next interval');
        schedule(intervalMs);
      },
    ).finally(() => {
      running = undefined;
    });
  };

  return {
    name: 'retention',
    start() {
      if (timer || running) return;
      stopping = false;
      sweep();
    },
    async stop() {
      stopping = true;
      clearTimeout(timer);
      timer = undefined;
      await running;
    },
    purgeOnce,
  };
}
