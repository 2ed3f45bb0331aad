-- Issue #15 items 2 and 3: a refresh token lost to a refresh whose answer never arrived (the access
-- token is still served until it expires), and when the last refresh attempt started (an expired token
-- in backoff is retried on request at most once per 30 s).
ALTER TYPE "ConnectionStatus" ADD VALUE IF NOT EXISTS 'refresh_lost' AFTER 'active';
ALTER TABLE "connections" ADD COLUMN "refresh_attempted_at" TIMESTAMPTZ(3);
