import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCredentials } from '../../src/cli/apps.js';
import { systemClock } from '../../src/shared/clock.js';
import { createAuthClient } from '../../src/tiktok/index.js';
import { startSimulator, type RunningSimulator, type SimulatedSeller } from '../../src/simulator/index.js';
import { CookieBrowser, location } from '../connections/browser.js';
import { textOf } from '../support/html.js';
import { freePort, startTestService, type TestService } from '../support/service.js';
import { createClient, withKey } from './support.js';

/**
 * Issue #13: one deployment, two TikTok Shop apps. A global app and a US app, each with its own
 * simulator (its own key, secret and hosts), against one service.
 */
const apps = {
  global: { id: 'global', appKey: 'global_key', appSecret: 'global_secret_0123456789', serviceId: 'global_service', market: 'global' },
  us: { id: 'us', appKey: 'us_key', appSecret: 'us_secret_9876543210', serviceId: 'us_service', market: 'us' },
} as const;
type AppId = keyof typeof apps;

describe('issue #13: a global and a US app in one service', () => {
  let service: TestService;
  const sims = {} as Record<AppId, RunningSimulator>;
  let call: ReturnType<typeof withKey>;
  /** A seller of both markets: the same shop id, authorized through each app. */
  let both: SimulatedSeller;
  let usOnly: SimulatedSeller;
  const connections = {} as Record<AppId | 'usOnly', string>;

  beforeAll(async () => {
    const port = await freePort();
    const redirectUrl = `http://127.0.0.1:${port}/oauth/tiktok/callback`;
    for (const id of ['global', 'us'] as const) {
      sims[id] = await startSimulator({ ...apps[id], redirectUrl, clock: systemClock, label: id });
    }
    both = sims.global.control.addSeller({ name: 'Both Markets Seller', shops: [{ region: 'US', name: 'Shared Shop' }] });
    // The same seller and shop on the US platform (same shop id, its own authorization there).
    sims.us.state.sellers.set(both.openId, structuredClone(both));
    usOnly = sims.us.control.addSeller({ name: 'US Seller', shops: [{ region: 'US', name: 'US Shop' }] });
    const configured = (['global', 'us'] as const).map((id) => ({
      ...apps[id], authorizeUrl: `${sims[id].url}/open/authorize`, authBaseUrl: sims[id].url, apiBaseUrl: sims[id].url,
    }));
    service = await startTestService({ PORT: String(port), TIKTOK_APPS: JSON.stringify(configured) });
    call = withKey(service, (await createClient(service, { name: 'orders app' })).key);
    // Two simulators and a service: more than the default hook time on a loaded machine.
  }, 180_000);
  afterAll(async () => {
    await service?.stop();
    for (const sim of Object.values(sims)) await sim?.close();
  });

  /** A merchant opens the link, chooses their market if asked, and approves on that app's simulator. */
  async function connect(linkUrl: string, seller: SimulatedSeller, expected: AppId, market?: 'us' | 'global'): Promise<string> {
    const browser = new CookieBrowser(service);
    const path = new URL(linkUrl).pathname;
    expect((await browser.request(path)).status).toBe(200);
    const started = await browser.postForm(`${path}/authorize`, market ? [['market', market]] : []);
    expect(started.status).toBe(303);
    const authorize = new URL(started.headers.get('location')!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${sims[expected].url}/open/authorize`);
    expect(authorize.searchParams.get('service_id')).toBe(apps[expected].serviceId);
    const fields: [string, string][] = [['service_id', apps[expected].serviceId], ['decision', 'approve'], ['state', authorize.searchParams.get('state')!], ['open_id', seller.openId]];
    for (const scope of sims[expected].control.settings().appScopes) fields.push(['scope', scope]);
    const callback = location(await browser.postForm(`${sims[expected].url}/open/authorize`, fields));
    // One callback URL for every app.
    expect(callback.pathname).toBe('/oauth/tiktok/callback');
    const done = await browser.request(callback.href);
    expect(done.status).toBe(303);
    return location(done).pathname.split('/').pop()!;
  }

  const createSession = async (body: Record<string, unknown>) => {
    const response = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as { url: string; app: string | null; code?: string } };
  };

  it('lets the merchant choose their market in plain words when the link names no app', async () => {
    const session = await createSession({ merchantRef: 'm-us-choice' });
    expect(session.status).toBe(201);
    expect(session.body.app).toBeNull();
    const page = await service.request(new URL(session.body.url).pathname);
    const text = textOf(await page.text());
    expect(text).toContain('Where do you sell?');
    expect(text).toContain('I sell in the United States');
    expect(text).toContain('I sell elsewhere');
    connections.us = await connect(session.body.url, both, 'us', 'us');
  });

  it('connects the same seller through the global app as a second connection', async () => {
    const session = await createSession({ merchantRef: 'm-global', market: 'global' });
    expect(session.body.app).toBe('global');
    connections.global = await connect(session.body.url, both, 'global');
    expect(connections.global).not.toBe(connections.us);
    const listed = (await (await call('/v1/connections')).json()) as { connections: { id: string; app: string; shops: { id: string }[] }[] };
    expect(listed.connections.map(({ id, app }) => ({ id, app })).sort((a, b) => a.app.localeCompare(b.app))).toStrictEqual([
      { id: connections.global, app: 'global' },
      { id: connections.us, app: 'us' },
    ]);
    expect(listed.connections.every((connection) => connection.shops[0]!.id === both.shops[0]!.id)).toBe(true);
    const onlyUs = (await (await call('/v1/connections?app=us')).json()) as { connections: { id: string }[] };
    expect(onlyUs.connections.map((connection) => connection.id)).toStrictEqual([connections.us]);
  });

  it('refuses a named app or market nobody configured', async () => {
    expect(await createSession({ merchantRef: 'm', app: 'eu' })).toMatchObject({ status: 404, body: { code: 'app_not_found' } });
    expect(await createSession({ merchantRef: 'm', app: 'us', market: 'global' })).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
  });

  it('refuses a shop connected through both apps without ?app=, with a hint, on token, sign and proxy', async () => {
    const shopId = both.shops[0]!.id;
    for (const response of [
      await call(`/v1/shops/${shopId}/token`),
      await call(`/v1/shops/${shopId}/sign`, { method: 'POST', body: JSON.stringify({ method: 'GET', path: '/authorization/202309/shops' }) }),
      await call(`/v1/shops/${shopId}/proxy/authorization/202309/shops`),
    ]) {
      expect(response.status).toBe(409);
      const body = (await response.json()) as { code: string; error: string; hint: string };
      expect(body.code).toBe('shop_ambiguous');
      expect(body.error).toBe(`Shop ${shopId} is connected through several TikTok Shop apps (global, us).`);
      expect(body.hint).toContain('?app=global or ?app=us');
    }
  });

  it("serves each app's token with ?app=, and refreshes it against that app's host", async () => {
    const shopId = both.shops[0]!.id;
    for (const id of ['global', 'us'] as const) {
      const before = { global: sims.global.state.counters.refreshes.total, us: sims.us.state.counters.refreshes.total };
      const first = (await (await call(`/v1/shops/${shopId}/token?app=${id}`)).json()) as { accessToken: string };
      await service.refresher.refreshNow(connections[id]);
      const other = id === 'global' ? 'us' : 'global';
      expect(sims[id].state.counters.refreshes.total).toBe(before[id] + 1);
      expect(sims[other].state.counters.refreshes.total).toBe(before[other]);
      const second = (await (await call(`/v1/shops/${shopId}/token?app=${id}`)).json()) as { accessToken: string };
      expect(second.accessToken).not.toBe(first.accessToken);
    }
  });

  it("proxies with the connection's app: its host and its secret", async () => {
    const shopId = both.shops[0]!.id;
    for (const id of ['global', 'us'] as const) {
      const before = sims[id].state.counters.apiCalls.total;
      const response = await call(`/v1/shops/${shopId}/proxy/authorization/202309/shops?app=${id}`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { code: number }).code).toBe(0);
      expect(sims[id].state.counters.apiCalls.total).toBe(before + 1);
    }
    // A shop connected through one app needs no ?app=.
    const session = await createSession({ merchantRef: 'm-us-only', app: 'us' });
    connections.usOnly = await connect(session.body.url, usOnly, 'us');
    const token = await call(`/v1/shops/${usOnly.shops[0]!.id}/token`);
    expect(token.status).toBe(200);
    expect((await call(`/v1/shops/${usOnly.shops[0]!.id}/token?app=global`)).status).toBe(404);
    expect(sims.global.state.counters.badSignatures + sims.us.state.counters.badSignatures).toBe(0);
  });

  it("signs with the app's secret: each simulator accepts its own app's signature and refuses the other's", async () => {
    const shopId = both.shops[0]!.id;
    const signed = async (id: AppId) => {
      const response = await call(`/v1/shops/${shopId}/sign?app=${id}`, { method: 'POST', body: JSON.stringify({ method: 'GET', path: '/authorization/202309/shops' }) });
      expect(response.status).toBe(200);
      return (await response.json()) as { query: Record<string, string>; headers: Record<string, string> };
    };
    const send = (sim: RunningSimulator, request: { query: Record<string, string>; headers: Record<string, string> }) =>
      fetch(`${sim.url}/authorization/202309/shops?${new URLSearchParams(request.query)}`, { headers: request.headers });
    const global = await signed('global');
    expect(global.query.app_key).toBe(apps.global.appKey);
    expect(((await (await send(sims.global, global)).json()) as { code: number }).code).toBe(0);
    const refused = (await (await send(sims.us, global)).json()) as { code: number };
    expect(refused.code).not.toBe(0);
    // The US app's key with the global app's signature: the US simulator finds the signature wrong.
    const badBefore = sims.us.state.counters.badSignatures;
    const forged = await send(sims.us, { ...global, query: { ...global.query, app_key: apps.us.appKey } });
    expect(((await forged.json()) as { code: number }).code).not.toBe(0);
    expect(sims.us.state.counters.badSignatures).toBe(badBefore + 1);
  });

  it("verifies webhooks per app: /webhooks/tiktok/:app takes that app's signature only", async () => {
    const shopId = both.shops[0]!.id;
    const toUs = await sims.us.control.sendWebhook({ url: `${service.url}/webhooks/tiktok/us`, type: 6, shopId });
    expect(toUs.status).toBe(200);
    // Signed by the global app, sent to the US app's URL (and to `default`'s, which is not configured here).
    expect((await sims.global.control.sendWebhook({ url: `${service.url}/webhooks/tiktok/us`, type: 6, shopId })).status).toBe(401);
    expect((await sims.global.control.sendWebhook({ url: `${service.url}/webhooks/tiktok`, type: 6, shopId })).status).toBe(401);
    // The US deauthorization moves the US connection only.
    await expect.poll(async () => (await service.core.operator.listings.get(connections.us))?.status, { timeout: 5000 }).toBe('needs_reauth');
    expect((await service.core.operator.listings.get(connections.global))?.status).toBe('active');
    // The US connection hands out no token any more; the global one still does.
    expect((await call(`/v1/shops/${shopId}/token?app=us`)).status).toBe(409);
    expect((await call(`/v1/shops/${shopId}/token?app=global`)).status).toBe(200);
  });

  it('carries the app on events, and limits a key to its apps', async () => {
    const events = (await (await call('/v1/events?limit=100')).json()) as { events: { type: string; connectionId: string | null; app: string | null }[] };
    const created = events.events.filter((event) => event.type === 'connection.created');
    expect(created.map((event) => [event.connectionId, event.app])).toStrictEqual(
      expect.arrayContaining([[connections.us, 'us'], [connections.global, 'global']]),
    );
    const usKey = withKey(service, (await createClient(service, { name: 'us only', apps: ['us'] })).key);
    const listed = (await (await usKey('/v1/connections')).json()) as { connections: { app: string }[] };
    expect(listed.connections.map((connection) => connection.app)).toStrictEqual(['us', 'us']);
    const forbidden = await usKey(`/v1/shops/${both.shops[0]!.id}/token?app=global`);
    expect(forbidden.status).toBe(403);
    expect(((await forbidden.json()) as { code: string }).code).toBe('app_forbidden');
    expect((await usKey('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'x', app: 'global' }) })).status).toBe(403);
    const usSession = (await (await usKey('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'x' }) })).json()) as { app: string };
    expect(usSession.app).toBe('us');
  });

  it('counts connections per app and checks each app key and secret with one call (apps list --check)', async () => {
    const counts = await service.core.operator.listings.countByApp();
    expect(Object.fromEntries(counts)).toStrictEqual({ global: { active: 1 }, us: { active: 1, needs_reauth: 1 } });
    const before = sims.us.state.counters.tokenGets;
    expect(await checkCredentials(service.core.apps.get('us'))).toStrictEqual({ ok: true, detail: 'TikTok accepted the app key and secret' });
    expect(sims.us.state.counters.tokenGets).toBe(before + 1);
    const wrongSecret = createAuthClient({ fetch: (url, init) => fetch(url, init), authBaseUrl: sims.us.url, appKey: apps.us.appKey, appSecret: 'not-the-secret' });
    const refused = await checkCredentials({ auth: wrongSecret });
    expect(refused.ok).toBe(false);
    expect(refused.detail).not.toContain('not-the-secret');
  });
});
