import { afterEach, describe, expect, it } from 'vitest';
import type { ReadBuckets } from '../../src/audit/read-tally.js';
import { migrate } from '../../src/db/migrate.js';
import { createCredentialReadStore } from '../../src/db/stores/credential-read-store.js';
import { createTestDatabase, openDatabaseBefore } from '../support/database.js';

const migration = '20261206100000_credential_reads_fewer_indexes';
const minute = new Date('2026-12-06T10:00:00.000Z');

interface Bucket {
  minute: Date;
  clientId: string;
  shopId: string;
  connectionId: string | null;
  reads: number;
  succeeded: number;
  denied: number;
  failed: number;
  firstRequestId: string;
  firstAt: Date;
  lastRequestId: string;
  lastAt: Date;
}

function bucket(overrides: Partial<Bucket>): Bucket {
  return {
    minute, clientId: 'client-a', shopId: '7001', connectionId: 'c-1', reads: 1, succeeded: 1, denied: 0, failed: 0,
    firstRequestId: 'r1', firstAt: new Date(minute.getTime() + 1_000), lastRequestId: 'r1', lastAt: new Date(minute.getTime() + 1_000),
    ...overrides,
  };
}

/** The buckets as the tally hands them to the store: a column each, times as epoch milliseconds, no connection as ''. */
function columns(...buckets: Bucket[]): ReadBuckets {
  const of = <T,>(value: (bucket: Bucket) => T) => buckets.map(value);
  return {
    minute: of((b) => b.minute.getTime()), clientId: of((b) => b.clientId), shopId: of((b) => b.shopId), connectionId: of((b) => b.connectionId ?? ''),
    reads: of((b) => b.reads), succeeded: of((b) => b.succeeded), denied: of((b) => b.denied), failed: of((b) => b.failed),
    firstRequestId: of((b) => b.firstRequestId), firstAt: of((b) => b.firstAt.getTime()), lastRequestId: of((b) => b.lastRequestId), lastAt: of((b) => b.lastAt.getTime()),
  };
}

const rows = `SELECT api_client_id, shop_id, connection_id, reads, succeeded, failed, first_request_id, last_request_id
  FROM credential_reads ORDER BY api_client_id, minute, shop_id, connection_id`;

/**
 * Issue #12: at 300,000 shops nearly every token read makes its own `credential_reads` row, so each index on the
 * table is paid on the hot path's write. The bucket is the primary key; besides it, only what an auditor's queries need.
 */
describe('the credential_reads table', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it(`keeps the buckets already stored through migration ${migration}, a read of an unknown shop under connection ''`, async () => {
    const { db, drop, migrations } = await openDatabaseBefore(migration);
    cleanups.push(drop, () => db.close());
    for (const [shop, connection, outcome] of [['7001', 'c-1', 'succeeded'], ['7999', null, 'failed']] as const) {
      await db.sql.query(
        `INSERT INTO credential_reads (minute, api_client_id, shop_id, connection_id, reads, succeeded, denied, failed,
           first_request_id, first_at, last_request_id, last_at)
         VALUES ($1, 'client-a', $2, $3, 2, $4, 0, $5, 'r1', $1, 'r2', $1)`,
        [minute, shop, connection, outcome === 'succeeded' ? 2 : 0, outcome === 'failed' ? 2 : 0],
      );
    }

    await migrate(db.sql, migrations);
    expect(await db.sql.query(rows)).toStrictEqual([
      { api_client_id: 'client-a', shop_id: '7001', connection_id: 'c-1', reads: 2, succeeded: 2, failed: 0, first_request_id: 'r1', last_request_id: 'r2' },
      { api_client_id: 'client-a', shop_id: '7999', connection_id: '', reads: 2, succeeded: 0, failed: 2, first_request_id: 'r1', last_request_id: 'r2' },
    ]);
    // Later reads of the same buckets add to them (the store's conflict target is the new key).
    await createCredentialReadStore(db.sql).add(columns(
      bucket({ lastRequestId: 'r3', lastAt: new Date(minute.getTime() + 30_000) }),
      bucket({ shopId: '7999', connectionId: null, succeeded: 0, failed: 1, lastRequestId: 'r3', lastAt: new Date(minute.getTime() + 30_000) }),
    ));
    expect((await db.sql.query(rows)).map((row) => [row.shop_id, row.connection_id, row.reads, row.last_request_id]))
      .toStrictEqual([['7001', 'c-1', 3, 'r3'], ['7999', '', 3, 'r3']]);
  });

  it('is written to two btrees: the bucket (led by the client) and (shop, minute); age is a BRIN range', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.close());
    const indexes = await db.sql.query<{ name: string; definition: string }>(
      `SELECT indexname AS name, regexp_replace(indexdef, '^.* USING ', '') AS definition
         FROM pg_indexes WHERE tablename = 'credential_reads' ORDER BY indexname`,
    );
    expect(indexes).toStrictEqual([
      { name: 'credential_reads_minute_brin', definition: 'brin (minute)' },
      { name: 'credential_reads_pkey', definition: 'btree (api_client_id, minute, shop_id, connection_id)' },
      { name: 'credential_reads_shop_minute_idx', definition: 'btree (shop_id, minute)' },
    ]);
  });

  it('counts every read of an unknown shop by one client in one minute in one row, across flushes and replicas', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.close());
    const replicaA = createCredentialReadStore(db.sql);
    const replicaB = createCredentialReadStore(db.sql);
    await replicaA.add(columns(bucket({ shopId: '7999', connectionId: null, succeeded: 0, failed: 1, firstRequestId: 'a1', lastRequestId: 'a1' })));
    await replicaB.add(columns(bucket({
      shopId: '7999', connectionId: null, reads: 2, succeeded: 0, failed: 2,
      firstRequestId: 'b1', firstAt: minute, lastRequestId: 'b2', lastAt: new Date(minute.getTime() + 59_000),
    })));
    expect(await db.sql.query(rows)).toStrictEqual([
      { api_client_id: 'client-a', shop_id: '7999', connection_id: '', reads: 3, succeeded: 0, failed: 3, first_request_id: 'b1', last_request_id: 'b2' },
    ]);
  });

  it('keeps each bucket\'s minute and first and last times to the millisecond, and its values as they were (quotes, commas, braces)', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.close());
    const firstAt = new Date(minute.getTime() + 1_123);
    const lastAt = new Date(minute.getTime() + 59_999);
    const awkward = 'r"1,{2}\\ 3';
    await createCredentialReadStore(db.sql).add(columns(
      bucket({ firstAt, lastAt, firstRequestId: awkward, lastRequestId: 'NULL', clientId: 'client "b"' }),
      bucket({ minute: new Date(minute.getTime() + 60_000), firstAt: lastAt, lastAt }),
    ));
    const stored = await db.sql.query<{ minute: Date; first_at: Date; last_at: Date; first_request_id: string; last_request_id: string; api_client_id: string }>(
      'SELECT minute, first_at, last_at, first_request_id, last_request_id, api_client_id FROM credential_reads ORDER BY minute, api_client_id',
    );
    expect(stored.map((row) => [new Date(row.minute).toISOString(), new Date(row.first_at).toISOString(), new Date(row.last_at).toISOString(), row.first_request_id, row.last_request_id, row.api_client_id]))
      .toStrictEqual([
        ['2026-12-06T10:00:00.000Z', '2026-12-06T10:00:01.123Z', '2026-12-06T10:00:59.999Z', awkward, 'NULL', 'client "b"'],
        ['2026-12-06T10:01:00.000Z', '2026-12-06T10:00:59.999Z', '2026-12-06T10:00:59.999Z', 'r1', 'r1', 'client-a'],
      ]);
  });
});
