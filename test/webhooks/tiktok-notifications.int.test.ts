import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { simulatorApp } from '../../src/config.js';
import type { SimulatedSeller, WebhookInput } from '../../src/simulator/index.js';
import { webhookSignature } from '../../src/tiktok/index.js';
import { startTestService, type TestService } from '../support/service.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.stop();
});

/** A connection for a new simulated seller, with its shops; tokens are placeholders (webhooks never read them). */
async function seedConnection(): Promise<{ id: string; seller: SimulatedSeller }> {
  const seller = service.simulator!.control.addSeller();
  const id = randomUUID();
  const now = new Date();
  await service.db.sql.query(
    `INSERT INTO connections (id, open_id, user_type, seller_name, status, granted_scopes, access_token_sealed, refresh_token_sealed,
       encryption_key_id, access_token_expires_at, refresh_token_expires_at, refresh_due_at, authorized_at, updated_at)
     VALUES ($1, $2, 0, $3, 'active', '{}', 'sealed', 'sealed', 'k1', $4, $5, $6, $7, $7)`,
    [id, seller.openId, seller.name, new Date(now.getTime() + 7 * 86_400_000), new Date(now.getTime() + 60 * 86_400_000),
      new Date(now.getTime() + 6 * 86_400_000), now],
  );
  for (const shop of seller.shops) {
    await service.db.sql.query('INSERT INTO shops (id, connection_id, cipher, name, region, updated_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      shop.id, id, shop.cipher, shop.name, shop.region, now,
    ]);
  }
  return { id, seller };
}

const send = (input: Omit<WebhookInput, 'url'>) => service.simulator!.control.sendWebhook({ url: `${service.url}/webhooks/tiktok`, ...input });

async function connection(id: string) {
  const [row] = await service.db.sql.query<{ status: string; status_reason: string | null; refresh_due_at: Date | null }>(
    'SELECT status::text AS status, status_reason, refresh_due_at FROM connections WHERE id = $1', [id],
  );
  return row!;
}

const outboxTypes = async (id: string) =>
  (await service.db.sql.query<{ type: string }>('SELECT type FROM outbox_events WHERE connection_id = $1 ORDER BY id', [id])).map((e) => e.type);

describe('POST /webhooks/tiktok', () => {
  describe('type 6 (seller deauthorization) with a good signature', () => {
    it('answers 200 with an empty body and moves the connection to needs_reauth, once per notification id', async () => {
      const { id, seller } = await seedConnection();
      const first = await send({ type: 6, shopId: seller.shops[0]!.id, notificationId: 'n-6-1' });
      expect(first.status).toBe(200);
      await vi.waitFor(async () =>
        expect(await connection(id)).toStrictEqual({ status: 'needs_reauth', status_reason: 'The seller removed the app in TikTok Shop', refresh_due_at: null }),
      );
      const again = await send({ type: 6, shopId: seller.shops[0]!.id, notificationId: 'n-6-1' });
      expect(again.status).toBe(200);
      await service.core.webhooks.inboxWorker.drain();
      expect(await outboxTypes(id)).toStrictEqual(['connection.deauthorized', 'tiktok.seller_deauthorization']);
      await service.audit.flush();
      const audit = await service.db.sql.query('SELECT action FROM audit_events WHERE connection_id = $1', [id]);
      expect(audit).toStrictEqual([{ action: 'connection.deauthorized' }]);
    });
  });

  describe('with a bad or missing signature', () => {
    it.each([
      ['a signature of another body', webhookSignature(simulatorApp.appKey, simulatorApp.appSecret, '{}')],
      ['no signature', undefined],
    ])('answers 401 with an empty body for %s and stores nothing', async (_case, authorization) => {
      const { id, seller } = await seedConnection();
      const body = JSON.stringify({ type: 6, tts_notification_id: `bad-${randomUUID()}`, shop_id: seller.shops[0]!.id, data: {} });
      const response = await service.request('/webhooks/tiktok', {
        method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body,
      });
      expect(response.status).toBe(401);
      expect(await response.text()).toBe('');
      const stored = await service.db.sql.query('SELECT id FROM tiktok_webhook_inbox WHERE raw_body = $1', [body]);
      expect(stored).toStrictEqual([]);
      expect((await connection(id)).status).toBe('active');
    });
  });

  it('verifies the raw bytes exactly as sent (whitespace included)', async () => {
    const { id, seller } = await seedConnection();
    const body = `{ "type" : 6,\n  "tts_notification_id": "raw-${randomUUID()}", "shop_id": "${seller.shops[0]!.id}", "data": {} }`;
    const response = await service.request('/webhooks/tiktok', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: webhookSignature(simulatorApp.appKey, simulatorApp.appSecret, body) },
      body,
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    await vi.waitFor(async () => expect((await connection(id)).status).toBe('needs_reauth'));
  });

  it('type 7 (authorization expiring) records one warning per threshold', async () => {
    const { id, seller } = await seedConnection();
    const inDays = (days: number) => Math.floor(Date.now() / 1000) + days * 86_400;
    expect((await send({ type: 7, shopId: seller.shops[0]!.id, expirationTime: inDays(29) })).status).toBe(200);
    expect((await send({ type: 7, shopId: seller.shops[0]!.id, expirationTime: inDays(28) })).status).toBe(200);
    expect((await send({ type: 7, shopId: seller.shops[0]!.id, expirationTime: inDays(6) })).status).toBe(200);
    await service.core.webhooks.inboxWorker.drain();
    const payloads = await service.db.sql.query<{ payload: { daysBefore: number } }>(
      "SELECT payload FROM outbox_events WHERE connection_id = $1 AND type = 'authorization.expiring' ORDER BY id", [id],
    );
    expect(payloads.map((p) => p.payload.daysBefore)).toStrictEqual([30, 7]);
    expect((await connection(id)).status).toBe('active');
  });

  it('type 20 (creator deauthorization) moves the connection of that open_id to needs_reauth', async () => {
    const { id, seller } = await seedConnection();
    expect((await send({ type: 20, creatorOpenId: seller.openId })).status).toBe(200);
    await service.core.webhooks.inboxWorker.drain();
    expect(await connection(id)).toMatchObject({ status: 'needs_reauth', status_reason: 'The creator removed the app in TikTok Shop' });
  });

  it('answers 200 for a shop it does not know', async () => {
    expect((await send({ type: 6, shopId: '1234567890123456789' })).status).toBe(200);
  });
});

describe('GET /metrics', () => {
  it('answers Prometheus text with refresh metrics and connections by status', async () => {
    const response = await service.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toContain('# TYPE tiktok_token_refreshes_total counter');
    expect(text).toContain('# TYPE tiktok_token_refresh_lead_time_seconds histogram');
    expect(text).toContain('# TYPE tiktok_token_refresh_duration_seconds histogram');
    expect(text).toMatch(/tiktok_connections\{status="active"\} \d+/);
    expect(text).toContain('process_cpu_user_seconds_total'); // issue #17: Node's process metrics are served too
  });
});
