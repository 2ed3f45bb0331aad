import type { SqlRunner } from '../sql.js';

/** One TikTok webhook delivery as stored before it was acknowledged. */
export interface InboxItem {
  id: string;
  app: string;
  dedupKey: string;
  rawBody: string;
  receivedAt: Date;
  attempts: number;
}

interface Row {
  id: string;
  app: string;
  dedup_key: string;
  raw_body: string;
  received_at: Date | string;
  attempts: number;
}

export type WebhookInboxStore = ReturnType<typeof createWebhookInboxStore>;

/**
 * TikTok's webhooks, raw, first: `receive` is the one write made before TikTok gets its 200. The inbox
 * worker claims a batch with a lease, one batch in flight across all replicas (claims are serialised
 * by a transaction-scoped advisory lock and wait while another batch is leased), so webhooks are
 * relayed in the order they arrived; each row is marked processed in the transaction of its effects.
 */
export function createWebhookInboxStore(sql: SqlRunner) {
  return {
    /** Stores a delivery; false when one with the same key was stored before (TikTok's retry). */
    async receive(input: { app: string; dedupKey: string; rawBody: string; now: Date }): Promise<boolean> {
      const rows = await sql.query(
        `INSERT INTO tiktok_webhook_inbox (app, dedup_key, raw_body, received_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (app, dedup_key) DO NOTHING RETURNING id`,
        [input.app, input.dedupKey, input.rawBody, input.now],
        { prepareAs: 'tiktok_inbox_receive' },
      );
      return rows.length > 0;
    },

    /**
     * Inside a transaction: up to `limit` unprocessed rows, oldest first, leased to the caller until
     * `leaseUntil`; none while another batch is leased (or another replica is claiming).
     */
    async claim(input: { now: Date; leaseUntil: Date; limit: number }): Promise<InboxItem[]> {
      const [lock] = await sql.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext('tiktok_webhook_inbox')) AS locked");
      if (!lock?.locked) return [];
      const rows = await sql.query<Row>(
        `UPDATE tiktok_webhook_inbox i SET lease_until = $2, attempts = i.attempts + 1
         FROM (SELECT id FROM tiktok_webhook_inbox
                WHERE processed_at IS NULL AND (lease_until IS NULL OR lease_until <= $1) AND (retry_at IS NULL OR retry_at <= $1)
                  AND NOT EXISTS (SELECT 1 FROM tiktok_webhook_inbox held WHERE held.processed_at IS NULL AND held.lease_until > $1)
                ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED) due
         WHERE i.id = due.id
         RETURNING i.id::text AS id, i.app, i.dedup_key, i.raw_body, i.received_at, i.attempts`,
        [input.now, input.leaseUntil, input.limit],
      );
      return rows
        .map((row) => ({ id: row.id, app: row.app, dedupKey: row.dedup_key, rawBody: row.raw_body, receivedAt: new Date(row.received_at), attempts: row.attempts }))
        .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
    },

    /** Marks a row processed (inside the transaction of its effects); false when another worker already did. */
    async markProcessed(id: string, outcome: string, now: Date): Promise<boolean> {
      const rows = await sql.query(
        'UPDATE tiktok_webhook_inbox SET processed_at = $2, outcome = $3, lease_until = NULL WHERE id = $1::bigint AND processed_at IS NULL RETURNING id',
        [id, now, outcome],
      );
      return rows.length > 0;
    },

    /** Records why processing failed; the row is tried again once `retryAt` has passed (later rows go on meanwhile). */
    async fail(id: string, error: string, retryAt: Date): Promise<void> {
      await sql.query(
        'UPDATE tiktok_webhook_inbox SET last_error = $2, lease_until = NULL, retry_at = $3 WHERE id = $1::bigint AND processed_at IS NULL',
        [id, error.slice(0, 500), retryAt],
      );
    },

    /** Unprocessed rows (admin health). */
    async backlog(): Promise<number> {
      const [row] = await sql.query<{ count: string }>('SELECT count(*)::text AS count FROM tiktok_webhook_inbox WHERE processed_at IS NULL');
      return Number(row?.count ?? 0);
    },
  };
}
