-- Issue #12: every proxied call adds one to its (app, shop, API) count in `tiktok_call_budget` before TikTok is
-- called; as a logged table that commit waited for a WAL flush (an fsync) on the proxy's path. The counts live
-- for one second and are worth nothing after a crash, so the table is UNLOGGED: no WAL, no flush at commit.
-- After a crash Postgres empties it (every budget starts again from zero), and a standby does not have it
-- (after a failover, likewise). Neither lets more than one second's worth of calls through.
ALTER TABLE "tiktok_call_budget" SET UNLOGGED;
