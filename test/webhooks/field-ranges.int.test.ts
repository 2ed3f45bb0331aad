import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorApp } from '../../src/config.js';
import { webhookSignature } from '../../src/tiktok/index.js';
import { startTestService, type TestService } from '../support/service.js';
import { seedConnection } from './support.js';

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(async () => {
  await service?.stop();
});

/** TikTok sends `body` (exact bytes) with a valid signature. */
async function deliver(body: string | Buffer): Promise<{ status: number; text: string }> {
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const response = await service.request('/webhooks/tiktok', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: webhookSignature(simulatorApp.appKey, simulatorApp.appSecret, raw.toString('utf8')) },
    body: raw,
  });
  return { status: response.status, text: await response.text() };
}

const expiringPayloads = async (id: string) =>
  (await service.db.sql.query<{ payload: { daysBefore: number; expiresAt: string } }>(
    "SELECT payload FROM outbox_events WHERE connection_id = $1 AND type = 'authorization.expiring' ORDER BY id", [id],
  )).map((row) => row.payload);

describe('POST /webhooks/tiktok with validly signed but absurd fields', () => {
  it.each([
    ['a NUL in tts_notification_id', () => JSON.stringify({ type: 1, tts_notification_id: `n\u0000${randomUUID()}`, shop_id: '1', data: {} })],
    ['a raw NUL byte in the body', () => `{"type":1,"tts_notification_id":"${randomUUID()}","shop_id":"1","data":{"note":"a\u0000b"}}`],
    ['a lone surrogate in tts_notification_id', () => `{"type":1,"tts_notification_id":"\\ud800${randomUUID()}","data":{}}`],
    ['an expiration_time of 400 nines', () => JSON.stringify({ type: 7, tts_notification_id: randomUUID(), shop_id: '1', data: { expiration_time: '9'.repeat(400) } })],
  ])('answers 200 (stored, never 500) for %s, and TikTok\'s retry too', async (_case, body) => {
    const text = body();
    const [{ last }] = (await service.db.sql.query<{ last: string }>('SELECT coalesce(max(id), 0)::text AS last FROM tiktok_webhook_inbox')) as [{ last: string }];
    expect(await deliver(text)).toStrictEqual({ status: 200, text: '' });
    expect(await deliver(text)).toStrictEqual({ status: 200, text: '' });
    await service.core.webhooks.inboxWorker.drain();
    const [failed] = await service.db.sql.query<{ count: number }>(
      'SELECT count(*)::int AS count FROM tiktok_webhook_inbox WHERE id > $1::bigint AND (last_error IS NOT NULL OR processed_at IS NULL)', [last],
    );
    expect(failed!.count).toBe(0);
  });

  it.each([
    ['0 (1970)', '0'],
    ['400 nines', '9'.repeat(400)],
    ['a number beyond what a date holds', '99999999999999999'],
    ['a time in the past', String(Math.floor(Date.now() / 1000) - 86_400)],
  ])('ignores a type 7 expiration_time of %s: the stored expiry decides, and the real 30- and 7-day warnings still come', async (_case, value) => {
    const { id, seller } = await seedConnection(service);
    const shopId = seller.shops[0]!.id;
    // The stored authorization ends in 60 days: a 30-day threshold warning at most.
    expect(await deliver(JSON.stringify({ type: 7, tts_notification_id: randomUUID(), shop_id: shopId, data: { expiration_time: value } })))
      .toStrictEqual({ status: 200, text: '' });
    await service.core.webhooks.inboxWorker.drain();
    const first = await expiringPayloads(id);
    expect(first.map((p) => p.daysBefore)).toStrictEqual([30]);
    expect(new Date(first[0]!.expiresAt).getTime()).toBeGreaterThan(Date.now() + 50 * 86_400_000);
    const inDays = (days: number) => String(Math.floor(Date.now() / 1000) + days * 86_400);
    await deliver(JSON.stringify({ type: 7, tts_notification_id: randomUUID(), shop_id: shopId, data: { expiration_time: inDays(6) } }));
    await service.core.webhooks.inboxWorker.drain();
    expect((await expiringPayloads(id)).map((p) => p.daysBefore)).toStrictEqual([30, 7]);
  });
});
