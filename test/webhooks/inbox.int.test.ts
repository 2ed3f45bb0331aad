import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorApp } from '../../src/config.js';
import { webhookSignature } from '../../src/tiktok/index.js';
import { startTestService, type TestService } from '../support/service.js';
import { fastWebhookEnv, seedConnection } from './support.js';

/** Issue #11 item 2 (#14 item 6): every correctly signed webhook is stored raw and acknowledged, whatever its content. */
let service: TestService;
beforeAll(async () => {
  service = await startTestService(fastWebhookEnv);
  // The inbox is processed by hand here, so each test sees what one delivery did.
  await service.core.webhooks.inboxWorker.stop();
  await service.core.webhooks.dispatcher.stop();
});
afterAll(async () => {
  await service?.stop();
});

const post = (body: string, path = '/webhooks/tiktok') =>
  service.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: webhookSignature(simulatorApp.appKey, simulatorApp.appSecret, body) },
    body,
  });

const inbox = (body: string) => service.db.sql.query<{ dedup_key: string; raw_body: string }>('SELECT dedup_key, raw_body FROM tiktok_webhook_inbox WHERE raw_body = $1', [body]);

/** The latest relayed TikTok event, once the inbox has been processed. */
async function latestRelay() {
  await service.core.webhooks.inboxWorker.drain();
  const [row] = await service.db.sql.query<{ type: string; connection_id: string | null; payload: Record<string, unknown> }>(
    "SELECT type, connection_id, payload FROM outbox_events WHERE type LIKE 'tiktok.%' AND payload->>'receivedAt' IS NOT NULL ORDER BY id DESC LIMIT 1",
  );
  expect(row?.payload).toBeDefined();
  return row!;
}

describe('POST /webhooks/tiktok (issue 11 item 2): the inbox first', () => {
  it('stores a body without tts_notification_id (type 3, as in TikTok\'s example), answers 200 empty, and deduplicates its retry by the body hash', async () => {
    const { seller } = await seedConnection(service);
    const body = JSON.stringify({ type: 3, shop_id: seller.shops[0]!.id, timestamp: 1_700_000_000, data: { order_id: '576684019603311365', update_time: 1_700_000_000 } });
    const first = await post(body);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('');
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe('');
    const rows = await inbox(body);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.dedup_key).toMatch(/^sha256:[0-9a-f]{64}$/);
    const relay = await latestRelay();
    expect(relay.type).toBe('tiktok.recipient_address_update');
    expect(relay.payload).toMatchObject({ notificationId: null, tiktokType: 3, shopId: seller.shops[0]!.id });
  });

  it('keeps numeric ids past 2^53 as strings with every digit', async () => {
    const { id: connectionId, seller } = await seedConnection(service);
    const body = `{"type":1,"tts_notification_id":7311238419012345678,"shop_id":${seller.shops[0]!.id},"timestamp":1700000000,"data":{"order_id":576684019603311365,"order_status":"UNPAID","update_time":1700000000}}`;
    expect((await post(body)).status).toBe(200);
    expect((await inbox(body))[0]!.dedup_key).toBe('id:7311238419012345678');
    const relay = await latestRelay();
    expect(relay).toStrictEqual({
      type: 'tiktok.order_status_change',
      connection_id: connectionId,
      payload: {
        app: 'default', tiktokType: 1, notificationId: '7311238419012345678', shopId: seller.shops[0]!.id, connectionId, receivedAt: expect.any(String),
        body: { type: 1, tts_notification_id: '7311238419012345678', shop_id: seller.shops[0]!.id, timestamp: 1700000000, data: { order_id: '576684019603311365', order_status: 'UNPAID', update_time: 1700000000 } },
      },
    });
  });

  it('acknowledges and relays an unknown type for an unknown shop as tiktok.type_<n>', async () => {
    const body = JSON.stringify({ type: 99, tts_notification_id: 'unknown-99', shop_id: '7000000000000009999', data: {} });
    expect((await post(body)).status).toBe(200);
    const relay = await latestRelay();
    expect(relay).toMatchObject({ type: 'tiktok.type_99', connection_id: null, payload: { shopId: '7000000000000009999', connectionId: null } });
  });

  it('acknowledges and stores a signed body that is not JSON (relayed with a null body)', async () => {
    const body = 'not json at all';
    expect((await post(body)).status).toBe(200);
    expect(await inbox(body)).toHaveLength(1);
    const relay = await latestRelay();
    expect(relay).toMatchObject({ type: 'tiktok.type_unknown', payload: { tiktokType: null, body: null } });
  });

  it('answers 401 with an empty body for an app it does not know', async () => {
    const response = await post('{"type":1}', '/webhooks/tiktok/other-app');
    expect(response.status).toBe(401);
    expect(await response.text()).toBe('');
  });

  it('processes a stored webhook once even when two workers take the inbox at the same time', async () => {
    const { id, seller } = await seedConnection(service);
    const body = JSON.stringify({ type: 6, tts_notification_id: 'twice-6', shop_id: seller.shops[0]!.id, data: {} });
    expect((await post(body)).status).toBe(200);
    const [item] = await service.db.sql.query<{ id: string; app: string; dedup_key: string; raw_body: string; received_at: Date }>(
      'SELECT id::text AS id, app, dedup_key, raw_body, received_at FROM tiktok_webhook_inbox WHERE raw_body = $1', [body],
    );
    const stored = { id: item!.id, app: item!.app, dedupKey: item!.dedup_key, rawBody: item!.raw_body, receivedAt: new Date(item!.received_at), attempts: 1 };
    const results = await Promise.all([service.core.notifications.process(stored), service.core.notifications.process(stored)]);
    expect(results.sort()).toStrictEqual(['duplicate', 'handled']);
    const events = await service.db.sql.query<{ type: string }>('SELECT type FROM outbox_events WHERE connection_id = $1 ORDER BY id', [id]);
    expect(events.map((event) => event.type)).toStrictEqual(['connection.deauthorized', 'tiktok.seller_deauthorization']);
  });
});
