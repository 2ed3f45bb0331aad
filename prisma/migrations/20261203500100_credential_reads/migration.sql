-- issue #12: token reads audited as one row per API client × shop × connection × UTC minute
-- (counts per outcome, first and last request id and time) instead of one audit_events row per read.
CREATE TABLE "credential_reads" (
    "id" BIGSERIAL NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "api_client_id" TEXT NOT NULL,
    "shop_id" TEXT NOT NULL,
    "connection_id" TEXT,
    "reads" INTEGER NOT NULL,
    "succeeded" INTEGER NOT NULL,
    "denied" INTEGER NOT NULL,
    "failed" INTEGER NOT NULL,
    "first_request_id" TEXT NOT NULL,
    "first_at" TIMESTAMPTZ(3) NOT NULL,
    "last_request_id" TEXT NOT NULL,
    "last_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "credential_reads_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "credential_reads_bucket_key" ON "credential_reads"("minute", "api_client_id", "shop_id", "connection_id") NULLS NOT DISTINCT;
CREATE INDEX "credential_reads_shop_minute_idx" ON "credential_reads"("shop_id", "minute");
CREATE INDEX "credential_reads_client_minute_idx" ON "credential_reads"("api_client_id", "minute");
