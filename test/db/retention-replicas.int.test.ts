import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RetentionSettings } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { createRetentionWorker, type RetentionWorkerDeps } from '../../src/db/retention.js';
import type { SqlRunner } from '../../src/db/sql.js';
import { createWorkerLeaseStore } from '../../src/db/stores/worker-lease-store.js';
import { createLogger } from '../../src/shared/logger.js';
import { FakeClock } from '../support/clock.js';
import { createTestDatabase, testBackend, type TestDatabase } from '../support/database.js';

const day = 86_400_000;
const minute = 60_000;
const now = new Date('2027-06-01T12:00:00.000Z');
const policy: RetentionSettings = {
  sweepIntervalSeconds: 3600, batchSize: 2, auditEventsDays: 365, outboxEventsDays: 30, oauthStatesDays: 1, connectSessionsDays: 7, webhooksDays: 30,
};
const interval = policy.sweepIntervalSeconds * 1000;
const leaseMs = 5 * minute;

/** After a statement of `sql` matching `pattern` ran, once: `hook` (a takeover, a stop, a failure). */
function afterFirst(sql: SqlRunner, pattern: RegExp, hook: () => Promise<void> | void): SqlRunner {
  let done = false;
  return {
    async query<Row>(text: string, params?: unknown[], options?: { prepareAs?: string }): Promise<Row[]> {
      const rows = await sql.query<Row>(text, params, options);
      if (!done && pattern.test(text)) {
        done = true;
        await hook();
      }
      return rows;
    },
    exec: (script) => sql.exec(script),
  };
}

/** Issue #17 item 3: retention is one run for the whole fleet, one replica at a time, once per interval. */
describe('the retention run across replicas (worker_leases)', () => {
  let db: TestDatabase;
  const logger = createLogger('silent');
  let clock: FakeClock;
  /** A replica's worker: its deletes and its lease go through `sql` (its own pool, or a hooked runner). */
  const worker = (owner: string, deps: Partial<RetentionWorkerDeps> = {}) => {
    const sql = deps.sql ?? db.sql;
    return createRetentionWorker({ sql, leases: createWorkerLeaseStore(sql), clock, logger, policy, owner, leaseMs, ...deps });
  };
  const lease = async () =>
    (await db.sql.query<{ owner: string | null; lease_until: Date | null; next_run_at: Date }>("SELECT owner, lease_until, next_run_at FROM worker_leases WHERE name = 'retention'"))
      .map((row) => ({ owner: row.owner, leaseUntil: row.lease_until && new Date(row.lease_until), nextRunAt: new Date(row.next_run_at) }));
  const auditLeft = async () => (await db.sql.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_events'))[0]!.n;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });
  beforeEach(async () => {
    clock = new FakeClock(now);
    await db.sql.exec('TRUNCATE audit_events, worker_leases');
    // Three past RETENTION_AUDIT_EVENTS_DAYS (two batches of two), two kept for days yet.
    for (const age of [368, 367, 366, 363, 362]) {
      await db.sql.query("INSERT INTO audit_events (occurred_at, actor_type, action, outcome) VALUES ($1, 'system', 'a', 'success')", [new Date(now.getTime() - age * day)]);
    }
  });

  it('runs once per RETENTION_SWEEP_INTERVAL_SECONDS for the whole fleet: another replica finds it not due, until the interval passed', async () => {
    expect(await worker('a').purgeOnce()).toMatchObject({ skipped: false, complete: true, deleted: { audit_events: 3 } });
    expect(await lease()).toStrictEqual([{ owner: 'a', leaseUntil: null, nextRunAt: new Date(now.getTime() + interval) }]);

    const b = worker('b');
    expect(await b.purgeOnce()).toStrictEqual({ skipped: true, reason: 'not_due', retryAt: new Date(now.getTime() + interval) });
    clock.advance(interval);
    expect(await b.purgeOnce()).toMatchObject({ skipped: false, complete: true });
    expect(await lease()).toStrictEqual([{ owner: 'b', leaseUntil: null, nextRunAt: new Date(now.getTime() + 2 * interval) }]);
  });

  it('skips while another replica holds the run, and takes over once that lease ran out (a replica that died mid-run)', async () => {
    const leases = createWorkerLeaseStore(db.sql);
    expect(await leases.claim({ name: 'retention', owner: 'died', now, leaseUntil: new Date(now.getTime() + leaseMs), force: false })).toStrictEqual({ claimed: true });

    const b = worker('b');
    expect(await b.purgeOnce()).toStrictEqual({ skipped: true, reason: 'held_elsewhere', retryAt: new Date(now.getTime() + leaseMs) });
    expect(await b.purgeOnce({ force: true })).toMatchObject({ skipped: true, reason: 'held_elsewhere' });
    expect(await auditLeft()).toBe('5');

    clock.advance(leaseMs);
    expect(await b.purgeOnce()).toMatchObject({ skipped: false, complete: true, deleted: { audit_events: 3 } });
  });

  it('stops before its next batch when another replica took the run over (it stalled past its lease)', async () => {
    const leases = createWorkerLeaseStore(db.sql);
    const later = new Date(now.getTime() + leaseMs + minute);
    const takeOver = async () => {
      expect(await leases.claim({ name: 'retention', owner: 'b', now: later, leaseUntil: new Date(later.getTime() + leaseMs), force: true })).toStrictEqual({ claimed: true });
    };
    const a = worker('a', { sql: afterFirst(db.sql, /DELETE FROM audit_events/, takeOver) });
    expect(await a.purgeOnce()).toMatchObject({ skipped: false, complete: false, deleted: { audit_events: 2, outbox_events: 0 } });
    // The lease stays b's: a gave back nothing that was not its own.
    expect(await lease()).toMatchObject([{ owner: 'b', leaseUntil: new Date(later.getTime() + leaseMs) }]);
  });

  it('gives the lease back when stopped mid-run, without moving the schedule: another replica carries on at once', async () => {
    let stopped: Promise<void> | undefined;
    const a = worker('a', { sql: afterFirst(db.sql, /DELETE FROM audit_events/, () => void (stopped = a.stop())) });
    a.start();
    await expect.poll(() => stopped !== undefined, { timeout: 10_000 }).toBe(true);
    await stopped;
    expect(await auditLeft()).toBe('3');
    expect(await lease()).toStrictEqual([{ owner: 'a', leaseUntil: null, nextRunAt: now }]);

    expect(await worker('b').purgeOnce()).toMatchObject({ skipped: false, complete: true, deleted: { audit_events: 1 } });
  });

  it('gives the lease back after a failed run and sets the next run an interval later, for every replica', async () => {
    const failing = afterFirst(db.sql, /DELETE FROM outbox_events/, () => Promise.reject(new Error('statement timeout')));
    await expect(worker('a', { sql: failing }).purgeOnce()).rejects.toThrow('statement timeout');
    expect(await lease()).toStrictEqual([{ owner: 'a', leaseUntil: null, nextRunAt: new Date(now.getTime() + interval) }]);
    expect(await worker('b').purgeOnce()).toMatchObject({ skipped: true, reason: 'not_due' });
  });

  describe(`two replicas started together (${testBackend}${testBackend === 'postgres' ? ', each with its own pool' : ''})`, () => {
    const opened: Database[] = [];
    /** A replica's own connection pool on Postgres; PGlite has one process, so one database. */
    const replicaSql = async (): Promise<SqlRunner> => {
      if (testBackend !== 'postgres') return db.sql;
      const own = await openDatabase({ kind: 'postgres', url: db.url!, poolSize: 2 });
      opened.push(own);
      return own.sql;
    };
    afterAll(async () => {
      for (const own of opened.splice(0)) await own.close();
    });

    it('purge in one of them only, run after run', async () => {
      const [sqlA, sqlB] = [await replicaSql(), await replicaSql()];
      const deletedBy = { a: 0, b: 0 };
      const a = worker('a', { sql: sqlA, onDeleted: (_, rows) => void (deletedBy.a += rows) });
      const b = worker('b', { sql: sqlB, onDeleted: (_, rows) => void (deletedBy.b += rows) });
      for (let run = 0; run < 5; run += 1) {
        await db.sql.query(
          "INSERT INTO audit_events (occurred_at, actor_type, action, outcome) SELECT $1, 'system', 'a', 'success' FROM generate_series(1, 40)",
          [new Date(clock.now().getTime() - 400 * day)],
        );
        const results = await Promise.all([a.purgeOnce(), b.purgeOnce()]);
        const ran = results.filter((result) => !result.skipped);
        expect(ran, `run ${run}`).toHaveLength(1);
        expect(ran[0]).toMatchObject({ complete: true, deleted: { audit_events: run === 0 ? 43 : 40 } });
        expect(results.find((result) => result.skipped)).toMatchObject({ skipped: true, reason: expect.stringMatching(/^(held_elsewhere|not_due)$/) });
        clock.advance(interval);
      }
      expect(deletedBy.a + deletedBy.b).toBe(203);
      expect(await auditLeft()).toBe('2');
    });

    it('started as workers, only one purges; the other waits for the next interval', async () => {
      const [sqlA, sqlB] = [await replicaSql(), await replicaSql()];
      await db.sql.query(
        "INSERT INTO audit_events (occurred_at, actor_type, action, outcome) SELECT $1, 'system', 'a', 'success' FROM generate_series(1, 60)",
        [new Date(now.getTime() - 400 * day)],
      );
      const deletedBy = { a: 0, b: 0 };
      const a = worker('a', { sql: sqlA, onDeleted: (_, rows) => void (deletedBy.a += rows) });
      const b = worker('b', { sql: sqlB, onDeleted: (_, rows) => void (deletedBy.b += rows) });
      a.start();
      b.start();
      await expect.poll(auditLeft, { timeout: 20_000 }).toBe('2');
      await expect.poll(async () => (await lease())[0]?.leaseUntil, { timeout: 10_000 }).toBeNull();
      await Promise.all([a.stop(), b.stop()]);
      expect([deletedBy.a, deletedBy.b].sort((x, y) => x - y)).toStrictEqual([0, 63]);
    });
  });
});
