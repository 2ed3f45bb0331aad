-- TikTok's webhook deliveries, stored raw before they are acknowledged (the inbox), then processed by a worker.
CREATE TABLE "tiktok_webhook_inbox" (
    "id" BIGSERIAL NOT NULL,
    "app" TEXT NOT NULL,
    -- `id:<tts_notification_id>` when the body has one, else `sha256:<hex of the exact body>`.
    "dedup_key" TEXT NOT NULL,
    "raw_body" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "processed_at" TIMESTAMPTZ(3),
    "outcome" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lease_until" TIMESTAMPTZ(3),
    -- After a failed processing: not before this time.
    "retry_at" TIMESTAMPTZ(3),
    "last_error" TEXT,

    CONSTRAINT "tiktok_webhook_inbox_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "tiktok_webhook_inbox_app_dedup_key_key" ON "tiktok_webhook_inbox"("app", "dedup_key");
CREATE INDEX "tiktok_webhook_inbox_processed_at_id_idx" ON "tiktok_webhook_inbox"("processed_at", "id");
CREATE INDEX "tiktok_webhook_inbox_received_at_idx" ON "tiktok_webhook_inbox"("received_at");

-- Internal apps' webhook subscriptions; the signing secret is sealed by the vault, bound to the row.
CREATE TABLE "webhook_subscriptions" (
    "id" TEXT NOT NULL,
    "api_client_id" TEXT,
    "url" TEXT NOT NULL,
    "events" TEXT[],
    "shop_ids" TEXT[],
    "apps" TEXT[],
    "status" TEXT NOT NULL DEFAULT 'active',
    "paused_reason" TEXT,
    "secret_sealed" TEXT NOT NULL,
    "previous_secret_sealed" TEXT,
    "previous_secret_expires_at" TIMESTAMPTZ(3),
    "failing_since" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_subscriptions_pkey" PRIMARY KEY ("id")
);

-- One event for one subscription: pending until delivered or dead (a dead letter). A replay is a new row.
CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "subscription_id" TEXT NOT NULL,
    "event_id" BIGINT NOT NULL,
    -- Deliveries of one subscription with the same key go out in id order (the connection, or the event alone).
    "ordering_key" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "lease_owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "replay_of" BIGINT,
    "replayed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");
CREATE INDEX "webhook_deliveries_subscription_id_ordering_key_id_idx" ON "webhook_deliveries"("subscription_id", "ordering_key", "id");
CREATE INDEX "webhook_deliveries_subscription_id_status_idx" ON "webhook_deliveries"("subscription_id", "status");
CREATE INDEX "webhook_deliveries_created_at_idx" ON "webhook_deliveries"("created_at");
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "webhook_subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every attempt of a delivery: what the receiver answered (a snippet, never our headers), and how long it took.
CREATE TABLE "webhook_attempts" (
    "id" BIGSERIAL NOT NULL,
    "delivery_id" BIGINT NOT NULL,
    "attempted_at" TIMESTAMPTZ(3) NOT NULL,
    "status_code" INTEGER,
    "latency_ms" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "error" TEXT,
    "response_snippet" TEXT,

    CONSTRAINT "webhook_attempts_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "webhook_attempts_delivery_id_idx" ON "webhook_attempts"("delivery_id");
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Events written before subscriptions existed are not pushed to anyone.
UPDATE "outbox_events" SET "published_at" = CURRENT_TIMESTAMP WHERE "published_at" IS NULL;
