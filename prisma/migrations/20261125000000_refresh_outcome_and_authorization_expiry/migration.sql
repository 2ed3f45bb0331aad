-- AlterTable
ALTER TABLE "connections" ADD COLUMN     "refresh_outcome_unknown_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "connections_status_refresh_token_expires_at_idx" ON "connections"("status", "refresh_token_expires_at");
