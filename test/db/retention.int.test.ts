import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RetentionSettings } from '../../src/config.js';
import { createRetentionWorker as createWorker, retainedTables, type RetainedTable, type RetentionWorkerDeps } from '../../src/db/retention.js';
import { createWorkerLeaseStore } from '../../src/db/stores/worker-lease-store.js';
import { createLogger } from '../../src/shared/logger.js';
import { FakeClock } from '../support/clock.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

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
  webhooksDays: 30,
};
const nothingDeleted = Object.fromEntries(retainedTables.map((table) => [table, 0])) as Record<RetainedTable, number>;

/**
 * Issue #17 item 3: one worker purges audit events, token-read counts, outbox events, webhook deliveries and
 * TikTok's webhooks, OAuth states, connect sessions, rate-limit rows, call budgets and sign-out revocations.
 */
describe('createRetentionWorker', () => {
  let db: TestDatabase;
  const logger = createLogger('silent');
  const createRetentionWorker = (deps: Omit<RetentionWorkerDeps, 'leases'>) => createWorker({ ...deps, leases: createWorkerLeaseStore(deps.sql) });
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  /** Rows on both sides of every table's limit: `old` ones past it, `kept` ones inside it. */
  async function seed(): Promise<void> {
    await db.sql.exec(`TRUNCATE audit_events, credential_reads, outbox_events, webhook_subscriptions, webhook_deliveries, webhook_attempts,
      tiktok_webhook_inbox, oauth_states, connect_sessions, rate_limits, tiktok_call_budget, admin_session_revocations, worker_leases`);
    for (const [label, at] of [['old', ago(400)], ['old', ago(366)], ['old', ago(365.5)], ['kept', ago(364)], ['kept', now]] as const) {
      await db.sql.query("INSERT INTO audit_events (occurred_at, actor_type, action, outcome) VALUES ($1, 'system', $2, 'success')", [at, label]);
    }
    for (const [label, at] of [['old', ago(366)], ['kept', ago(1)]] as const) {
      await db.sql.query(
        `INSERT INTO credential_reads (minute, api_client_id, shop_id, reads, succeeded, denied, failed, first_request_id, first_at, last_request_id, last_at)
         VALUES ($1, $2, 'shop', 1, 1, 0, 0, 'r1', $1, 'r1', $1)`,
        [at, label],
      );
    }
    for (const [label, at] of [['old', ago(31)], ['old', ago(45)], ['kept', ago(29)]] as const) {
      await db.sql.query("INSERT INTO outbox_events (type, payload, created_at, published_at) VALUES ($1, '{}', $2, $2)", [label, at]);
    }
    await db.sql.query("INSERT INTO webhook_subscriptions (id, url, secret_sealed) VALUES ('sub', 'https://example.com/hook', 'sealed')");
    const [event] = await db.sql.query<{ id: string }>("SELECT id::text AS id FROM outbox_events WHERE type = 'kept'");
    // Finished deliveries past WEBHOOK_RETENTION_DAYS go (with their attempts); pending ones stay, however old.
    for (const [label, status, finished] of [['old-delivered', 'delivered', ago(31)], ['old-dead', 'dead', ago(40)], ['kept-delivered', 'delivered', ago(29)], ['kept-pending', 'pending', null]] as const) {
      const [delivery] = await db.sql.query<{ id: string }>(
        `INSERT INTO webhook_deliveries (subscription_id, event_id, ordering_key, status, next_attempt_at, created_at, finished_at)
         VALUES ('sub', $1::bigint, $2, $3, $4, $4, $5) RETURNING id::text AS id`,
        [event!.id, label, status, ago(100), finished],
      );
      await db.sql.query("INSERT INTO webhook_attempts (delivery_id, attempted_at, latency_ms, outcome) VALUES ($1::bigint, $2, 5, 'delivered'), ($1::bigint, $2, 5, 'failed')", [delivery!.id, ago(100)]);
    }
    // Processed TikTok webhooks past WEBHOOK_RETENTION_DAYS go; unprocessed ones stay, however old.
    for (const [label, received, processed] of [['old', ago(31), ago(31)], ['kept-unprocessed', ago(60), null], ['kept', ago(29), ago(29)]] as const) {
      await db.sql.query("INSERT INTO tiktok_webhook_inbox (app, dedup_key, raw_body, received_at, processed_at) VALUES ('default', $1, '{}', $2, $3)", [label, received, processed]);
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
    for (const [key, at] of [['old', new Date(now.getTime() - 2 * 3_600_000)], ['kept', new Date(now.getTime() - 600_000)]] as const) {
      await db.sql.query('INSERT INTO tiktok_call_budget (key, window_start, calls) VALUES ($1, $2, 1)', [key, at]);
    }
  }

  const labels = async (text: string) => (await db.sql.query<{ label: string }>(text)).map((row) => row.label);
  const left = async () => ({
    audit_events: await labels('SELECT action AS label FROM audit_events ORDER BY occurred_at'),
    credential_reads: await labels('SELECT api_client_id AS label FROM credential_reads ORDER BY minute'),
    outbox_events: await labels('SELECT type AS label FROM outbox_events ORDER BY created_at'),
    webhook_deliveries: await labels('SELECT ordering_key AS label FROM webhook_deliveries ORDER BY ordering_key'),
    webhook_attempts: await labels('SELECT d.ordering_key AS label FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id ORDER BY 1'),
    attempts_without_delivery: await labels('SELECT a.id::text AS label FROM webhook_attempts a LEFT JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.id IS NULL'),
    tiktok_webhook_inbox: await labels('SELECT dedup_key AS label FROM tiktok_webhook_inbox ORDER BY dedup_key'),
    oauth_states: await labels('SELECT state_hash AS label FROM oauth_states ORDER BY state_hash'),
    connect_sessions: await labels('SELECT token_hash AS label FROM connect_sessions'),
    rate_limits: await labels('SELECT key AS label FROM rate_limits ORDER BY key'),
    tiktok_call_budget: await labels('SELECT key AS label FROM tiktok_call_budget'),
    admin_session_revocations: await labels('SELECT session_id AS label FROM admin_session_revocations'),
  });

  const everythingKept = {
    audit_events: ['kept', 'kept'],
    credential_reads: ['kept'],
    outbox_events: ['kept'],
    webhook_deliveries: ['kept-delivered', 'kept-pending'],
    webhook_attempts: ['kept-delivered', 'kept-delivered', 'kept-pending', 'kept-pending'],
    attempts_without_delivery: [],
    tiktok_webhook_inbox: ['kept', 'kept-unprocessed'],
    oauth_states: ['kept-1', 'kept-2'],
    connect_sessions: ['kept-1'],
    rate_limits: ['kept-live', 'kept-recent'],
    tiktok_call_budget: ['kept'],
    admin_session_revocations: ['kept-1'],
  };

  beforeEach(seed);

  describe('purgeOnce', () => {
    it('deletes exactly the rows past their retention from every table, in batches of RETENTION_BATCH_SIZE', async () => {
      const batches: [string, number][] = [];
      const worker = createRetentionWorker({ sql: db.sql, clock: new FakeClock(now), logger, policy, onDeleted: (table, rows) => batches.push([table, rows]) });
      const result = await worker.purgeOnce();
      expect(result).toStrictEqual({
        skipped: false,
        complete: true,
        deleted: {
          audit_events: 3, credential_reads: 1, outbox_events: 2, webhook_deliveries: 2, tiktok_webhook_inbox: 1, oauth_states: 1,
          connect_sessions: 2, rate_limits: 1, tiktok_call_budget: 1, admin_session_revocations: 1,
        },
      });
      expect(await left()).toStrictEqual(everythingKept);
      // Three old audit events with batches of two: two statements.
      expect(batches.filter(([table]) => table === 'audit_events')).toStrictEqual([['audit_events', 2], ['audit_events', 1]]);
      expect(batches.filter(([table]) => table === 'webhook_deliveries')).toStrictEqual([['webhook_deliveries', 2]]);
    });

    it('follows the clock: a year later, what was kept is old too (pending deliveries, their events and unprocessed webhooks excepted)', async () => {
      const clock = new FakeClock(now);
      const worker = createRetentionWorker({ sql: db.sql, clock, logger, policy });
      await worker.purgeOnce();
      clock.advance(366 * day);
      const result = await worker.purgeOnce();
      expect(result).toStrictEqual({
        skipped: false,
        complete: true,
        deleted: {
          audit_events: 2, credential_reads: 1, outbox_events: 0, webhook_deliveries: 1, tiktok_webhook_inbox: 1, oauth_states: 2,
          connect_sessions: 1, rate_limits: 2, tiktok_call_budget: 1, admin_session_revocations: 1,
        },
      });
      // The pending delivery still needs its event (a paused subscription's backlog is delivered, or replayed, later).
      expect(await left()).toStrictEqual({
        audit_events: [], credential_reads: [], outbox_events: ['kept'], webhook_deliveries: ['kept-pending'], webhook_attempts: ['kept-pending', 'kept-pending'],
        attempts_without_delivery: [], tiktok_webhook_inbox: ['kept-unprocessed'], oauth_states: [], connect_sessions: [], rate_limits: [],
        tiktok_call_budget: [], admin_session_revocations: [],
      });
    });

    it('keeps rows for as long as each setting says (RETENTION_* and WEBHOOK_RETENTION_DAYS)', async () => {
      const worker = createRetentionWorker({
        sql: db.sql, clock: new FakeClock(now), logger, policy: { ...policy, auditEventsDays: 1000, outboxEventsDays: 40, webhooksDays: 35, batchSize: 1000 },
      });
      const result = await worker.purgeOnce();
      expect(result).toMatchObject({ deleted: { audit_events: 0, credential_reads: 0, outbox_events: 1, webhook_deliveries: 1, tiktok_webhook_inbox: 0 } });
      expect((await left()).webhook_deliveries).toStrictEqual(['kept-delivered', 'kept-pending', 'old-delivered']);
    });

    it('purges only the tables asked for', async () => {
      const worker = createRetentionWorker({ sql: db.sql, clock: new FakeClock(now), logger, policy });
      const result = await worker.purgeOnce({ tables: ['webhook_deliveries', 'tiktok_webhook_inbox'] });
      expect(result).toStrictEqual({ skipped: false, complete: true, deleted: { ...nothingDeleted, webhook_deliveries: 2, tiktok_webhook_inbox: 1 } });
      expect((await left()).audit_events).toHaveLength(5);
    });
  });

  describe('with more old rows than one batch', () => {
    it('purges them all, one statement of RETENTION_BATCH_SIZE rows at a time', async () => {
      await db.sql.query(
        "INSERT INTO audit_events (occurred_at, actor_type, action, outcome) SELECT $1, 'system', 'bulk', 'success' FROM generate_series(1, 2500)",
        [ago(400)],
      );
      await db.sql.query(
        "INSERT INTO tiktok_webhook_inbox (app, dedup_key, raw_body, received_at, processed_at) SELECT 'default', 'bulk-' || n, '{}', $1, $1 FROM generate_series(1, 2100) n",
        [ago(40)],
      );
      const batches: [string, number][] = [];
      const worker = createRetentionWorker({ sql: db.sql, clock: new FakeClock(now), logger, policy: { ...policy, batchSize: 1000 }, onDeleted: (table, rows) => batches.push([table, rows]) });
      const result = await worker.purgeOnce();
      expect(result).toMatchObject({ skipped: false, complete: true, deleted: { audit_events: 2503, tiktok_webhook_inbox: 2101 } });
      expect(batches.filter(([table]) => table === 'audit_events')).toStrictEqual([['audit_events', 1000], ['audit_events', 1000], ['audit_events', 503]]);
      expect(batches.filter(([table]) => table === 'tiktok_webhook_inbox')).toStrictEqual([['tiktok_webhook_inbox', 1000], ['tiktok_webhook_inbox', 1000], ['tiktok_webhook_inbox', 101]]);
      expect(await left()).toStrictEqual(everythingKept);
    });
  });

  describe('start and stop', () => {
    it('does nothing until started, purges on start, and stops cleanly', async () => {
      const worker = createRetentionWorker({ sql: db.sql, clock: new FakeClock(now), logger, policy });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await left()).audit_events).toHaveLength(5);
      worker.start();
      await expect.poll(async () => (await left()).admin_session_revocations, { timeout: 10_000 }).toStrictEqual(everythingKept.admin_session_revocations);
      await worker.stop();
      expect(await left()).toStrictEqual(everythingKept);
    });
  });
});
