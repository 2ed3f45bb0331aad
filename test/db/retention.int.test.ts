import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { RetentionSettings } from '../../src/config.js';
import { createRetentionWorker } from '../../src/db/retention.js';
import { createLogger } from '../../src/shared/logger.js';
import { FakeClock } from '../support/clock.js';
import { createTestDatabase, testBackend, type TestDatabase } from '../support/database.js';

const day = 86_400_000;
const now = new Date('2027-06-01T12:00:00.000Z');
const ago = (days: number) => new Date(now.getTime() - days * day);
const policy: RetentionSettings = {
  sweepIntervalSeconds: 3600,
  batchSize: 2,
  auditEventsDays: 365,
  outboxEventsDays: 30,
  oauthStatesDays: 1,
  connectSessionsDays: 7,
};

/** Issue #17: audit events, outbox events, OAuth states, connect sessions, rate-limit rows and sign-out revocations do not grow forever. */
describe('createRetentionWorker', () => {
  let db: TestDatabase;
  const logger = createLogger('silent');
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  /** Rows on both sides of every table's limit: `old` ones past it, `kept` ones inside it. */
  async function seed(): Promise<void> {
    await db.sql.exec('TRUNCATE audit_events, outbox_events, oauth_states, connect_sessions, rate_limits, admin_session_revocations');
    for (const [label, at] of [['old', ago(400)], ['old', ago(366)], ['old', ago(365.5)], ['kept', ago(364)], ['kept', now]] as const) {
      await db.sql.query("INSERT INTO audit_events (occurred_at, actor_type, action, outcome) VALUES ($1, 'system', $2, 'success')", [at, label]);
    }
    for (const [label, at] of [['old', ago(31)], ['old', ago(45)], ['kept', ago(29)]] as const) {
      await db.sql.query("INSERT INTO outbox_events (type, payload, created_at) VALUES ($1, '{}', $2)", [label, at]);
    }
    for (const [id, expires] of [['old-1', ago(0.01)], ['kept-1', new Date(now.getTime() + 3_600_000)]] as const) {
      await db.sql.query('INSERT INTO admin_session_revocations (session_id, expires_at) VALUES ($1, $2)', [id, expires]);
    }
    for (const [id, expires] of [['old-1', ago(1.5)], ['kept-1', ago(0.5)], ['kept-2', new Date(now.getTime() + 600_000)]] as const) {
      await db.sql.query("INSERT INTO oauth_states (id, state_hash, browser_binding_hash, expires_at) VALUES (gen_random_uuid(), $1, 'b', $2)", [id, expires]);
    }
    for (const [id, expires] of [['old-1', ago(8)], ['old-2', ago(30)], ['kept-1', ago(6)]] as const) {
      await db.sql.query("INSERT INTO connect_sessions (id, token_hash, merchant_ref, expires_at) VALUES (gen_random_uuid(), $1, 'm', $2)", [id, expires]);
    }
    for (const [key, expire] of [['old', now.getTime() - 2 * 3_600_000], ['kept-recent', now.getTime() - 600_000], ['kept-live', now.getTime() + 60_000]] as const) {
      await db.sql.query('INSERT INTO rate_limits (key, points, expire) VALUES ($1, 1, $2)', [key, expire]);
    }
  }

  const left = async () => ({
    audit_events: (await db.sql.query<{ action: string }>('SELECT action FROM audit_events ORDER BY occurred_at')).map((r) => r.action),
    outbox_events: (await db.sql.query<{ type: string }>('SELECT type FROM outbox_events ORDER BY created_at')).map((r) => r.type),
    oauth_states: (await db.sql.query<{ state_hash: string }>('SELECT state_hash FROM oauth_states ORDER BY state_hash')).map((r) => r.state_hash),
    connect_sessions: (await db.sql.query<{ token_hash: string }>('SELECT token_hash FROM connect_sessions')).map((r) => r.token_hash),
    rate_limits: (await db.sql.query<{ key: string }>('SELECT key FROM rate_limits ORDER BY key')).map((r) => r.key),
    admin_session_revocations: (await db.sql.query<{ session_id: string }>('SELECT session_id FROM admin_session_revocations')).map((r) => r.session_id),
  });

  const everythingKept = {
    audit_events: ['kept', 'kept'],
    outbox_events: ['kept'],
    oauth_states: ['kept-1', 'kept-2'],
    connect_sessions: ['kept-1'],
    rate_limits: ['kept-live', 'kept-recent'],
    admin_session_revocations: ['kept-1'],
  };

  beforeEach(seed);

  describe('purgeOnce', () => {
    it('deletes exactly the rows past their retention, in batches of RETENTION_BATCH_SIZE', async () => {
      const batches: [string, number][] = [];
      const worker = createRetentionWorker({ sql: db.sql, clock: new FakeClock(now), logger, policy, onDeleted: (table, rows) => batches.push([table, rows]) });
      const result = await worker.purgeOnce();
      expect(result).toStrictEqual({
        skipped: false,
        deleted: { audit_events: 3, outbox_events: 2, oauth_states: 1, connect_sessions: 2, rate_limits: 1, admin_session_revocations: 1, credential_reads: 0, tiktok_call_budget: 0 },
      });
      expect(await left()).toStrictEqual(everythingKept);
      // Three old audit events with batches of two: two statements.
      expect(batches.filter(([table]) => table === 'audit_events')).toStrictEqual([['audit_events', 2], ['audit_events', 1]]);
    });

    it('follows the clock: a year later, what was kept is old too', async () => {
      const clock = new FakeClock(now);
      const worker = createRetentionWorker({ sql: db.sql, clock, logger, policy });
      await worker.purgeOnce();
      clock.advance(366 * day);
      const result = await worker.purgeOnce();
      expect(result).toMatchObject({ deleted: { audit_events: 2, outbox_events: 1, oauth_states: 2, connect_sessions: 1, rate_limits: 2, admin_session_revocations: 1 } });
      expect(await left()).toStrictEqual({ audit_events: [], outbox_events: [], oauth_states: [], connect_sessions: [], rate_limits: [], admin_session_revocations: [] });
    });

    it('keeps rows for as long as each setting says', async () => {
      const worker = createRetentionWorker({ sql: db.sql, clock: new FakeClock(now), logger, policy: { ...policy, auditEventsDays: 1000, outboxEventsDays: 40, batchSize: 1000 } });
      const result = await worker.purgeOnce();
      expect(result).toMatchObject({ deleted: { audit_events: 0, outbox_events: 1 } });
    });

    it.skipIf(testBackend !== 'postgres')('skips while another replica holds the retention lock (Postgres)', async () => {
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      try {
        await other.query('SELECT pg_advisory_lock($1)', [0x7265_7465]);
        const worker = createRetentionWorker({ sql: db.sql, clock: new FakeClock(now), logger, policy });
        expect(await worker.purgeOnce()).toStrictEqual({ skipped: true });
        expect((await left()).audit_events).toHaveLength(5);
        await other.query('SELECT pg_advisory_unlock($1)', [0x7265_7465]);
        expect(await worker.purgeOnce()).toMatchObject({ skipped: false });
      } finally {
        await other.end();
      }
    });
  });

  describe('start and stop', () => {
    it('does nothing until started, purges on start, and stops cleanly', async () => {
      const worker = createRetentionWorker({ sql: db.sql, clock: new FakeClock(now), logger, policy });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await left()).audit_events).toHaveLength(5);
      worker.start();
      await expect.poll(async () => (await left()).rate_limits, { timeout: 5_000 }).toStrictEqual(everythingKept.rate_limits);
      await worker.stop();
      expect(await left()).toStrictEqual(everythingKept);
    });
  });
});
