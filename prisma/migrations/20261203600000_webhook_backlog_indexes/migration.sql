-- The delivery backlog as /metrics and the admin overview read it (issues #16, #17): small partial
-- indexes over the few rows that are waiting or dead, so neither reads the delivered history.

-- CreateIndex: the age of the oldest pending delivery (connect_webhook_oldest_pending_delivery_age_seconds)
CREATE INDEX "webhook_deliveries_pending_created_at_idx" ON "webhook_deliveries"("created_at") WHERE "status" = 'pending';

-- CreateIndex: dead letters not replayed yet, by subscription (the overview's failing subscriptions, the dead-letter gauge)
CREATE INDEX "webhook_deliveries_dead_letters_idx" ON "webhook_deliveries"("subscription_id") WHERE "status" = 'dead' AND "replayed_at" IS NULL;
