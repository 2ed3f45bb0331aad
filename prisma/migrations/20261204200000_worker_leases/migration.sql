-- issue #17 item 3: one retention run at a time across replicas, and one run per interval for the whole fleet.
-- One row per fleet-wide job (today only 'retention'): who holds the run and until when (renewed before each
-- batch; a crashed holder's lease runs out), and when the next run is due. Only the claim's winner gets a row back.
CREATE TABLE "worker_leases" (
    "name" TEXT NOT NULL,
    "owner" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "next_run_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "worker_leases_pkey" PRIMARY KEY ("name")
);
