import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { createShopAccessStore } from '../../src/db/stores/shop-access-store.js';
import { createTestDatabase, openDatabaseBefore } from '../support/database.js';

const migration = '20261205100000_shop_credentials';

/** What the token path needs per shop and app, computed from the owners (`shops` ⋈ `connections`). */
const projection = `SELECT s.id AS shop_id, s.app, c.id AS connection_id, s.cipher, s.removed_at, c.status::text AS status, c.status_reason,
    c.granted_scopes, c.scopes_known, c.access_token_sealed, c.access_token_expires_at, c.refresh_due_at
  FROM shops s JOIN connections c ON c.id = s.connection_id ORDER BY 1, 2`;
const readModel = `SELECT shop_id, app, connection_id, cipher, removed_at, status::text AS status, status_reason,
    granted_scopes, scopes_known, access_token_sealed, access_token_expires_at, refresh_due_at
  FROM shop_credentials ORDER BY 1, 2`;

async function insertConnection(db: Database, id: string, app = 'default') {
  await db.sql.query(
    `INSERT INTO connections (id, app, open_id, user_type, seller_name, granted_scopes, access_token_sealed, refresh_token_sealed,
       encryption_key_id, access_token_expires_at, refresh_token_expires_at, refresh_due_at, authorized_at, updated_at)
     VALUES ($1, $2, 'open-' || $1, 0, 'Seller', '{seller.order.info}', 'sealed-access-' || $1, 'sealed-refresh', 'k1',
       now() + interval '7 days', now() + interval '300 days', now() + interval '6 days', now(), now())`,
    [id, app],
  );
}

async function insertShop(db: Database, id: string, connectionId: string, app = 'default') {
  await db.sql.query(
    `INSERT INTO shops (id, app, connection_id, cipher, name, region, updated_at) VALUES ($1, $2, $3, 'ROW_' || $1, 'Shop', 'GB', now())
     ON CONFLICT (id, app) DO UPDATE SET connection_id = EXCLUDED.connection_id, removed_at = NULL`,
    [id, app, connectionId],
  );
}

/**
 * Issue #12: the token path reads one row of `shop_credentials`, a read model that triggers keep from
 * `shops` and `connections`. Whatever is written to its owners, and however, it says what they say.
 */
describe('the shop_credentials read model', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it(`is filled by migration ${migration} from the shops and connections already stored`, async () => {
    const { db, drop, migrations } = await openDatabaseBefore(migration);
    cleanups.push(drop, () => db.close());
    await insertConnection(db, 'c-before');
    await insertShop(db, '7001', 'c-before');
    await insertShop(db, '7002', 'c-before');
    await db.sql.query("UPDATE shops SET removed_at = now() WHERE id = '7002'");

    await migrate(db.sql, migrations);
    const rows = await db.sql.query(readModel);
    expect(rows.map((row) => [row.shop_id, row.connection_id, row.removed_at === null])).toStrictEqual([['7001', 'c-before', true], ['7002', 'c-before', false]]);
    expect(rows).toStrictEqual(await db.sql.query(projection));
  });

  it('says what shops and connections say after any sequence of writes to them', async () => {
    const db = await createTestDatabase();
    cleanups.push(() => db.close());
    const connectionIds = ['c-1', 'c-2', 'c-3'];
    const shopIds = ['7101', '7102', '7103', '7104'];
    const writes: fc.Arbitrary<(db: Database) => Promise<unknown>>[] = [
      // A shop authorized (or moved to another connection on re-authorization, or back after removal).
      fc.record({ shop: fc.constantFrom(...shopIds), connection: fc.constantFrom(...connectionIds) }).map(({ shop, connection }) => async (db: Database) => {
        const [exists] = await db.sql.query('SELECT 1 FROM connections WHERE id = $1', [connection]);
        if (exists) await insertShop(db, shop, connection);
      }),
      fc.constantFrom(...shopIds).map((shop) => (db: Database) => db.sql.query('UPDATE shops SET removed_at = now() WHERE id = $1', [shop])),
      fc.record({ shop: fc.constantFrom(...shopIds), cipher: fc.nat().map((n) => `ROW_${n}`) })
        .map(({ shop, cipher }) => (db: Database) => db.sql.query('UPDATE shops SET cipher = $2 WHERE id = $1', [shop, cipher])),
      fc.constantFrom(...shopIds).map((shop) => (db: Database) => db.sql.query('DELETE FROM shops WHERE id = $1', [shop])),
      // A refresh: new sealed token, expiry and due time.
      fc.record({ connection: fc.constantFrom(...connectionIds), token: fc.nat().map((n) => `sealed-${n}`), days: fc.integer({ min: 1, max: 7 }) })
        .map(({ connection, token, days }) => (db: Database) => db.sql.query(
          `UPDATE connections SET access_token_sealed = $2, access_token_expires_at = now() + make_interval(days => $3),
             refresh_due_at = now() + make_interval(days => $3 - 1), token_version = token_version + 1 WHERE id = $1`,
          [connection, token, days],
        )),
      // A status change, scopes granted or unknown, a refresh claim (a column the read model does not hold).
      fc.record({ connection: fc.constantFrom(...connectionIds), status: fc.constantFrom('active', 'needs_reauth', 'expired', 'suspended', 'revoked'), reason: fc.option(fc.constantFrom('refresh_token_invalid', 'seller_deauthorized')) })
        .map(({ connection, status, reason }) => (db: Database) => db.sql.query('UPDATE connections SET status = $2::"ConnectionStatus", status_reason = $3 WHERE id = $1', [connection, status, reason])),
      fc.record({ connection: fc.constantFrom(...connectionIds), scopes: fc.option(fc.array(fc.constantFrom('seller.order.info', 'seller.product.basic'), { maxLength: 2 })) })
        .map(({ connection, scopes }) => (db: Database) => db.sql.query('UPDATE connections SET granted_scopes = $2, scopes_known = $3 WHERE id = $1', [connection, scopes ?? [], scopes !== null])),
      fc.constantFrom(...connectionIds).map((connection) => (db: Database) => db.sql.query("UPDATE connections SET claim_owner = 'replica', claim_expires_at = now() WHERE id = $1", [connection])),
      // A connection deleted (its shops go with it) and one connected again.
      fc.constantFrom(...connectionIds).map((connection) => (db: Database) => db.sql.query('DELETE FROM connections WHERE id = $1', [connection])),
      fc.constantFrom(...connectionIds).map((connection) => async (db: Database) => {
        const [exists] = await db.sql.query('SELECT 1 FROM connections WHERE id = $1', [connection]);
        if (!exists) await insertConnection(db, connection);
      }),
    ];
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(...writes), { minLength: 1, maxLength: 12 }), async (sequence) => {
        await db.sql.query('DELETE FROM connections');
        for (const id of connectionIds) await insertConnection(db, id);
        for (const write of sequence) {
          await write(db);
          expect(await db.sql.query(readModel)).toStrictEqual(await db.sql.query(projection));
        }
      }),
      { numRuns: 40 },
    );
  });
});

/**
 * Issue #12: token reads that arrive while the store's reads are running are answered together by the
 * next read (one `shop_id = ANY(…)` query for many requests), each with exactly its own shop's rows.
 */
describe('concurrent token reads of shop_credentials', () => {
  it('answer each shop with its own rows (removed, unknown, two apps, app filter) in fewer queries than reads', async () => {
    const db = await createTestDatabase();
    try {
      await insertConnection(db, 'c-us', 'us');
      await insertConnection(db, 'c-global', 'global');
      const shops = Array.from({ length: 40 }, (_, i) => String(7200 + i));
      for (const shop of shops) await insertShop(db, shop, 'c-global', 'global');
      await insertShop(db, '7200', 'c-us', 'us'); // one shop through two apps
      await db.sql.query("UPDATE shops SET removed_at = now() WHERE id = '7201'");
      let queries = 0;
      const counted = { ...db, sql: { ...db.sql, query: ((...args: Parameters<Database['sql']['query']>) => (queries++, db.sql.query(...args))) as Database['sql']['query'] } };
      const store = createShopAccessStore(counted, { readsInFlight: 1 });

      const asked = [...shops, '7200', '7299', ...shops.slice(0, 5)];
      const answers = await Promise.all([
        ...asked.map((shop) => store.find(shop)),
        store.find('7200', { app: 'us' }),
        store.find('7202', { app: 'us' }),
      ]);
      const summary = (rows: Awaited<ReturnType<typeof store.find>>) => rows.map((row) => `${row.shopId}/${row.app}/${row.connectionId}/${row.removedAt ? 'removed' : 'current'}`).sort();
      const expected = (shop: string) =>
        shop === '7200' ? ['7200/global/c-global/current', '7200/us/c-us/current']
        : shop === '7299' ? []
        : [`${shop}/global/c-global/${shop === '7201' ? 'removed' : 'current'}`];
      expect(answers.map(summary)).toStrictEqual([...asked.map(expected), ['7200/us/c-us/current'], []]);
      expect(answers[0]![0]).toMatchObject({ shopCipher: 'ROW_7200', status: 'active', grantedScopes: ['seller.order.info'], accessTokenSealed: 'sealed-access-c-global' });
      // The first read started at once; every other one waited for it and went in the second.
      expect(queries).toBe(2);
    } finally {
      await db.close();
    }
  });
});
