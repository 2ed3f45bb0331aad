-- #13: several TikTok Shop apps (a US and a global one, a staging app) in one deployment.
-- Every connection belongs to one app, by its id in the configuration (never its key or secret, so
-- a rotated app secret changes nothing stored). Rows stored before belong to `default`, the app of
-- TIKTOK_APP_KEY, so a single-app database keeps working with no configuration change.
ALTER TABLE "connections" ADD COLUMN "app" TEXT NOT NULL DEFAULT 'default';

-- The same seller authorizing two apps is two connections.
DROP INDEX "connections_open_id_key";
CREATE UNIQUE INDEX "connections_app_open_id_key" ON "connections"("app", "open_id");
CREATE INDEX "connections_app_idx" ON "connections"("app");

-- A shop connected through two apps is two rows (one per app); a shop id alone may then be ambiguous.
-- The key leads with the shop id, so the token read by shop id stays one index lookup.
ALTER TABLE "shops" ADD COLUMN "app" TEXT NOT NULL DEFAULT 'default';
ALTER TABLE "shops" DROP CONSTRAINT "shops_pkey";
ALTER TABLE "shops" ADD CONSTRAINT "shops_pkey" PRIMARY KEY ("id", "app");

-- The app a connect link was made for (null: the merchant chooses their market on the page), and
-- the app an OAuth state was issued for, so the callback (one URL for every app) knows which app's
-- key and secret exchange the code.
ALTER TABLE "connect_sessions" ADD COLUMN "app" TEXT;
ALTER TABLE "oauth_states" ADD COLUMN "app" TEXT;

-- An internal app's key may be limited to some TikTok apps; empty: every app.
ALTER TABLE "api_clients" ADD COLUMN "apps" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
