-- Issue #12: the token path's read model. GET /v1/shops/:id/token read shops ⋈ connections: two index
-- lookups and two heap rows per request, which cost Postgres (sharing the machine's cores with the service)
-- a fifth of the throughput of a one-table primary-key read. `shop_credentials` holds, per shop and app,
-- exactly what that read needs, kept by the triggers below in the same transaction as every write to
-- `shops` or `connections` (whoever writes it: Prisma, raw SQL, the CLI), so it is never behind its sources.
-- It is written only by these triggers; `connections` and `shops` stay the owners of every value in it.

-- CreateTable
CREATE TABLE "shop_credentials" (
    "shop_id" TEXT NOT NULL,
    "app" TEXT NOT NULL,
    "connection_id" TEXT NOT NULL,
    "cipher" TEXT NOT NULL,
    "removed_at" TIMESTAMPTZ(3),
    "status" "ConnectionStatus" NOT NULL,
    "status_reason" TEXT,
    "granted_scopes" TEXT[],
    "scopes_known" BOOLEAN NOT NULL,
    "access_token_sealed" TEXT NOT NULL,
    "access_token_expires_at" TIMESTAMPTZ(3) NOT NULL,
    "refresh_due_at" TIMESTAMPTZ(3),

    CONSTRAINT "shop_credentials_pkey" PRIMARY KEY ("shop_id", "app")
);

-- CreateIndex: a connection's write reaches its shops' rows.
CREATE INDEX "shop_credentials_connection_id_idx" ON "shop_credentials"("connection_id");

-- AddForeignKey: a removed shop row (its connection deleted) takes its credentials row with it.
ALTER TABLE "shop_credentials" ADD CONSTRAINT "shop_credentials_shop_fkey" FOREIGN KEY ("shop_id", "app") REFERENCES "shops"("id", "app") ON DELETE CASCADE ON UPDATE CASCADE;

-- CreateFunction: a shop written (inserted, moved to another connection, renamed cipher, removed or back).
CREATE FUNCTION "shop_credentials_from_shop"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "shop_credentials" ("shop_id", "app", "connection_id", "cipher", "removed_at", "status", "status_reason",
      "granted_scopes", "scopes_known", "access_token_sealed", "access_token_expires_at", "refresh_due_at")
    SELECT NEW."id", NEW."app", c."id", NEW."cipher", NEW."removed_at", c."status", c."status_reason",
      c."granted_scopes", c."scopes_known", c."access_token_sealed", c."access_token_expires_at", c."refresh_due_at"
      FROM "connections" c WHERE c."id" = NEW."connection_id"
  ON CONFLICT ("shop_id", "app") DO UPDATE SET
    "connection_id" = EXCLUDED."connection_id", "cipher" = EXCLUDED."cipher", "removed_at" = EXCLUDED."removed_at",
    "status" = EXCLUDED."status", "status_reason" = EXCLUDED."status_reason", "granted_scopes" = EXCLUDED."granted_scopes",
    "scopes_known" = EXCLUDED."scopes_known", "access_token_sealed" = EXCLUDED."access_token_sealed",
    "access_token_expires_at" = EXCLUDED."access_token_expires_at", "refresh_due_at" = EXCLUDED."refresh_due_at";
  RETURN NULL;
END
$$;

-- CreateTrigger: after the row is written (the foreign key to shops holds).
CREATE TRIGGER "shop_credentials_from_shop" AFTER INSERT OR UPDATE OF "connection_id", "cipher", "removed_at" ON "shops"
  FOR EACH ROW EXECUTE FUNCTION "shop_credentials_from_shop"();

-- CreateFunction: a connection's status, scopes or access token written (a refresh, a status change).
CREATE FUNCTION "shop_credentials_from_connection"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "shop_credentials" SET
    "status" = NEW."status", "status_reason" = NEW."status_reason", "granted_scopes" = NEW."granted_scopes",
    "scopes_known" = NEW."scopes_known", "access_token_sealed" = NEW."access_token_sealed",
    "access_token_expires_at" = NEW."access_token_expires_at", "refresh_due_at" = NEW."refresh_due_at"
  WHERE "connection_id" = NEW."id";
  RETURN NULL;
END
$$;

-- CreateTrigger: only when one of the columns the read model holds changed.
CREATE TRIGGER "shop_credentials_from_connection" AFTER UPDATE ON "connections" FOR EACH ROW
  WHEN ((OLD."status", OLD."status_reason", OLD."granted_scopes", OLD."scopes_known", OLD."access_token_sealed",
         OLD."access_token_expires_at", OLD."refresh_due_at")
        IS DISTINCT FROM
        (NEW."status", NEW."status_reason", NEW."granted_scopes", NEW."scopes_known", NEW."access_token_sealed",
         NEW."access_token_expires_at", NEW."refresh_due_at"))
  EXECUTE FUNCTION "shop_credentials_from_connection"();

-- Backfill: every shop there is.
INSERT INTO "shop_credentials" ("shop_id", "app", "connection_id", "cipher", "removed_at", "status", "status_reason",
    "granted_scopes", "scopes_known", "access_token_sealed", "access_token_expires_at", "refresh_due_at")
  SELECT s."id", s."app", c."id", s."cipher", s."removed_at", c."status", c."status_reason",
    c."granted_scopes", c."scopes_known", c."access_token_sealed", c."access_token_expires_at", c."refresh_due_at"
    FROM "shops" s JOIN "connections" c ON c."id" = s."connection_id";
