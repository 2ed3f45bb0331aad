import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedTikTok } from '../apps/scripted-tiktok.js';
import { connectSeller, createClient, withKey } from '../apps/support.js';
import { startTestService, type TestService } from '../support/service.js';

/** The proxy hands TikTok's answer on as TikTok wrote it. */
describe('proxy answers, byte for byte', () => {
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let shopId: string;
  const tiktok = scriptedTikTok();

  beforeAll(async () => {
    service = await startTestService({}, { fetch: tiktok.fetch });
    call = withKey(service, (await createClient(service)).key);
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'merchant-bytes' }) });
    await connectSeller(service, ((await created.json()) as { url: string }).url, service.simulator!.control.builtInSellers.local);
    shopId = service.simulator!.control.builtInSellers.local.shops[0]!.id;
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('keeps numbers past 2^53, spacing and key order exactly as TikTok sent them', async () => {
    const sent = '{"code":0, "message":"Success","request_id":"2026112912000001","data":{"total":2,"next_id":7000000000000000123,"price":1.10}}';
    tiktok.answer(/^\/order\/202309\/orders$/, { status: 200, code: 0, message: 'Success', raw: sent });
    const response = await call(`/v1/shops/${shopId}/proxy/order/202309/orders?ids=1`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-tiktok-request-id')).toBe('2026112912000001');
    expect(await response.text()).toBe(sent);
  });
});
