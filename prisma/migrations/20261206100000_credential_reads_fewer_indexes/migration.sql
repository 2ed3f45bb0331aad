-- Issue #12: reads spread over many shops make a credential_reads row per read (no shop is read twice in a minute),
-- and each row was written to four btrees (the surrogate id, the bucket key, (shop_id, minute), (api_client_id, minute))
-- with the bucket key probed first: at 300,000 shops that cost Postgres about three times the token reads themselves.
-- Now two btrees: the bucket itself is the primary key, led by the client so that it also serves "everything one
-- client read in a period"; (shop_id, minute) stays for "who read this shop's token". Retention's batched deletes
-- (minute < cutoff) use a BRIN index on minute: rows arrive in minute order, and a BRIN costs almost nothing to keep.
-- A read of a shop that was not found has no connection: connection_id '' (was NULL), so that the key has no NULLs.
UPDATE "credential_reads" SET "connection_id" = '' WHERE "connection_id" IS NULL;
ALTER TABLE "credential_reads" ALTER COLUMN "connection_id" SET NOT NULL, ALTER COLUMN "connection_id" SET DEFAULT '';

ALTER TABLE "credential_reads" DROP CONSTRAINT "credential_reads_pkey", DROP COLUMN "id";
DROP INDEX "credential_reads_bucket_key";
DROP INDEX "credential_reads_client_minute_idx";

ALTER TABLE "credential_reads" ADD CONSTRAINT "credential_reads_pkey" PRIMARY KEY ("api_client_id", "minute", "shop_id", "connection_id");
CREATE INDEX "credential_reads_minute_brin" ON "credential_reads" USING BRIN ("minute");
