import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sectionOf, textOf } from '../support/html.js';
import { startTestService, type TestService } from '../support/service.js';
import { connectSeller, createClient, withKey } from './support.js';

/**
 * Issue #15 item 3, as apps, merchants and admins see it: a refresh whose answer was lost (TikTok rotated the
 * refresh token), then 36004005 on the retry. The connection keeps working until its access token expires,
 * and everyone is told at once that the merchant must re-authorize.
 */
describe('a connection whose refresh token was lost to an unanswered refresh', () => {
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let connectionId: string;
  let shopId: string;
  let accessToken: string;

  const sim = () => service.simulator!.control;
  const seller = () => sim().builtInSellers.local;
  const connection = async () => (await (await call(`/v1/connections/${connectionId}`)).json()) as Record<string, unknown>;

  /** The refresh reaches TikTok (which rotates the refresh token) and the answer is lost; the retry is refused. */
  async function loseTheRefreshToken(id: string) {
    sim().answerButFail({ endpoint: 'refresh', how: 'drop', count: 1 });
    await expect(service.refresher.refreshNow(id)).rejects.toMatchObject({ code: 'tiktok_unavailable' });
    await expect(service.refresher.refreshNow(id)).rejects.toMatchObject({ tiktok: { code: 36004005 } });
  }

  beforeAll(async () => {
    service = await startTestService({ REFRESH_SWEEP_INTERVAL_SECONDS: '3600' });
    // TikTok does not document that a refresh invalidates the earlier access token: here it does not.
    sim().setStrict({ refreshRevokesAccessTokens: false });
    call = withKey(service, (await createClient(service, { name: 'orders app' })).key);
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'lost-answer-merchant' }) });
    connectionId = await connectSeller(service, ((await created.json()) as { url: string }).url, seller());
    shopId = seller().shops[0]!.id;
    accessToken = ((await (await call(`/v1/shops/${shopId}/token`)).json()) as { accessToken: string }).accessToken;
    await loseTheRefreshToken(connectionId);
  });
  afterAll(async () => {
    await service?.stop();
  });

  it('is refresh_lost, and still hands out its access token, signs and proxies', async () => {
    expect(await connection()).toMatchObject({ status: 'refresh_lost' });
    const token = await call(`/v1/shops/${shopId}/token`);
    expect(token.status).toBe(200);
    expect(await token.json()).toMatchObject({ shopId, accessToken });
    const proxied = await call(`/v1/shops/${shopId}/proxy/order/202309/orders/search`, { method: 'POST', body: '{}' });
    expect({ status: proxied.status, body: proxied.status === 200 ? undefined : await proxied.text() }).toStrictEqual({ status: 200, body: undefined });
  });

  it('announces connection.refresh_lost in GET /v1/events at once', async () => {
    const page = (await (await call('/v1/events')).json()) as { events: { type: string; payload: Record<string, unknown> }[] };
    const announced = page.events.filter((event) => event.type === 'connection.refresh_lost');
    expect(announced).toHaveLength(1);
    expect(announced[0]!.payload).toMatchObject({
      connectionId, merchantRef: 'lost-answer-merchant', status: 'refresh_lost', previousStatus: 'active', cause: 'refresh',
      accessTokenExpiresAt: expect.any(String),
    });
  });

  it.each([
    ['en', 'Re-authorize soon to keep your shops connected', 'Re-authorization needed soon'],
    ['es', 'Vuelve a autorizar pronto para mantener tus tiendas conectadas', 'Hay que volver a autorizar pronto'],
    ['id', 'Segera otorisasi ulang agar toko Anda tetap terhubung', 'Perlu otorisasi ulang segera'],
  ])('tells the merchant (%s) to re-authorize before the token expires, with the button', async (language, heading, label) => {
    const page = await fetch((await connection()).statusPageUrl as string, { headers: { accept: 'text/html', 'accept-language': language } });
    expect(page.status).toBe(200);
    const first = textOf(sectionOf(await page.text(), 'status-heading'));
    expect(first.slice(0, heading.length)).toBe(heading);
    expect(first).toContain(label);
  });

  it('shows the merchant page with the re-authorize form', async () => {
    const html = await (await fetch((await connection()).statusPageUrl as string, { headers: { accept: 'text/html', 'accept-language': 'en' } })).text();
    expect(sectionOf(html, 'status-heading')).toMatch(/<form method="post"/);
  });

  it('becomes needs_reauth at once when TikTok refuses its access token for good (it did invalidate it)', async () => {
    sim().setStrict({ refreshRevokesAccessTokens: true });
    const other = sim().builtInSellers.crossBorder;
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'strict-merchant' }) });
    const id = await connectSeller(service, ((await created.json()) as { url: string }).url, other);
    await loseTheRefreshToken(id);
    const status = async () => ((await (await call(`/v1/connections/${id}`)).json()) as { status: string; statusReason: string });
    expect(await status()).toMatchObject({ status: 'refresh_lost' });
    const proxied = await call(`/v1/shops/${other.shops[0]!.id}/proxy/order/202309/orders/search`, { method: 'POST', body: '{}' });
    expect(proxied.status).toBe(409);
    expect(await proxied.json()).toMatchObject({ code: 'connection_needs_reauth' });
    const after = await status();
    expect(after.status).toBe('needs_reauth');
    expect(after.statusReason).toMatch(/^TikTok refuses the access token of this connection, whose refresh token was lost \(TikTok 105001 /);
    sim().setStrict({ refreshRevokesAccessTokens: false });
  });

  it('works again once the merchant re-authorizes', async () => {
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'lost-answer-merchant' }) });
    expect(await connectSeller(service, ((await created.json()) as { url: string }).url, seller())).toBe(connectionId);
    expect(await connection()).toMatchObject({ status: 'active', statusReason: null });
  });
});
