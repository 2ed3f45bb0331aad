-- issue #12: TikTok's 50 calls a second per (app, shop, API), counted once for every replica.
-- One row per key: the current 1-second window and its count (a new second resets it in the same upsert).
CREATE TABLE "tiktok_call_budget" (
    "key" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "calls" INTEGER NOT NULL,

    CONSTRAINT "tiktok_call_budget_pkey" PRIMARY KEY ("key")
);
