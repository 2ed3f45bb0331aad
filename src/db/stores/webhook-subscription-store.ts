import type { Sealed } from '../../shared/sealed.js';
import type { Subscription, SubscriptionStatus } from '../../webhooks/model.js';
import type { SqlRunner } from '../sql.js';

interface Row {
  id: string;
  api_client_id: string | null;
  url: string;
  events: string[];
  shop_ids: string[] | null;
  apps: string[] | null;
  status: SubscriptionStatus;
  paused_reason: string | null;
  failing_since: Date | string | null;
  previous_secret_expires_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const columns = `id, api_client_id, url, events, shop_ids, apps, status, paused_reason, failing_since, previous_secret_expires_at, created_at, updated_at`;
const date = (value: Date | string | null) => (value === null ? null : new Date(value));

function toSubscription(row: Row): Subscription {
  return {
    id: row.id,
    apiClientId: row.api_client_id,
    url: row.url,
    events: row.events,
    shopIds: row.shop_ids,
    apps: row.apps,
    status: row.status,
    pausedReason: row.paused_reason,
    failingSince: date(row.failing_since),
    previousSecretExpiresAt: date(row.previous_secret_expires_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

export type WebhookSubscriptionStore = ReturnType<typeof createWebhookSubscriptionStore>;

/** Webhook subscriptions: the only SQL that writes them, a status change always compare-and-set. */
export function createWebhookSubscriptionStore(sql: SqlRunner) {
  return {
    async insert(input: Omit<Subscription, 'status' | 'pausedReason' | 'failingSince' | 'previousSecretExpiresAt' | 'updatedAt'> & { secretSealed: Sealed }): Promise<Subscription> {
      const [row] = await sql.query<Row>(
        `INSERT INTO webhook_subscriptions (id, api_client_id, url, events, shop_ids, apps, secret_sealed, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ${columns}`,
        [input.id, input.apiClientId, input.url, input.events, input.shopIds, input.apps, input.secretSealed, input.createdAt],
      );
      return toSubscription(row!);
    },

    /** Subscriptions, oldest first; with `apiClientId`, only that client's. */
    async list(apiClientId?: string): Promise<Subscription[]> {
      const rows = await sql.query<Row>(
        `SELECT ${columns} FROM webhook_subscriptions WHERE ($1::text IS NULL OR api_client_id = $1) ORDER BY created_at, id`,
        [apiClientId ?? null],
      );
      return rows.map(toSubscription);
    },

    async get(id: string): Promise<Subscription | undefined> {
      const [row] = await sql.query<Row>(`SELECT ${columns} FROM webhook_subscriptions WHERE id = $1`, [id]);
      return row ? toSubscription(row) : undefined;
    },

    async update(id: string, changes: { url?: string; events?: string[]; shopIds?: string[] | null; apps?: string[] | null }, now: Date): Promise<Subscription | undefined> {
      const [row] = await sql.query<Row>(
        `UPDATE webhook_subscriptions SET
           url = CASE WHEN $2 THEN $3 ELSE url END, events = CASE WHEN $4 THEN $5::text[] ELSE events END,
           shop_ids = CASE WHEN $6 THEN $7::text[] ELSE shop_ids END, apps = CASE WHEN $8 THEN $9::text[] ELSE apps END, updated_at = $10
         WHERE id = $1 RETURNING ${columns}`,
        [id, changes.url !== undefined, changes.url ?? null, changes.events !== undefined, changes.events ?? null,
          changes.shopIds !== undefined, changes.shopIds ?? null, changes.apps !== undefined, changes.apps ?? null, now],
      );
      return row ? toSubscription(row) : undefined;
    },

    /** Moves the status from `from` to `to` (compare-and-set); undefined when it was not in `from`. */
    async setStatus(input: { id: string; from: SubscriptionStatus; to: SubscriptionStatus; reason: string | null; now: Date }): Promise<Subscription | undefined> {
      const [row] = await sql.query<Row>(
        `UPDATE webhook_subscriptions SET status = $3, paused_reason = $4, updated_at = $5,
           failing_since = CASE WHEN $3 = 'active' THEN NULL ELSE failing_since END
         WHERE id = $1 AND status = $2 RETURNING ${columns}`,
        [input.id, input.from, input.to, input.reason, input.now],
      );
      return row ? toSubscription(row) : undefined;
    },

    /** Replaces the secret; the old one keeps signing until `previousExpiresAt`. */
    async rotateSecret(input: { id: string; secretSealed: Sealed; previousExpiresAt: Date; now: Date }): Promise<boolean> {
      const rows = await sql.query(
        `UPDATE webhook_subscriptions SET previous_secret_sealed = secret_sealed, previous_secret_expires_at = $3, secret_sealed = $2, updated_at = $4
         WHERE id = $1 RETURNING id`,
        [input.id, input.secretSealed, input.previousExpiresAt, input.now],
      );
      return rows.length > 0;
    },

    async delete(id: string): Promise<boolean> {
      return (await sql.query('DELETE FROM webhook_subscriptions WHERE id = $1 RETURNING id', [id])).length > 0;
    },

    /**
     * Notes a failed attempt: failing since now unless already failing; an active subscription failing
     * since `pauseIfFailingSince` or earlier is paused with `reason`. Answers whether it was paused now.
     */
    async noteFailure(input: { id: string; now: Date; pauseIfFailingSince: Date; reason: string }): Promise<boolean> {
      const [row] = await sql.query<{ paused: boolean }>(
        `WITH before AS (SELECT id, status, COALESCE(failing_since, $2) AS since FROM webhook_subscriptions WHERE id = $1 FOR UPDATE)
         UPDATE webhook_subscriptions s SET failing_since = b.since,
           status = CASE WHEN b.status = 'active' AND b.since <= $3 THEN 'paused' ELSE s.status END,
           paused_reason = CASE WHEN b.status = 'active' AND b.since <= $3 THEN $4 ELSE s.paused_reason END,
           updated_at = CASE WHEN b.status = 'active' AND b.since <= $3 THEN $2 ELSE s.updated_at END
         FROM before b WHERE s.id = b.id
         RETURNING (b.status = 'active' AND b.since <= $3) AS paused`,
        [input.id, input.now, input.pauseIfFailingSince, input.reason],
      );
      return row?.paused ?? false;
    },

    /** Up to `limit` subscriptions' sealed secrets with an id greater than `afterId`, in id order (re-encryption). */
    async listSealedSecrets(afterId: string, limit: number): Promise<{ id: string; secret: Sealed; previous: Sealed | null }[]> {
      const rows = await sql.query<{ id: string; secret_sealed: string; previous_secret_sealed: string | null }>(
        'SELECT id, secret_sealed, previous_secret_sealed FROM webhook_subscriptions WHERE id > $1 ORDER BY id LIMIT $2',
        [afterId, limit],
      );
      return rows.map((row) => ({ id: row.id, secret: row.secret_sealed as Sealed, previous: row.previous_secret_sealed as Sealed | null }));
    },

    /** Replaces both sealed secrets only if they are still `expected` (a rotation meanwhile is never overwritten). */
    async replaceSealedSecrets(id: string, expected: { secret: Sealed; previous: Sealed | null }, next: { secret: Sealed; previous: Sealed | null }): Promise<boolean> {
      const rows = await sql.query(
        `UPDATE webhook_subscriptions SET secret_sealed = $4, previous_secret_sealed = $5
          WHERE id = $1 AND secret_sealed = $2 AND previous_secret_sealed IS NOT DISTINCT FROM $3 RETURNING id`,
        [id, expected.secret, expected.previous, next.secret, next.previous],
      );
      return rows.length === 1;
    },

    async noteSuccess(id: string): Promise<void> {
      await sql.query('UPDATE webhook_subscriptions SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL', [id]);
    },
  };
}
