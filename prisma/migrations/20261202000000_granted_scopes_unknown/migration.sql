-- #11 item 5: a token answer without granted_scopes means the scopes are unknown, not that none were
-- granted. `scopes_known = false` says so; `granted_scopes` then keeps the last list TikTok did send
-- (empty when it never sent one). A separate flag rather than a NULL list, because Prisma cannot read
-- a scalar list as nullable and the admin console reads connections through Prisma.
ALTER TABLE "connections" ADD COLUMN "scopes_known" BOOLEAN NOT NULL DEFAULT true;

-- Earlier versions stored an answer without granted_scopes as an empty list. A connected app always
-- has some scope, so an empty (or missing) list was an unknown one: say so, which also stops the
-- proxy's scope pre-check from refusing every call on those connections.
UPDATE "connections" SET "scopes_known" = false WHERE "granted_scopes" IS NULL OR cardinality("granted_scopes") = 0;
