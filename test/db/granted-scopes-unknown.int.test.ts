import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { createAuthorizationStore } from '../../src/db/stores/authorization-store.js';
import { openDatabaseBefore } from '../support/database.js';

const migration = '20261202000000_granted_scopes_unknown';

/** Issue #11 item 5: connections stored before scopes could be "unknown". */
describe(`migration ${migration}`, () => {
  let db: Database | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await db?.close();
    await drop?.();
    db = undefined;
    drop = undefined;
  });

  it('marks an empty (or missing) granted_scopes list as unknown and keeps a listed one known', async () => {
    const opened = await openDatabaseBefore(migration);
    ({ db, drop } = opened);
    const all = opened.migrations;
    const insert = (id: string, scopes: string | null) =>
      db!.sql.query(
        `INSERT INTO connections (id, open_id, user_type, seller_name, status, granted_scopes, access_token_sealed, refresh_token_sealed,
           encryption_key_id, access_token_expires_at, refresh_token_expires_at, authorized_at, updated_at)
         VALUES ($1, $1, 0, 'Seller', 'active', $2::text[], 's', 's', 'k1', now(), now(), now(), now())`,
        [id, scopes],
      );
    await insert('11111111-0000-4000-8000-000000000001', '{seller.order.info}');
    await insert('11111111-0000-4000-8000-000000000002', '{}');
    await insert('11111111-0000-4000-8000-000000000003', null);

    expect((await migrate(db.sql, all)).applied).toContain(migration);

    const store = createAuthorizationStore(db.sql);
    const scopes = async (id: string) => (await store.findById(id))!.grantedScopes;
    expect(await scopes('11111111-0000-4000-8000-000000000001')).toStrictEqual(['seller.order.info']);
    expect(await scopes('11111111-0000-4000-8000-000000000002')).toBeNull();
    expect(await scopes('11111111-0000-4000-8000-000000000003')).toBeNull();
  });
});
