-- AlterTable: a client without its own limit follows DEFAULT_RATE_LIMIT_PER_MINUTE (null), instead of a copy of 60.
ALTER TABLE "api_clients" ALTER COLUMN "rate_limit_per_minute" DROP NOT NULL,
ALTER COLUMN "rate_limit_per_minute" DROP DEFAULT;
