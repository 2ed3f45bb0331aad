import type { ReadBucket, ReadBucketStore } from '../../audit/read-tally.js';
import type { SqlRunner } from '../sql.js';

/**
 * `credential_reads`: one row per client × shop × connection × UTC minute, keyed by exactly that (the primary key;
 * `connection_id` '' when the shop was not found). One statement per flush, the buckets as one JSON parameter; a
 * bucket already stored (another replica, an earlier flush in the same minute) has its counts added and its
 * first/last request widened.
 */
const upsert = `INSERT INTO credential_reads AS r
  (minute, api_client_id, shop_id, connection_id, reads, succeeded, denied, failed, first_request_id, first_at, last_request_id, last_at)
  SELECT minute, api_client_id, shop_id, connection_id, reads, succeeded, denied, failed, first_request_id, first_at, last_request_id, last_at
    FROM jsonb_to_recordset($1::jsonb) AS b(minute timestamptz, api_client_id text, shop_id text, connection_id text, reads int,
      succeeded int, denied int, failed int, first_request_id text, first_at timestamptz, last_request_id text, last_at timestamptz)
  ON CONFLICT (api_client_id, minute, shop_id, connection_id) DO UPDATE SET
    reads = r.reads + EXCLUDED.reads,
    succeeded = r.succeeded + EXCLUDED.succeeded,
    denied = r.denied + EXCLUDED.denied,
    failed = r.failed + EXCLUDED.failed,
    first_request_id = CASE WHEN EXCLUDED.first_at < r.first_at THEN EXCLUDED.first_request_id ELSE r.first_request_id END,
    first_at = LEAST(r.first_at, EXCLUDED.first_at),
    last_request_id = CASE WHEN EXCLUDED.last_at >= r.last_at THEN EXCLUDED.last_request_id ELSE r.last_request_id END,
    last_at = GREATEST(r.last_at, EXCLUDED.last_at)`;

export function createCredentialReadStore(sql: SqlRunner): ReadBucketStore {
  return {
    async add(buckets: readonly ReadBucket[]) {
      const rows = buckets.map((b) => ({
        minute: b.minute.toISOString(), api_client_id: b.clientId, shop_id: b.shopId, connection_id: b.connectionId ?? '',
        reads: b.reads, succeeded: b.succeeded, denied: b.denied, failed: b.failed,
        first_request_id: b.firstRequestId, first_at: b.firstAt.toISOString(), last_request_id: b.lastRequestId, last_at: b.lastAt.toISOString(),
      }));
      await sql.query(upsert, [JSON.stringify(rows)]);
    },
  };
}
