import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { parseKeyRing } from '../../src/vault/key-ring.js';
import { sealTokens } from '../../src/vault/tokens.js';
import { createVault } from '../../src/vault/vault.js';
import { createClient, withKey } from '../apps/support.js';
import { openDatabaseBefore } from '../support/database.js';
import { startTestService, testEnv, type TestService } from '../support/service.js';

const migration = '20261203100000_tiktok_apps';
const connectionId = '13131313-0000-4000-8000-000000000001';
const shopId = '7494000000000000013';

/** Issue #13: a database of the single-app service migrates, and keeps working with no configuration change. */
describe(`migration ${migration}`, () => {
  let db: Database | undefined;
  let service: TestService | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    if (service) await service.stop();
    else await db?.close();
    await drop?.();
    service = undefined;
    db = undefined;
    drop = undefined;
  });

  it('assigns existing connections and shops to `default`, whose token reads and listings keep working unchanged', async () => {
    const opened = await openDatabaseBefore(migration);
    ({ db, drop } = opened);
    // A connection as the single-app version stored it, its tokens sealed with the service's key.
    const sealed = sealTokens(createVault(parseKeyRing(testEnv.TOKEN_ENCRYPTION_KEYS!)), connectionId, { accessToken: 'TTP_stored_before', refreshToken: 'TTP_refresh' });
    await db.sql.query(
      `INSERT INTO connections (id, open_id, user_type, seller_name, status, granted_scopes, access_token_sealed, refresh_token_sealed,
         encryption_key_id, access_token_expires_at, refresh_token_expires_at, refresh_due_at, authorized_at, updated_at)
       VALUES ($1, 'open-before', 0, 'Seller Before', 'active', '{seller.authorization.info}', $2, $3, $4,
         now() + interval '5 days', now() + interval '300 days', now() + interval '4 days', now(), now())`,
      [connectionId, sealed.accessTokenSealed, sealed.refreshTokenSealed, sealed.encryptionKeyId],
    );
    await db.sql.query(
      `INSERT INTO shops (id, connection_id, cipher, name, region, updated_at) VALUES ($1, $2, 'ROW_before', 'Shop Before', 'GB', now())`,
      [shopId, connectionId],
    );
    await db.sql.query(
      `INSERT INTO api_clients (id, name, key_prefix, key_hash, scopes, shop_ids) VALUES ('old-client', 'old', 'tsc_000000000000', 'x', '{tokens:read}', '{}')`,
    );

    // The service starts on it with the same (single-app) settings as before: its migrate step runs the new migration.
    service = await startTestService({}, { db });
    expect(await db.sql.query('SELECT app FROM connections')).toStrictEqual([{ app: 'default' }]);
    expect(await db.sql.query('SELECT app FROM shops')).toStrictEqual([{ app: 'default' }]);
    expect(await db.sql.query('SELECT apps FROM api_clients')).toStrictEqual([{ apps: [] }]);
    expect(service.config.tiktok.apps.map((app) => app.id)).toStrictEqual(['default']);

    const call = withKey(service, (await createClient(service)).key);
    const token = await call(`/v1/shops/${shopId}/token`);
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ shopId, shopCipher: 'ROW_before', accessToken: 'TTP_stored_before' });
    const listed = (await (await call('/v1/connections')).json()) as { connections: { id: string; app: string; shops: { id: string }[] }[] };
    expect(listed.connections.map(({ id, app, shops }) => ({ id, app, shops: shops.map((shop) => shop.id) }))).toStrictEqual([
      { id: connectionId, app: 'default', shops: [shopId] },
    ]);
    // Opening an empty database and running every migration takes a while on a loaded machine.
  }, 180_000);
});
