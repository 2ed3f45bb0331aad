import type { SqlRunner } from '../sql.js';

export type WorkerLeaseStore = ReturnType<typeof createWorkerLeaseStore>;

/** A claim's answer: the lease is ours, or until when another replica holds it and when the next run is due. */
export type LeaseClaim = { claimed: true } | { claimed: false; leaseUntil: Date | null; nextRunAt: Date };

/**
 * Leases on `worker_leases`: a job the whole fleet runs once per interval, one replica at a time. Every
 * statement stands alone (no session state, no long transaction), so it works through a transaction pooler.
 * Times are the caller's clock, as in the refresh claim.
 */
export function createWorkerLeaseStore(sql: SqlRunner) {
  return {
    /**
     * Takes the lease on `name` until `leaseUntil` if nobody holds it (or the holder's lease ran out) and,
     * unless `force`, the next run is due; the row is made on first use. Only the winner's statement returns
     * a row; a loser is told the holder's lease end and the next run.
     */
    async claim(input: { name: string; owner: string; now: Date; leaseUntil: Date; force: boolean }): Promise<LeaseClaim> {
      const won = await sql.query(
        `INSERT INTO worker_leases AS l (name, owner, lease_until, next_run_at) VALUES ($1, $2, $4, $3)
         ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until
          WHERE (l.lease_until IS NULL OR l.lease_until <= $3::timestamptz) AND ($5::boolean OR l.next_run_at <= $3::timestamptz)
         RETURNING name`,
        [input.name, input.owner, input.now, input.leaseUntil, input.force],
      );
      if (won.length > 0) return { claimed: true };
      const [row] = await sql.query<{ lease_until: Date | string | null; next_run_at: Date | string }>(
        'SELECT lease_until, next_run_at FROM worker_leases WHERE name = $1',
        [input.name],
      );
      // No row: the winner that made it rolled back in between; the next look finds it free.
      if (!row) return { claimed: false, leaseUntil: null, nextRunAt: input.now };
      return { claimed: false, leaseUntil: row.lease_until === null ? null : new Date(row.lease_until), nextRunAt: new Date(row.next_run_at) };
    },

    /** Extends the lease while `owner` still holds it; false once another replica took it over. */
    async renew(input: { name: string; owner: string; leaseUntil: Date }): Promise<boolean> {
      const rows = await sql.query(
        'UPDATE worker_leases SET lease_until = $3 WHERE name = $1 AND owner = $2 AND lease_until IS NOT NULL RETURNING name',
        [input.name, input.owner, input.leaseUntil],
      );
      return rows.length > 0;
    },

    /** Gives the lease up (`owner` stays, as the last holder); with `nextRunAt`, the next run moves there. */
    async release(input: { name: string; owner: string; nextRunAt?: Date }): Promise<void> {
      await sql.query(
        'UPDATE worker_leases SET lease_until = NULL, next_run_at = COALESCE($3::timestamptz, next_run_at) WHERE name = $1 AND owner = $2 AND lease_until IS NOT NULL',
        [input.name, input.owner, input.nextRunAt ?? null],
      );
    },
  };
}
