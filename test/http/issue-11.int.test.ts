import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultAppScopes } from '../../src/simulator/index.js';
import { connectSeller, createClient, withKey } from '../apps/support.js';
import { fakePng, multipartBody, sha256 } from '../support/multipart.js';
import { startTestService, type TestService } from '../support/service.js';

/**
 * Issue #11 ("Work with the real TikTok Shop"), items 3, 4, 5 (pre-check), 6 and 10, driven through
 * the service's HTTP API against the simulator in its strict (realistic) default mode.
 */
describe('issue #11: the proxy and signing against a strict simulator', () => {
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let shopId: string;
  let cipher: string;
  const sim = () => service.simulator!.control;
  const proxy = (tiktokPath: string) => `/v1/shops/${shopId}/proxy${tiktokPath}`;
  const auditOf = async (response: Response) => {
    await service.audit.flush();
    return service.db.sql.query<{ action: string; outcome: string; shop_id: string; detail: unknown }>(
      'SELECT action, outcome, shop_id, detail FROM audit_events WHERE request_id = $1 ORDER BY id',
      [response.headers.get('x-request-id')],
    );
  };

  beforeAll(async () => {
    service = await startTestService({}, { simulator: { appScopes: [...defaultAppScopes, 'seller.global_product.info'] } });
    const { key } = await createClient(service, { rateLimitPerMinute: 1000 });
    call = withKey(service, key);
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'merchant-11' }) });
    await connectSeller(service, ((await created.json()) as { url: string }).url, sim().builtInSellers.local);
    shopId = sim().builtInSellers.local.shops[0]!.id;
    cipher = sim().builtInSellers.local.shops[0]!.cipher;
  });
  afterAll(async () => {
    await service?.stop();
  });
  beforeEach(() => {
    sim().resetCounters();
    sim().clearFaults();
  });

  describe('item 3: content-type on every open API request', () => {
    it('proxies a GET with content-type application/json, which the strict simulator requires', async () => {
      expect(sim().settings().strict.requireContentType).toBe(true);
      const response = await call(proxy('/authorization/202309/shops'));
      expect(response.status).toBe(200);
      expect(((await response.json()) as { code: number }).code).toBe(0);
      expect(sim().counters().strictRefusals).toBe(0);
    });

    it('signs a GET with content-type application/json in the headers to send', async () => {
      const response = await call(`/v1/shops/${shopId}/sign`, { method: 'POST', body: JSON.stringify({ method: 'GET', path: '/authorization/202309/shops' }) });
      const signed = (await response.json()) as { url: string; headers: Record<string, string> };
      expect(signed.headers['content-type']).toBe('application/json');
      const sent = await fetch(signed.url, { headers: signed.headers });
      expect(((await sent.json()) as { code: number }).code).toBe(0);
    });
  });

  describe('item 4: uploads through the proxy', () => {
    it('forwards an image byte for byte with the same boundary, signed without the body', async () => {
      const image = fakePng(300 * 1024);
      const form = multipartBody([
        { name: 'data', filename: 'shirt.png', type: 'image/png', content: image },
        { name: 'use_case', content: 'MAIN_IMAGE' },
      ], '----issue11-boundary-A');
      const response = await call(proxy('/product/202309/images/upload'), { method: 'POST', headers: { 'content-type': form.contentType }, body: form.body });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ code: 0, data: { uri: `tos-simulator-i/${sha256(image)}`, use_case: 'MAIN_IMAGE' } });
      expect(response.headers.get('x-tiktok-request-id')).toMatch(/^\d{14}[0-9A-F]{20}$/);
      expect(sim().counters()).toMatchObject({ badSignatures: 0, uploads: { total: 1, bytes: form.body.length } });
      expect(await auditOf(response)).toMatchObject([
        { action: 'proxy', outcome: 'success', shop_id: shopId, detail: { method: 'POST', path: '/product/202309/images/upload', upload: true, tiktokStatus: 200 } },
      ]);
    });

    it('streams a chunked file upload (no Content-Length) and answers TikTok’s file id', async () => {
      const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), fakePng(2 * 1024 * 1024)]);
      const form = multipartBody([{ name: 'data', filename: 'cert.pdf', type: 'application/pdf', content: pdf }, { name: 'name', content: 'cert.pdf' }]);
      const response = await call(proxy('/product/202309/files/upload'), {
        method: 'POST',
        headers: { 'content-type': form.contentType },
        body: Readable.toWeb(Readable.from(chunks(form.body, 64 * 1024))) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ code: 0, data: { id: `v09${sha256(pdf).slice(0, 29)}`, name: 'cert.pdf', format: 'PDF' } });
    });

    it('answers 413 for an image over 5 MB without calling TikTok', async () => {
      const form = multipartBody([{ name: 'data', filename: 'big.png', content: fakePng(5 * 1024 * 1024 + 10) }]);
      const response = await call(proxy('/product/202309/images/upload'), { method: 'POST', headers: { 'content-type': form.contentType }, body: form.body });
      expect(response.status).toBe(413);
      const body = (await response.json()) as { code: string; error: string; hint: string };
      expect(body.code).toBe('payload_too_large');
      expect(body.error).toBe(`The image upload is ${form.body.length} bytes, over the limit of 5 MB (5242880 bytes) for this TikTok path; nothing was stored at TikTok.`);
      expect(body.hint).toBe('Send an image of at most 5 MB: compress or resize it first.');
      expect(sim().counters().apiCalls.total).toBe(0);
      expect(await auditOf(response)).toMatchObject([
        { action: 'request.refused', outcome: 'denied', shop_id: shopId, detail: { route: 'POST /v1/shops/:shopId/proxy/*path', code: 'payload_too_large', status: 413 } },
      ]);
    });

    it('answers 413 for a streamed file that grows past 20 MB, and TikTok stores nothing', async () => {
      const form = multipartBody([{ name: 'data', filename: 'v.mp4', content: Buffer.alloc(20 * 1024 * 1024 + 1) }, { name: 'name', content: 'v.mp4' }]);
      const response = await call(proxy('/product/202309/files/upload'), {
        method: 'POST',
        headers: { 'content-type': form.contentType },
        body: Readable.toWeb(Readable.from(chunks(form.body, 256 * 1024))) as ReadableStream,
        duplex: 'half',
      } as RequestInit);
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({
        code: 'payload_too_large',
        error: 'The file upload is larger than the limit of 20 MB (20971520 bytes) for this TikTok path; nothing was stored at TikTok.',
      });
      expect(sim().counters().uploads.total).toBe(0);
      expect(await auditOf(response)).toMatchObject([{ action: 'proxy', outcome: 'failure', detail: { upload: true, code: 'payload_too_large' } }]);
    });

    it('signs the multipart case on /sign: no body, the caller’s content-type, and the simulator accepts the upload', async () => {
      const form = multipartBody([{ name: 'data', filename: 'a.png', content: fakePng(1000) }]);
      const response = await call(`/v1/shops/${shopId}/sign`, {
        method: 'POST',
        body: JSON.stringify({ method: 'POST', path: '/product/202309/images/upload', contentType: form.contentType }),
      });
      expect(response.status).toBe(200);
      const signed = (await response.json()) as { url: string; query: Record<string, string>; headers: Record<string, string>; body?: string };
      expect(signed.body).toBeUndefined();
      expect(signed.headers['content-type']).toBe(form.contentType);
      expect(signed.query.shop_cipher).toBeUndefined();
      const sent = await fetch(signed.url, { method: 'POST', headers: signed.headers, body: form.body });
      expect(((await sent.json()) as { code: number }).code).toBe(0);
    });

    it('refuses a multipart sign request that also gives a body', async () => {
      const response = await call(`/v1/shops/${shopId}/sign`, {
        method: 'POST',
        body: JSON.stringify({ method: 'POST', path: '/product/202309/images/upload', contentType: 'multipart/form-data; boundary=x', body: 'abc' }),
      });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'validation_failed' });
    });
  });

  describe('item 6: shop_cipher by TikTok’s rules', () => {
    it('sends no cipher to global products, though the scope row for this version leaves it open', async () => {
      const response = await call(proxy('/product/202309/global_products/search'), { method: 'POST', body: '{}' });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { code: number }).code).toBe(0);
    });

    it('lets an explicit shop_cipher (the shop’s own) override the rule', async () => {
      const response = await call(proxy(`/authorization/202309/shops?shop_cipher=${encodeURIComponent(cipher)}`));
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({ tiktok: { code: 36009004, message: 'Unexpected identifier. The shop_cipher query parameter is not required' } });
    });

    it('sends no cipher for an explicit empty shop_cipher', async () => {
      const response = await call(proxy('/order/202309/orders?ids=1&shop_cipher='));
      expect(await response.json()).toMatchObject({ tiktok: { code: 106013 } });
    });

    it('takes the override on /sign too: an empty shop_cipher signs without one, the shop’s own with it', async () => {
      const signWith = async (query: Record<string, string>) =>
        ((await (await call(`/v1/shops/${shopId}/sign`, { method: 'POST', body: JSON.stringify({ method: 'GET', path: '/order/202309/orders', query }) })).json()) as {
          query: Record<string, string>;
        }).query;
      expect((await signWith({ ids: '1' })).shop_cipher).toBe(cipher);
      expect((await signWith({ ids: '1', shop_cipher: '' })).shop_cipher).toBeUndefined();
      expect((await signWith({ shop_cipher: cipher })).shop_cipher).toBe(cipher);
    });

    it('refuses another shop’s cipher with 400 validation_failed, without calling TikTok', async () => {
      const other = sim().builtInSellers.crossBorder.shops[0]!.cipher;
      const response = await call(proxy(`/order/202309/orders?ids=1&shop_cipher=${encodeURIComponent(other)}`));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'validation_failed', error: "query.shop_cipher is not this shop's cipher." });
      expect(sim().counters().apiCalls.total).toBe(0);
    });
  });

  describe('item 10: an access token replaced by a refresh', () => {
    it('is never used again: after TikTok calls it expired, the proxy refreshes, and every later call carries the new one', async () => {
      const before = ((await (await call(`/v1/shops/${shopId}/token`)).json()) as { accessToken: string }).accessToken;
      expect((await call(proxy('/authorization/202309/shops'))).status).toBe(200);
      sim().expireAccessTokens(sim().builtInSellers.local.openId);
      sim().resetCounters();
      const refreshed = await call(proxy('/authorization/202309/shops'));
      expect(refreshed.status).toBe(200);
      const after = ((await (await call(`/v1/shops/${shopId}/token`)).json()) as { accessToken: string }).accessToken;
      expect(after).not.toBe(before);
      for (let i = 0; i < 3; i++) expect((await call(proxy('/authorization/202309/shops'))).status).toBe(200);
      // One 105002 for the expired token, then only accepted calls: the replaced token never went out again
      // (Get Authorized Shops after the refresh, #11 item 8, goes out with the new token too: none refused).
      await service.refresher.stop();
      expect(sim().counters()).toMatchObject({ strictRefusals: 0, refreshes: { total: 1 }, apiCalls: { byPath: { '/authorization/202309/shops': 6 } } });
    });
  });
});

describe('issue #11 item 5: a refresh answer without granted_scopes', () => {
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let shopId: string;
  const sim = () => service.simulator!.control;

  beforeAll(async () => {
    service = await startTestService();
    const { key } = await createClient(service, { rateLimitPerMinute: 1000 });
    call = withKey(service, key);
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'merchant-11-unknown' }) });
    await connectSeller(service, ((await created.json()) as { url: string }).url, sim().builtInSellers.local);
    shopId = sim().builtInSellers.local.shops[0]!.id;
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('keeps the last known scopes, and the pre-check keeps letting calls through', async () => {
    const before = (await (await call(`/v1/shops/${shopId}/token`)).json()) as { accessToken: string; grantedScopes: string[] };
    expect(before.grantedScopes).toStrictEqual([...defaultAppScopes]);
    sim().setSendGrantedScopes(false);
    sim().expireAccessTokens(sim().builtInSellers.local.openId);
    sim().resetCounters();
    // 105002, a refresh whose answer has no granted_scopes, and the retry.
    expect((await call(`/v1/shops/${shopId}/proxy/order/202309/orders/search`, { method: 'POST', body: '{}' })).status).toBe(200);
    expect(sim().counters().refreshes.total).toBe(1);
    const after = (await (await call(`/v1/shops/${shopId}/token`)).json()) as { accessToken: string; grantedScopes: string[] };
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.grantedScopes).toStrictEqual([...defaultAppScopes]);
    expect((await call(`/v1/shops/${shopId}/proxy/order/202309/orders/search`, { method: 'POST', body: '{}' })).status).toBe(200);
  });
});

describe('issue #11 item 5: the scope pre-check refuses only on documented rows', () => {
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let shopId: string;
  const sim = () => service.simulator!.control;

  beforeAll(async () => {
    // The app (so every grant) lacks Order Information.
    service = await startTestService({}, { simulator: { appScopes: defaultAppScopes.filter((scope) => scope !== 'seller.order.info') } });
    const { key } = await createClient(service, { rateLimitPerMinute: 1000 });
    call = withKey(service, key);
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'merchant-11-scopes' }) });
    await connectSeller(service, ((await created.json()) as { url: string }).url, sim().builtInSellers.local);
    shopId = sim().builtInSellers.local.shops[0]!.id;
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('refuses a documented endpoint (POST /order/202309/orders/search) before calling TikTok', async () => {
    sim().resetCounters();
    const response = await call(`/v1/shops/${shopId}/proxy/order/202309/orders/search`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { code: string; tiktok?: unknown };
    expect(body.code).toBe('scope_missing');
    expect(body.tiktok).toBeUndefined();
    expect(sim().counters().apiCalls.total).toBe(0);
  });

  it('lets TikTok decide on an inferred row (GET /order/202309/orders)', async () => {
    sim().resetCounters();
    const response = await call(`/v1/shops/${shopId}/proxy/order/202309/orders?ids=1`);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'scope_missing', tiktok: { code: 105005 } });
    expect(sim().counters().apiCalls.byPath['/order/202309/orders']).toBe(1);
  });
});

function* chunks(buffer: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < buffer.length; offset += size) yield buffer.subarray(offset, offset + size);
}
