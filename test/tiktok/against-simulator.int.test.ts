import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/shared/clock.js';
import { ScopeMissing } from '../../src/shared/errors.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import {
  createApiClient,
  createAuthClient,
  TikTokAuthCodeInvalid,
  TikTokGrantDead,
  TikTokRequestRejected,
  verifyWebhookSignature,
} from '../../src/tiktok/index.js';
import { loadScopeIndex } from '../../src/tiktok/scopes.js';

const scopes = loadScopeIndex();

const app = { appKey: 'it_app_key', appSecret: 'it_app_secret', serviceId: 'it_service' };

/** The protocol library against the simulator, over real HTTP: what the service does with TikTok. */
describe('the TikTok protocol clients against the simulator', () => {
  let sim: RunningSimulator;
  let auth: ReturnType<typeof createAuthClient>;
  let api: ReturnType<typeof createApiClient>;
  beforeAll(async () => {
    sim = await startSimulator({ ...app, redirectUrl: 'http://127.0.0.1:9/callback', clock: systemClock });
    auth = createAuthClient({ fetch, authBaseUrl: sim.url, ...app });
    api = createApiClient({ scopes, fetch, apiBaseUrl: sim.url, ...app, clock: systemClock, baseDelayMs: 1 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('exchanges a code, lists the authorized shops, and makes signed calls the simulator accepts', async () => {
    const seller = sim.control.builtInSellers.crossBorder;
    const tokens = await auth.getToken(sim.control.issueAuthCode({ openId: seller.openId }));
    expect(tokens.openId).toBe(seller.openId);
    expect(tokens.accessTokenExpiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    expect(tokens.refreshTokenExpiresAt.getTime()).toBeGreaterThan(tokens.accessTokenExpiresAt.getTime());

    const shops = await api.getAuthorizedShops(tokens.accessToken);
    expect(shops.map((shop) => shop.region).sort()).toStrictEqual(['DE', 'FR', 'GB']);
    expect(shops.map((shop) => shop.cipher)).toStrictEqual(seller.shops.map((shop) => shop.cipher));

    const search = await api.call<{ orders: unknown[] }>({
      method: 'POST',
      path: '/order/202309/orders/search',
      query: { page_size: 5 },
      body: { order_status: 'AWAITING_SHIPMENT', note: 'Café 50%/off + más' },
      accessToken: tokens.accessToken,
      shopCipher: shops[0]!.cipher,
    });
    expect(search.body.code).toBe(0);
    expect(Array.isArray(search.body.data?.orders)).toBe(true);
    expect(sim.control.counters().badSignatures).toBe(0);
  });

  it('refreshes, and in strict rotation the old refresh token is refused as a dead grant', async () => {
    sim.control.setRotation('strict');
    const first = await auth.getToken(sim.control.issueAuthCode({ openId: sim.control.builtInSellers.local.openId }));
    const second = await auth.refreshToken(first.refreshToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    await expect(auth.refreshToken(first.refreshToken)).rejects.toBeInstanceOf(TikTokGrantDead);
    expect(sim.control.counters().reusedRefreshTokens).toBeGreaterThanOrEqual(1);
  });

  it('refuses a reused authorization code', async () => {
    const code = sim.control.issueAuthCode({ openId: sim.control.builtInSellers.local.openId });
    await auth.getToken(code);
    await expect(auth.getToken(code)).rejects.toBeInstanceOf(TikTokAuthCodeInvalid);
  });

  it('turns 105005 on an API whose scope was not granted into ScopeMissing naming the scope', async () => {
    const tokens = await auth.getToken(sim.control.issueAuthCode({ openId: sim.control.builtInSellers.local.openId }));
    const shopCipher = sim.control.builtInSellers.local.shops[0]!.cipher;
    const error = await api
      .call({ method: 'GET', path: '/finance/202309/statements', query: { sort_field: 'statement_time' }, accessToken: tokens.accessToken, shopCipher })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScopeMissing);
    expect((error as ScopeMissing).tiktok?.code).toBe(105005);
    expect((error as ScopeMissing).scopeKeys.length).toBeGreaterThan(0);
  });

  it('is refused with 106001 when the app secret is wrong (signature off)', async () => {
    const tokens = await auth.getToken(sim.control.issueAuthCode({ openId: sim.control.builtInSellers.local.openId }));
    const wrong = createApiClient({ scopes, fetch, apiBaseUrl: sim.url, ...app, appSecret: 'it_app_secreT', clock: systemClock });
    const before = sim.control.counters().badSignatures;
    const error = await wrong.getAuthorizedShops(tokens.accessToken).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TikTokRequestRejected);
    expect((error as TikTokRequestRejected).tiktok?.code).toBe(106001);
    expect(sim.control.counters().badSignatures).toBe(before + 1);
  });

  it('sends webhooks that the verifier accepts on the raw bytes', async () => {
    const { createServer } = await import('node:http');
    const received: boolean[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(verifyWebhookSignature({ ...app, rawBody: Buffer.concat(chunks), authorization: req.headers.authorization }));
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await sim.control.sendWebhook({ url: `http://127.0.0.1:${port}/`, type: 6, shopId: sim.control.builtInSellers.local.shops[0]!.id });
    server.close();
    expect(received).toStrictEqual([true]);
  });
});
