import type { ReadBuckets, ReadBucketStore } from '../../audit/read-tally.js';
import type { SqlRunner } from '../sql.js';

/**
 * `credential_reads`: one row per client × shop × connection × UTC minute, keyed by exactly that (the primary key;
 * `connection_id` '' when the shop was not found). One statement per flush, each of the tally's columns as one JSON
 * array (times as epoch milliseconds), zipped back into rows by `ROWS FROM`; a bucket already stored (another
 * replica, an earlier flush in the same minute) has its counts added and its first/last request widened.
 *
 * Reads spread over many shops make a bucket each, so at scale this statement carries about one bucket per read
 * (issue #12). Column arrays, not one JSON document of records: Postgres took about 7 µs a bucket to take such a
 * document apart (`jsonb_to_recordset`) against about 2 µs for the same values as arrays. JSON arrays, not
 * Postgres array parameters: node-postgres writes those element by element (two regular expressions each), which
 * held the event loop for 12 ms and more per 5,000 buckets, where `JSON.stringify` takes well under one.
 */
const upsert = `INSERT INTO credential_reads AS r
  (minute, api_client_id, shop_id, connection_id, reads, succeeded, denied, failed, first_request_id, first_at, last_request_id, last_at)
  SELECT to_timestamp(minute::bigint / 1000.0), api_client_id, shop_id, connection_id, reads::int, succeeded::int, denied::int, failed::int,
      first_request_id, to_timestamp(first_at::bigint / 1000.0), last_request_id, to_timestamp(last_at::bigint / 1000.0)
    FROM ROWS FROM (${Array.from({ length: 12 }, (_, i) => `json_array_elements_text($${i + 1}::json)`).join(', ')})
      AS b(minute, api_client_id, shop_id, connection_id, reads, succeeded, denied, failed, first_request_id, first_at, last_request_id, last_at)
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
    async add(b: ReadBuckets) {
      const columns = [b.minute, b.clientId, b.shopId, b.connectionId, b.reads, b.succeeded, b.denied, b.failed, b.firstRequestId, b.firstAt, b.lastRequestId, b.lastAt];
      await sql.query(upsert, columns.map((column) => JSON.stringify(column)));
    },
  };
}
