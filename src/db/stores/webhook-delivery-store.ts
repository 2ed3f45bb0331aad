import type { Attempt, AttemptOutcome, Delivery, DeliveryStatus, OutboundEvent } from '../../webhooks/model.js';
import type { Sealed } from '../../shared/sealed.js';
import type { SqlRunner } from '../sql.js';
import { noWriterInFlight, outboxOrder, settled } from './outbox-order.js';

/** An outbox event not yet fanned out to subscriptions. */
export interface UnpublishedEvent {
  id: string;
  type: string;
  connectionId: string | null;
  /** The TikTok Shop app: the connection's, or the one a relayed webhook came to (#13). */
  app: string | null;
  payload: Record<string, unknown>;
}

/** A delivery leased to one worker for one attempt, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  subscriptionId: string;
  url: string;
  /** The attempt being made now (1 for the first). */
  attempt: number;
  event: OutboundEvent;
  /** The subscription's sealed signing secrets, read with the claim. */
  secrets: { secret: Sealed; previous: Sealed | null; previousExpiresAt: Date | null };
}

export interface AttemptRecord extends Attempt {
  deliveryId: string;
  owner: string;
  /** For `retry`: when the next attempt is due. */
  nextAttemptAt: Date | null;
}

/** A subscription's health, for admins. */
export interface SubscriptionHealth {
  subscriptionId: string;
  backlog: number;
  deadLetters: number;
  attemptsLastDay: number;
  successesLastDay: number;
  lastError: string | null;
  lastErrorAt: Date | null;
}

type DeliveryRow = {
  id: string; subscription_id: string; event_id: string; event_type: string; connection_id: string | null; status: DeliveryStatus;
  attempts: number; next_attempt_at: Date | string; last_error: string | null; replay_of: string | null; created_at: Date | string; finished_at: Date | string | null;
};
type AttemptRow = {
  delivery_id: string; attempted_at: Date | string; status_code: number | null; latency_ms: number; outcome: AttemptOutcome; error: string | null; response_snippet: string | null;
};

export type WebhookDeliveryStore = ReturnType<typeof createWebhookDeliveryStore>;

/**
 * Deliveries of events to subscriptions, and their attempts. Claims are leased with
 * `FOR UPDATE SKIP LOCKED`, so each attempt is made by one worker whatever the number of replicas;
 * a delivery waits while an earlier one of the same subscription and ordering key is pending.
 */
export function createWebhookDeliveryStore(sql: SqlRunner) {
  return {
    /** Inside a transaction: true for the one dispatcher of the moment (the lock ends with the transaction). */
    async tryDispatchLock(): Promise<boolean> {
      const [row] = await sql.query<{ locked: boolean }>("SELECT pg_try_advisory_xact_lock(hashtext('webhook_dispatch')) AS locked");
      return row?.locked ?? false;
    },

    /**
     * Inside a transaction: up to `limit` events not yet fanned out, settled and in the outbox's order
     * (outbox-order.ts); an event waits for a later round while one that goes before it may still be uncommitted.
     */
    async unpublished(limit: number): Promise<UnpublishedEvent[]> {
      const quiet = await noWriterInFlight(sql);
      const rows = await sql.query<{ id: string; type: string; connection_id: string | null; app: string | null; payload: Record<string, unknown> }>(
        `SELECT e.id::text AS id, e.type, e.connection_id, COALESCE((SELECT c.app FROM connections c WHERE c.id = e.connection_id), e.payload->>'app') AS app, e.payload
           FROM outbox_events e WHERE e.published_at IS NULL AND ${settled(quiet)}
         ORDER BY ${outboxOrder} LIMIT $1 FOR UPDATE OF e SKIP LOCKED`,
        [limit],
      );
      return rows.map((row) => ({ id: row.id, type: row.type, connectionId: row.connection_id, app: row.app, payload: row.payload }));
    },

    /** Shop ids by connection (removed shops included: an event may be about them). */
    async shopsOf(connectionIds: string[]): Promise<Map<string, string[]>> {
      const shops = new Map<string, string[]>();
      if (connectionIds.length === 0) return shops;
      const rows = await sql.query<{ id: string; connection_id: string }>('SELECT id, connection_id FROM shops WHERE connection_id = ANY($1::text[])', [connectionIds]);
      for (const row of rows) shops.set(row.connection_id, [...(shops.get(row.connection_id) ?? []), row.id]);
      return shops;
    },

    /** Inserts deliveries in the order given (ids grow in that order, which is the delivery order). */
    async insert(deliveries: { subscriptionId: string; eventId: string; orderingKey: string }[], now: Date): Promise<void> {
      if (deliveries.length === 0) return;
      await sql.query(
        `INSERT INTO webhook_deliveries (subscription_id, event_id, ordering_key, next_attempt_at, created_at)
         SELECT s, e, k, $4, $4 FROM unnest($1::text[], $2::bigint[], $3::text[]) WITH ORDINALITY AS t(s, e, k, n) ORDER BY n`,
        [deliveries.map((d) => d.subscriptionId), deliveries.map((d) => d.eventId), deliveries.map((d) => d.orderingKey), now],
      );
    },

    async markPublished(eventIds: string[], now: Date): Promise<void> {
      await sql.query('UPDATE outbox_events SET published_at = $2 WHERE id = ANY($1::bigint[])', [eventIds, now]);
    },

    /** Leases up to `limit` due deliveries of active subscriptions, each the earliest pending of its ordering key. */
    async claim(input: { now: Date; owner: string; leaseUntil: Date; limit: number }): Promise<ClaimedDelivery[]> {
      const rows = await sql.query<{
        id: string; subscription_id: string; url: string; attempts: number; event_id: string; type: string; connection_id: string | null; app: string | null; payload: unknown; event_created_at: Date | string;
        secret_sealed: string; previous_secret_sealed: string | null; previous_secret_expires_at: Date | string | null;
      }>(
        `UPDATE webhook_deliveries d SET lease_owner = $2, lease_until = $3, attempts = d.attempts + 1
         FROM (SELECT d.id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
                WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.lease_until IS NULL OR d.lease_until <= $1) AND s.status = 'active'
                  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.subscription_id = d.subscription_id
                                    AND p.ordering_key = d.ordering_key AND p.status = 'pending' AND p.id < d.id)
                ORDER BY d.next_attempt_at, d.id LIMIT $4 FOR UPDATE OF d SKIP LOCKED) due,
              outbox_events e, webhook_subscriptions s
         WHERE d.id = due.id AND e.id = d.event_id AND s.id = d.subscription_id
         RETURNING d.id::text AS id, d.subscription_id, s.url, d.attempts, e.id::text AS event_id, e.type, e.connection_id,
                   COALESCE((SELECT c.app FROM connections c WHERE c.id = e.connection_id), e.payload->>'app') AS app, e.payload, e.created_at AS event_created_at,
                   s.secret_sealed, s.previous_secret_sealed, s.previous_secret_expires_at`,
        [input.now, input.owner, input.leaseUntil, input.limit],
      );
      return rows.map((row) => ({
        id: row.id,
        subscriptionId: row.subscription_id,
        url: row.url,
        attempt: row.attempts,
        event: { id: row.event_id, type: row.type, connectionId: row.connection_id, app: row.app, payload: row.payload, createdAt: new Date(row.event_created_at).toISOString() },
        secrets: {
          secret: row.secret_sealed as Sealed,
          previous: row.previous_secret_sealed as Sealed | null,
          previousExpiresAt: row.previous_secret_expires_at === null ? null : new Date(row.previous_secret_expires_at),
        },
      }));
    },

    /** Records an attempt and its consequence, if the caller still holds the lease; false otherwise. */
    async recordAttempt(record: AttemptRecord): Promise<boolean> {
      const status: DeliveryStatus = record.outcome === 'delivered' ? 'delivered' : record.outcome === 'dead' ? 'dead' : 'pending';
      const rows = await sql.query(
        `WITH updated AS (
           UPDATE webhook_deliveries SET status = $3, next_attempt_at = COALESCE($4, next_attempt_at), last_error = $5,
             lease_owner = NULL, lease_until = NULL, finished_at = CASE WHEN $3 = 'pending' THEN NULL ELSE $6::timestamptz END
           WHERE id = $1::bigint AND lease_owner = $2 AND status = 'pending' RETURNING id)
         INSERT INTO webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, outcome, error, response_snippet)
         SELECT id, $6, $7, $8, $9, $5, $10 FROM updated RETURNING delivery_id`,
        [record.deliveryId, record.owner, status, record.nextAttemptAt, record.error, record.attemptedAt, record.statusCode, record.latencyMs, record.outcome, record.responseSnippet],
      );
      return rows.length > 0;
    },

    /** A subscription's deliveries, newest first, with their attempts; `before` (a delivery id) pages on. */
    async list(input: { subscriptionId: string; status?: DeliveryStatus; before?: string; limit: number }): Promise<Delivery[]> {
      const rows = await sql.query<DeliveryRow>(
        `SELECT d.id::text AS id, d.subscription_id, d.event_id::text AS event_id, e.type AS event_type, e.connection_id, d.status, d.attempts,
                d.next_attempt_at, d.last_error, d.replay_of::text AS replay_of, d.created_at, d.finished_at
         FROM webhook_deliveries d JOIN outbox_events e ON e.id = d.event_id
         WHERE d.subscription_id = $1 AND ($2::text IS NULL OR d.status = $2) AND ($3::bigint IS NULL OR d.id < $3::bigint)
         ORDER BY d.id DESC LIMIT $4`,
        [input.subscriptionId, input.status ?? null, input.before ?? null, input.limit],
      );
      const attempts = rows.length === 0 ? [] : await sql.query<AttemptRow>(
        `SELECT delivery_id::text AS delivery_id, attempted_at, status_code, latency_ms, outcome, error, response_snippet
         FROM webhook_attempts WHERE delivery_id = ANY($1::bigint[]) ORDER BY id`,
        [rows.map((row) => row.id)],
      );
      return rows.map((row) => ({
        id: row.id,
        subscriptionId: row.subscription_id,
        eventId: row.event_id,
        eventType: row.event_type,
        connectionId: row.connection_id,
        status: row.status,
        attempts: row.attempts,
        nextAttemptAt: row.status === 'pending' ? new Date(row.next_attempt_at) : null,
        lastError: row.last_error,
        replayOf: row.replay_of,
        createdAt: new Date(row.created_at),
        finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
        attemptLog: attempts.filter((a) => a.delivery_id === row.id).map((a) => ({
          attemptedAt: new Date(a.attempted_at), statusCode: a.status_code, latencyMs: a.latency_ms, outcome: a.outcome, error: a.error, responseSnippet: a.response_snippet,
        })),
      }));
    },

    /**
     * Sends events again as new deliveries (the old ones keep their history), in the outbox's order, due now:
     * `delivery` one delivery; `dead` every dead letter not replayed yet; `since` each event delivered
     * (or not) since that time, once. Answers the new delivery ids.
     */
    async replay(input: { subscriptionId: string; now: Date } & ({ delivery: string } | { dead: true } | { since: Date })): Promise<string[]> {
      const where = 'delivery' in input ? 'id = $3::bigint' : 'dead' in input ? "status = 'dead' AND replayed_at IS NULL" : 'created_at >= $3';
      const third = 'delivery' in input ? input.delivery : 'since' in input ? input.since : null;
      const rows = await sql.query<{ id: string }>(
        `WITH picked AS (
           SELECT DISTINCT ON (event_id) id, event_id, ordering_key FROM webhook_deliveries
           WHERE subscription_id = $1 AND ${where} ORDER BY event_id, id DESC),
         marked AS (UPDATE webhook_deliveries SET replayed_at = $2 WHERE id IN (SELECT id FROM picked) RETURNING id)
         INSERT INTO webhook_deliveries (subscription_id, event_id, ordering_key, next_attempt_at, replay_of, created_at)
         SELECT $1, p.event_id, p.ordering_key, $2, p.id, $2 FROM picked p LEFT JOIN outbox_events e ON e.id = p.event_id
         ORDER BY e.xact_order, p.event_id RETURNING id::text AS id`,
        'delivery' in input || 'since' in input ? [input.subscriptionId, input.now, third] : [input.subscriptionId, input.now],
      );
      return rows.map((row) => row.id);
    },

    async health(since: Date): Promise<SubscriptionHealth[]> {
      const rows = await sql.query<{
        id: string; backlog: string; dead: string; attempts: string; successes: string; last_error: string | null; last_error_at: Date | string | null;
      }>(
        `SELECT s.id,
           (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.status = 'pending')::text AS backlog,
           (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.status = 'dead' AND d.replayed_at IS NULL)::text AS dead,
           (SELECT count(*) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.subscription_id = s.id AND a.attempted_at >= $1)::text AS attempts,
           (SELECT count(*) FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
             WHERE d.subscription_id = s.id AND a.attempted_at >= $1 AND a.outcome = 'delivered')::text AS successes,
           l.error AS last_error, l.attempted_at AS last_error_at
         FROM webhook_subscriptions s
         LEFT JOIN LATERAL (SELECT COALESCE(a.error, 'HTTP ' || a.status_code) AS error, a.attempted_at FROM webhook_attempts a
                              JOIN webhook_deliveries d ON d.id = a.delivery_id
                             WHERE d.subscription_id = s.id AND a.outcome <> 'delivered' ORDER BY a.id DESC LIMIT 1) l ON true
         ORDER BY s.created_at, s.id`,
        [since],
      );
      return rows.map((row) => ({
        subscriptionId: row.id, backlog: Number(row.backlog), deadLetters: Number(row.dead), attemptsLastDay: Number(row.attempts),
        successesLastDay: Number(row.successes), lastError: row.last_error, lastErrorAt: row.last_error_at === null ? null : new Date(row.last_error_at),
      }));
    },
  };
}
