-- Issue #14: outbox events in an order readers can follow without skipping one. An id alone cannot give
-- it: two transactions take ids 9 and 10 and may commit 10 first, so a reader past 10 never sees 9.
-- Each row now also carries `xact_order` (xid8), and the dispatcher and GET /v1/events read by
-- (xact_order, id), taking a row only once every transaction up to its xact_order has ended
-- (`xact_order < pg_snapshot_xmin(pg_current_snapshot())`), or at once when no writer of events is in
-- flight (outbox_events_no_writer below); src/db/stores/outbox-order.ts states why that never skips an event.

-- AlterTable: rows written before this migration have all committed; they keep their id order, first.
ALTER TABLE "outbox_events" ADD COLUMN "xact_order" xid8 NOT NULL DEFAULT '0';
ALTER TABLE "outbox_events" ALTER COLUMN "xact_order" SET DEFAULT pg_current_xact_id();

-- CreateFunction: every insert, whoever writes it and whatever it says. xact_order is the writer's transaction id
-- or, if later, one past the newest transaction that had ended (a snapshot of this moment: after any lock the
-- insert waited for), so an event written after another transaction committed sorts after that one's events.
CREATE FUNCTION "outbox_events_order"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.xact_order := GREATEST(pg_current_xact_id(), pg_snapshot_xmax(pg_current_snapshot()));
  RETURN NEW;
END
$$;

-- CreateTrigger
CREATE TRIGGER "outbox_events_order" BEFORE INSERT ON "outbox_events" FOR EACH ROW EXECUTE FUNCTION "outbox_events_order"();

-- CreateFunction: for a reader, inside its transaction: true when no transaction that writes to outbox_events
-- is in flight, and none can start until the reader's transaction ends. A writer holds ROW EXCLUSIVE on the
-- table from before it takes an id until it ends; SHARE conflicts with that and not with other readers.
CREATE FUNCTION "outbox_events_no_writer"() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE "outbox_events" IN SHARE MODE NOWAIT;
  RETURN true;
EXCEPTION WHEN lock_not_available THEN
  RETURN false;
END
$$;

-- DropIndex: replaced by the partial index below.
DROP INDEX "outbox_events_published_at_id_idx";

-- CreateIndex: the dispatcher (events not yet fanned out, in order) and the outbox backlog metrics: a small
-- partial index over the few rows waiting, read in order without a sort and never over the published history.
CREATE INDEX "outbox_events_unpublished_idx" ON "outbox_events"("xact_order", "id") WHERE "published_at" IS NULL;

-- CreateIndex: GET /v1/events (events after a cursor, in order).
CREATE INDEX "outbox_events_xact_order_id_idx" ON "outbox_events"("xact_order", "id");
