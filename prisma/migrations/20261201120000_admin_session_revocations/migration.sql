-- CreateTable
CREATE TABLE "admin_session_revocations" (
    "session_id" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "admin_session_revocations_pkey" PRIMARY KEY ("session_id")
);

-- CreateIndex
CREATE INDEX "admin_session_revocations_expires_at_idx" ON "admin_session_revocations"("expires_at");
