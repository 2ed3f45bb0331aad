import { afterEach, describe, expect, it } from 'vitest';
import { parseConnectionEvent } from '../../src/connections/lifecycle/index.js';
import type { Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { openDatabaseBefore } from '../support/database.js';

const migration = '20261201000000_connection_event_payloads';
const connectionId = '11111111-2222-4333-8444-555555555555';

/** Events exactly as the versions before the connection lifecycle wrote them. */
const legacy: [type: string, payload: Record<string, unknown>][] = [
  ['connection.created', { connectionId, sellerName: 'Old Seller', merchantRef: 'm-old', shopIds: ['7001'], removedShopIds: [], grantedScopes: ['seller.shop.info'] }],
  ['connection.reauthorized', { connectionId, sellerName: 'Old Seller', merchantRef: 'm-old', shopIds: ['7001'], removedShopIds: [], grantedScopes: [] }],
  ['connection.needs_reauth', { connectionId, openId: 'open-old', merchantRef: 'm-old', status: 'needs_reauth', reason: 'TikTok no longer accepts the stored refresh token', occurredAt: '2026-11-20T10:00:00.000Z' }],
  ['connection.needs_reauth', { connectionId, openId: 'open-old', merchantRef: 'm-old', status: 'needs_reauth', reason: 'The seller removed the app in TikTok Shop', occurredAt: '2026-11-20T11:00:00.000Z' }],
  ['connection.expired', { connectionId, openId: 'open-old', merchantRef: 'm-old', status: 'expired', reason: 'The authorization ended', occurredAt: '2026-11-20T12:00:00.000Z' }],
  ['authorization.expiring', { connectionId, openId: 'open-old', merchantRef: 'm-old', expiresAt: '2026-12-20T10:00:00.000Z', daysBefore: 30, occurredAt: '2026-11-20T10:00:00.000Z' }],
  ['connection.suspended', { connectionId, by: { type: 'admin', email: 'ops@example.com' }, reason: 'Suspended by an administrator (ops@example.com).' }],
  ['connection.resumed', { connectionId, by: { type: 'admin', email: 'ops@example.com' }, reason: null }],
  ['connection.revoked', { connectionId, by: { type: 'admin', email: 'ops@example.com' }, reason: 'Revoked by an administrator (ops@example.com).' }],
  ['connection.refresh_requested', { connectionId, by: { type: 'admin', email: 'ops@example.com' }, outcome: 'failed', code: 'tiktok_grant_dead' }],
];

describe(`migration ${migration}`, () => {
  let db: Database | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await db?.close();
    await drop?.();
    db = undefined;
    drop = undefined;
  });

  it('brings every event an earlier version wrote to its schema, and a webhook deauthorization to connection.deauthorized', async () => {
    const opened = await openDatabaseBefore(migration);
    ({ db, drop } = opened);
    const all = opened.migrations;
    await db.sql.query(
      `INSERT INTO connections (id, open_id, user_type, seller_name, merchant_ref, status, granted_scopes, access_token_sealed, refresh_token_sealed,
         encryption_key_id, access_token_expires_at, refresh_token_expires_at, authorized_at, updated_at)
       VALUES ($1, 'open-old', 0, 'Old Seller', 'm-old', 'active', '{}', 's', 's', 'k1', now(), now(), now(), now())`,
      [connectionId],
    );
    for (const [type, payload] of legacy) {
      await db.sql.query(`INSERT INTO outbox_events (type, connection_id, payload, created_at) VALUES ($1, $2, $3::jsonb, '2026-11-20T10:00:00Z')`, [
        type, connectionId, JSON.stringify(payload),
      ]);
    }

    expect((await migrate(db.sql, all)).applied).toContain(migration);

    const rows = await db.sql.query<{ type: string; payload: unknown }>('SELECT type, payload FROM outbox_events ORDER BY id');
    const events = rows.map((row) => parseConnectionEvent(row.type, row.payload));
    expect(events.map((event) => event.type)).toStrictEqual([
      'connection.created', 'connection.reauthorized', 'connection.needs_reauth', 'connection.deauthorized', 'connection.expired',
      'authorization.expiring', 'connection.suspended', 'connection.resumed', 'connection.revoked', 'connection.refresh_requested',
    ]);
    expect(events[0]!.payload).toStrictEqual({
      connectionId, openId: 'open-old', merchantRef: 'm-old', status: 'active', occurredAt: '2026-11-20T10:00:00.000Z',
      sellerName: 'Old Seller', shopIds: ['7001'], removedShopIds: [], grantedScopes: ['seller.shop.info'],
    });
    expect(events[3]!.payload).toMatchObject({ by: 'seller', webhookType: 6, status: 'needs_reauth', previousStatus: 'active' });
    expect(events[6]!.payload).toMatchObject({ openId: 'open-old', status: 'suspended', previousStatus: 'active', reason: 'Suspended by an administrator (ops@example.com).' });
  });
});
