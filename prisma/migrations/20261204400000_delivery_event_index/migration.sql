-- Retention keeps an outbox event while a delivery refers to it (a paused subscription's backlog, a dead letter
-- to replay); this index makes that check one lookup per event.
CREATE INDEX "webhook_deliveries_event_id_idx" ON "webhook_deliveries"("event_id");
