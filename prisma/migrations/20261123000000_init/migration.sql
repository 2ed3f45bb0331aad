-- CreateEnum
CREATE TYPE "ConnectionStatus" AS ENUM ('active', 'needs_reauth', 'expired', 'suspended', 'revoked');

-- CreateTable
CREATE TABLE "connections" (
    "id" TEXT NOT NULL,
    "open_id" TEXT NOT NULL,
    "user_type" INTEGER NOT NULL,
    "seller_name" TEXT NOT NULL,
    "seller_base_region" TEXT,
    "merchant_ref" TEXT,
    "created_by_api_client_id" TEXT,
    "status" "ConnectionStatus" NOT NULL DEFAULT 'active',
    "status_reason" TEXT,
    "granted_scopes" TEXT[],
    "access_token_sealed" TEXT NOT NULL,
    "refresh_token_sealed" TEXT NOT NULL,
    "encryption_key_id" TEXT NOT NULL,
    "access_token_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "refresh_token_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "refresh_due_at" TIMESTAMPTZ(3),
    "token_version" INTEGER NOT NULL DEFAULT 1,
    "claim_owner" TEXT,
    "claim_expires_at" TIMESTAMPTZ(3),
    "refresh_failure_count" INTEGER NOT NULL DEFAULT 0,
    "last_refreshed_at" TIMESTAMPTZ(3),
    "last_refresh_error" TEXT,
    "expiry_warning_days" INTEGER,
    "authorized_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "connections_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "shops" (
    "id" TEXT NOT NULL,
    "connection_id" TEXT NOT NULL,
    "cipher" TEXT NOT NULL,
    "code" TEXT,
    "name" TEXT NOT NULL,
    "region" TEXT NOT NULL,
    "seller_type" TEXT,
    "removed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "shops_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "connect_sessions" (
    "id" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "merchant_ref" TEXT NOT NULL,
    "return_url" TEXT,
    "api_client_id" TEXT,
    "connection_id" TEXT,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "completed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "connect_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "oauth_states" (
    "id" TEXT NOT NULL,
    "state_hash" TEXT NOT NULL,
    "browser_binding_hash" TEXT NOT NULL,
    "connect_session_id" TEXT,
    "connection_id" TEXT,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "consumed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oauth_states_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_clients" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "key_prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "shop_ids" TEXT[],
    "rate_limit_per_minute" INTEGER NOT NULL DEFAULT 60,
    "daily_quota" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_clients_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" BIGSERIAL NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_type" TEXT NOT NULL,
    "actor_id" TEXT,
    "action" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "connection_id" TEXT,
    "shop_id" TEXT,
    "request_id" TEXT,
    "detail" JSONB,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "problems" (
    "id" TEXT NOT NULL,
    "connection_id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "api_path" TEXT NOT NULL DEFAULT '',
    "scope_keys" TEXT[],
    "tiktok_code" INTEGER,
    "tiktok_message" TEXT,
    "occurrences" INTEGER NOT NULL DEFAULT 1,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "resolved_at" TIMESTAMPTZ(3),
    "resolution" TEXT,
    "open_key" TEXT,

    CONSTRAINT "problems_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox_events" (
    "id" BIGSERIAL NOT NULL,
    "type" TEXT NOT NULL,
    "connection_id" TEXT,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "published_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_receipts" (
    "notification_id" TEXT NOT NULL,
    "type" INTEGER NOT NULL,
    "shop_id" TEXT,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_receipts_pkey" PRIMARY KEY ("notification_id")
);

-- CreateTable
CREATE TABLE "rate_limits" (
    "key" VARCHAR(255) NOT NULL,
    "points" INTEGER NOT NULL DEFAULT 0,
    "expire" BIGINT,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "connections_open_id_key" ON "connections"("open_id");

-- CreateIndex
CREATE INDEX "connections_refresh_due_at_idx" ON "connections"("refresh_due_at");

-- CreateIndex
CREATE INDEX "connections_merchant_ref_idx" ON "connections"("merchant_ref");

-- CreateIndex
CREATE INDEX "connections_status_idx" ON "connections"("status");

-- CreateIndex
CREATE INDEX "shops_connection_id_idx" ON "shops"("connection_id");

-- CreateIndex
CREATE UNIQUE INDEX "connect_sessions_token_hash_key" ON "connect_sessions"("token_hash");

-- CreateIndex
CREATE UNIQUE INDEX "oauth_states_state_hash_key" ON "oauth_states"("state_hash");

-- CreateIndex
CREATE UNIQUE INDEX "api_clients_key_prefix_key" ON "api_clients"("key_prefix");

-- CreateIndex
CREATE INDEX "audit_events_connection_id_occurred_at_idx" ON "audit_events"("connection_id", "occurred_at");

-- CreateIndex
CREATE INDEX "audit_events_occurred_at_idx" ON "audit_events"("occurred_at");

-- CreateIndex
CREATE UNIQUE INDEX "problems_open_key_key" ON "problems"("open_key");

-- CreateIndex
CREATE INDEX "problems_connection_id_resolved_at_idx" ON "problems"("connection_id", "resolved_at");

-- CreateIndex
CREATE INDEX "outbox_events_published_at_id_idx" ON "outbox_events"("published_at", "id");

-- AddForeignKey
ALTER TABLE "shops" ADD CONSTRAINT "shops_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "problems" ADD CONSTRAINT "problems_connection_id_fkey" FOREIGN KEY ("connection_id") REFERENCES "connections"("id") ON DELETE CASCADE ON UPDATE CASCADE;
