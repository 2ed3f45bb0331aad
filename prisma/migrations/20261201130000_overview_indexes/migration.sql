-- The admin overview (issue #16) reads only indexed or pre-counted data, so it stays fast at
-- 100,000 connections and millions of audit events.

-- CreateTable: refresh attempts per UTC day and outcome, counted as the audit trail records them
CREATE TABLE "refresh_outcome_days" (
    "day" DATE NOT NULL,
    "outcome" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "refresh_outcome_days_pkey" PRIMARY KEY ("day", "outcome")
);

-- A refresh that TikTok refused for good carries the connection's new status in its detail, a
-- permission refusal its failure class (src/refresh/attempt.ts); anything else failed for now.
CREATE FUNCTION "count_refresh_outcome"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "refresh_outcome_days" ("day", "outcome", "count")
  VALUES (
    (NEW."occurred_at" AT TIME ZONE 'UTC')::date,
    CASE WHEN NEW."outcome" = 'success' THEN 'refreshed'
         WHEN NEW."detail" ? 'status' THEN 'grant_dead'
         WHEN NEW."detail"->>'failureClass' = 'permission' THEN 'permission'
         ELSE 'transient_failure' END,
    1)
  ON CONFLICT ("day", "outcome") DO UPDATE SET "count" = "refresh_outcome_days"."count" + 1;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "audit_events_count_refresh_outcome" AFTER INSERT ON "audit_events"
  FOR EACH ROW WHEN (NEW."action" = 'token.refresh') EXECUTE FUNCTION "count_refresh_outcome"();

-- Backfill from the audit trail so far
INSERT INTO "refresh_outcome_days" ("day", "outcome", "count")
SELECT ("occurred_at" AT TIME ZONE 'UTC')::date,
       CASE WHEN "outcome" = 'success' THEN 'refreshed'
            WHEN "detail" ? 'status' THEN 'grant_dead'
            WHEN "detail"->>'failureClass' = 'permission' THEN 'permission'
            ELSE 'transient_failure' END,
       count(*)::int
  FROM "audit_events" WHERE "action" = 'token.refresh' GROUP BY 1, 2;

-- CreateIndex: open problems by kind
CREATE INDEX "problems_open_kind_idx" ON "problems"("kind") WHERE "resolved_at" IS NULL;

-- CreateIndex: the review queue's "refresh keeps failing" branch
CREATE INDEX "connections_failing_refresh_idx" ON "connections"("refresh_token_expires_at") WHERE "status" = 'active' AND "refresh_failure_count" >= 3;
