-- TikTok's webhooks are deduplicated by the inbox (tiktok_webhook_inbox, unique (app, dedup_key)) since
-- 20261202000000_webhook_delivery; nothing writes or reads webhook_receipts any more.
DROP TABLE "webhook_receipts";
