import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { type httpErrors } from '../../src/http/errors.js';
import type { SimulatedSeller } from '../../src/simulator/index.js';
import { signIn, browse } from '../admin/support.js';
import { createClient, withKey } from '../apps/support.js';
import { CookieBrowser, location } from '../connections/browser.js';
import { FakeClock } from '../support/clock.js';
import { startTestService, testEnv, type TestService } from '../support/service.js';

/**
 * Issue #11 items 1 (App Store installs), 7 (OAuth state lifetime) and 5 (unknown granted scopes,
 * storage side), driven through the merchant pages and the API against the strict simulator.
 */

async function stored(service: TestService) {
  const [row] = await service.db.sql.query<{ connections: number; shops: number; outbox: number }>(
    `SELECT (SELECT count(*)::int FROM connections) AS connections, (SELECT count(*)::int FROM shops) AS shops,
            (SELECT count(*)::int FROM outbox_events) AS outbox`,
  );
  return row!;
}

async function auditMark(service: TestService): Promise<number> {
  await service.audit.flush();
  const [row] = await service.db.sql.query<{ id: number }>('SELECT coalesce(max(id), 0)::int AS id FROM audit_events');
  return row!.id;
}

async function auditSince(service: TestService, after: number) {
  await service.audit.flush();
  return service.db.sql.query<{ action: string; outcome: string; connection_id: string | null; detail: Record<string, unknown> | null }>(
    'SELECT action, outcome, connection_id, detail FROM audit_events WHERE id > $1 ORDER BY id',
    [after],
  );
}

/** The seller installs the app from the simulator's App Store page: its form, pressed as a browser would. */
async function installFromAppStore(service: TestService, browser: CookieBrowser, seller: SimulatedSeller, decision = 'approve'): Promise<URL> {
  const page = await browser.request('/simulator/app-store');
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).toContain('<button type="submit" name="decision" value="approve">Install from the App Store</button>');
  expect(html).not.toContain('name="state"');
  const fields: [string, string][] = [['service_id', 'sim_service'], ['decision', decision], ['open_id', seller.openId]];
  const answer = await browser.postForm('/simulator/open/authorize', fields);
  expect(answer.status).toBe(302);
  const callback = location(answer);
  expect(`${callback.origin}${callback.pathname}`).toBe(`${service.url}/oauth/tiktok/callback`);
  return callback;
}

/** Opens a connect link and presses Connect; answers the state and the browser holding its binding. */
async function startConnect(service: TestService, merchantRef: string): Promise<{ browser: CookieBrowser; state: string }> {
  const browser = new CookieBrowser(service);
  const session = await service.connections.createConnectSession({ merchantRef });
  const started = await browser.postForm(`${new URL(session.url).pathname}/authorize`);
  expect(started.status).toBe(303);
  return { browser, state: location(started).searchParams.get('state')! };
}

/** The simulator's Approve with `state` (or a forged one); answers TikTok's redirect to the callback. */
async function approve(service: TestService, browser: CookieBrowser, seller: SimulatedSeller, state: string): Promise<URL> {
  const fields: [string, string][] = [['service_id', 'sim_service'], ['decision', 'approve'], ['state', state], ['open_id', seller.openId]];
  for (const scope of service.simulator!.control.settings().appScopes) fields.push(['scope', scope]);
  return location(await browser.postForm('/simulator/open/authorize', fields));
}

/** The merchant's error page (#16): the service's message is kept for support, the reference names the code. */
async function expectRefused(response: Response, status: number, code: keyof typeof httpErrors, message: string) {
  expect(response.status).toBe(status);
  const body = await response.text();
  expect(body).toContain(message.replaceAll("'", '&#39;'));
  expect(body).toContain(code);
}

describe('issue #11 item 1: App Store installs (TIKTOK_ALLOW_APP_STORE_INSTALLS=true)', () => {
  let service: TestService;
  const clock = new FakeClock('2026-11-23T10:00:00.000Z');
  const sim = () => service.simulator!.control;

  beforeAll(async () => {
    service = await startTestService({ TIKTOK_ALLOW_APP_STORE_INSTALLS: 'true' }, { clock });
  });
  afterAll(async () => {
    await service?.stop();
  });
  beforeEach(() => sim().resetCounters());

  it('exchanges a callback with a code and no state, stores the connection without a merchant reference, and shows its status page', async () => {
    const seller = sim().addSeller({ name: 'App Store Seller', shops: [{ region: 'GB', name: 'Store GB' }] });
    const browser = new CookieBrowser(service);
    const since = await auditMark(service);
    const callback = await installFromAppStore(service, browser, seller);
    expect(callback.searchParams.has('state')).toBe(false);
    expect(callback.searchParams.get('code')).toMatch(/.+/);

    const done = await browser.request(callback.href);
    expect(done.status).toBe(303);
    const page = location(done).pathname;
    expect(page).toMatch(/^\/merchant\/connections\/[0-9a-f-]{36}$/);
    const connectionId = page.split('/').pop()!;

    const status = await browser.request(page);
    expect(status.status).toBe(200);
    const html = await status.text();
    expect(html).toContain('App Store Seller');
    expect(html).toContain('<td>Store GB</td>');

    const [row] = await service.db.sql.query('SELECT open_id, merchant_ref, created_by_api_client_id, status FROM connections WHERE id = $1', [connectionId]);
    expect(row).toStrictEqual({ open_id: seller.openId, merchant_ref: null, created_by_api_client_id: null, status: 'active' });
    expect(sim().counters().tokenGets).toBe(1);
    const events = await service.db.sql.query<{ type: string; payload: Record<string, unknown> }>('SELECT type, payload FROM outbox_events WHERE connection_id = $1', [connectionId]);
    expect(events).toMatchObject([{ type: 'connection.created', payload: { merchantRef: null, openId: seller.openId, shopIds: [seller.shops[0]!.id] } }]);
    expect((await auditSince(service, since)).map((a) => [a.action, a.outcome, a.connection_id, a.detail?.via])).toStrictEqual([
      ['connection.created', 'success', connectionId, 'app_store_install'],
    ]);
  });

  it('re-authorizes a seller already connected through a connect link, keeping its merchant reference', async () => {
    const seller = sim().addSeller({ name: 'Linked Seller' });
    const { browser, state } = await startConnect(service, 'merchant-linked');
    expect((await browser.request((await approve(service, browser, seller, state)).href)).status).toBe(303);
    const since = await auditMark(service);
    const again = new CookieBrowser(service);
    const done = await again.request((await installFromAppStore(service, again, seller)).href);
    expect(done.status).toBe(303);
    const rows = await service.db.sql.query('SELECT merchant_ref, token_version FROM connections WHERE open_id = $1', [seller.openId]);
    expect(rows).toStrictEqual([{ merchant_ref: 'merchant-linked', token_version: 2 }]);
    expect((await auditSince(service, since)).map((a) => [a.action, a.detail?.via])).toStrictEqual([['connection.reauthorized', 'app_store_install']]);
  });

  it('answers a denied App Store install with authorization_denied and stores nothing', async () => {
    const browser = new CookieBrowser(service);
    const callback = await installFromAppStore(service, browser, sim().builtInSellers.local, 'deny');
    const before = await stored(service);
    await expectRefused(await browser.request(callback.href), 400, 'authorization_denied', 'The access was not approved on TikTok Shop, so nothing was connected.');
    expect(await stored(service)).toStrictEqual(before);
  });

  describe('a callback WITH a state stays refused, and no code is exchanged', () => {
    it('refuses a state the service did not issue', async () => {
      const { browser } = await startConnect(service, 'forged');
      const callback = await approve(service, browser, sim().builtInSellers.local, 'a-state-this-service-never-issued');
      const before = await stored(service);
      await expectRefused(await browser.request(callback.href), 400, 'oauth_state_invalid', 'The sign-in came back with a state this service did not issue.');
      expect(await stored(service)).toStrictEqual(before);
      expect(sim().counters().tokenGets).toBe(0);
    });

    it('refuses a reused state (the same callback twice)', async () => {
      const { browser, state } = await startConnect(service, 'reused');
      const callback = await approve(service, browser, sim().addSeller(), state);
      expect((await browser.request(callback.href)).status).toBe(303);
      sim().resetCounters();
      const before = await stored(service);
      await expectRefused(await browser.request(callback.href), 400, 'oauth_state_reused', 'This sign-in was already completed; it cannot be used twice.');
      expect(await stored(service)).toStrictEqual(before);
      expect(sim().counters().tokenGets).toBe(0);
    });

    it('refuses an expired state', async () => {
      const { browser, state } = await startConnect(service, 'expired');
      clock.advanceSeconds(3600 + 1);
      const callback = await approve(service, browser, sim().builtInSellers.local, state);
      const before = await stored(service);
      await expectRefused(
        await browser.request(callback.href), 400, 'oauth_state_expired',
        'The sign-in took longer than 1 hour, so it was not accepted. Start again from the link you were given.',
      );
      expect(await stored(service)).toStrictEqual(before);
      expect(sim().counters().tokenGets).toBe(0);
    });
  });

  describe('item 7: the OAuth state lifetime', () => {
    it('accepts a seller who comes back 59 minutes later (logged in, account created, then approved)', async () => {
      const seller = sim().addSeller({ name: 'Slow Seller' });
      const { browser, state } = await startConnect(service, 'slow');
      clock.advanceSeconds(59 * 60);
      const done = await browser.request((await approve(service, browser, seller, state)).href);
      expect(done.status).toBe(303);
      expect(location(done).pathname).toMatch(/^\/merchant\/connections\//);
    });

    it('keeps the browser binding cookie as long as the state', async () => {
      const browser = new CookieBrowser(service);
      const session = await service.connections.createConnectSession({ merchantRef: 'cookie' });
      const started = await browser.postForm(`${new URL(session.url).pathname}/authorize`);
      expect(started.headers.getSetCookie().find((line) => line.startsWith('tsc_oauth_binding='))).toMatch(/Max-Age=3600;/);
    });

    it('is a setting of at least 30 minutes', () => {
      expect(loadConfig({ ...testEnv }).connect.stateTtlSeconds).toBe(3600);
      expect(loadConfig({ ...testEnv, OAUTH_STATE_TTL_SECONDS: '1800' }).connect.stateTtlSeconds).toBe(1800);
      expect(() => loadConfig({ ...testEnv, OAUTH_STATE_TTL_SECONDS: '600' })).toThrow(/^OAUTH_STATE_TTL_SECONDS: at least 1800/);
    });
  });
});

describe('issue #11 item 1: App Store installs switched off (TIKTOK_ALLOW_APP_STORE_INSTALLS=false), and item 5: unknown scopes', () => {
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  const sim = () => service.simulator!.control;

  beforeAll(async () => {
    service = await startTestService({ TIKTOK_ALLOW_APP_STORE_INSTALLS: 'false', ADMIN_EMAILS: 'ops@example.com' });
    call = withKey(service, (await createClient(service, { rateLimitPerMinute: 1000 })).key);
  });
  afterAll(async () => {
    await service?.stop();
  });
  beforeEach(() => {
    sim().resetCounters();
    sim().setSendGrantedScopes(true);
  });

  it('refuses a callback without state with oauth_state_invalid, exchanging no code', async () => {
    const browser = new CookieBrowser(service);
    const callback = await installFromAppStore(service, browser, sim().builtInSellers.local);
    const before = await stored(service);
    const since = await auditMark(service);
    await expectRefused(await browser.request(callback.href), 400, 'oauth_state_invalid', 'The sign-in came back without a valid state.');
    expect(await stored(service)).toStrictEqual(before);
    expect(sim().counters().tokenGets).toBe(0);
    expect((await auditSince(service, since)).map((a) => [a.action, a.detail])).toStrictEqual([['connect.callback_refused', { reason: 'oauth_state_invalid' }]]);
  });

  it('is off unless set for a real TikTok app, and on by default with the simulator', () => {
    const live = { ...testEnv, TIKTOK_APP_KEY: 'k', TIKTOK_APP_SECRET: 's', TIKTOK_SERVICE_ID: 'i' };
    expect(loadConfig(live).tiktok.allowAppStoreInstalls).toBe(false);
    expect(loadConfig({ ...live, TIKTOK_ALLOW_APP_STORE_INSTALLS: 'true' }).tiktok.allowAppStoreInstalls).toBe(true);
    expect(loadConfig({ ...testEnv }).tiktok.allowAppStoreInstalls).toBe(true);
  });

  describe('item 5: a first connect whose token answer has no granted_scopes', () => {
    let seller: SimulatedSeller;
    let connectionId: string;
    let browser: CookieBrowser;

    beforeAll(async () => {
      sim().setSendGrantedScopes(false);
      seller = sim().addSeller({ name: 'Old Grant Seller' });
      const started = await startConnect(service, 'merchant-old-grant');
      browser = started.browser;
      const done = await browser.request((await approve(service, browser, seller, started.state)).href);
      expect(done.status).toBe(303);
      connectionId = location(done).pathname.split('/').pop()!;
    });

    it('stores the scopes as unknown, not as none', async () => {
      const rows = await service.db.sql.query('SELECT scopes_known, granted_scopes FROM connections WHERE id = $1', [connectionId]);
      expect(rows).toStrictEqual([{ scopes_known: false, granted_scopes: [] }]);
    });

    it('answers grantedScopes: null in the API (connection and token)', async () => {
      const connection = (await (await call(`/v1/connections/${connectionId}`)).json()) as { grantedScopes: unknown };
      expect(connection.grantedScopes).toBeNull();
      const token = (await (await call(`/v1/shops/${seller.shops[0]!.id}/token`)).json()) as { grantedScopes: unknown };
      expect(token.grantedScopes).toBeNull();
    });

    it('never refuses a call in the scope pre-check: the call reaches TikTok', async () => {
      const response = await call(`/v1/shops/${seller.shops[0]!.id}/proxy/order/202309/orders/search?page_size=10`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(200);
      expect(sim().counters().apiCalls.total).toBe(1);
    });

    it('shows "scopes unknown" on the merchant page and the admin page', async () => {
      const merchant = await (await browser.request(`/merchant/connections/${connectionId}`)).text();
      expect(merchant).toContain('Scopes unknown: TikTok Shop did not say which permissions you granted.');
      const { jar } = await signIn(service, 'ops@example.com');
      const admin = await browse(jar, `${service.url}/admin/connections/${connectionId}`);
      expect(admin.response.status).toBe(200);
      expect(await admin.response.text()).toContain('<dt>Granted scopes</dt><dd><span class="muted">scopes unknown (TikTok did not list them)</span></dd>');
    });

    it('learns the list from a later answer that has it', async () => {
      sim().setSendGrantedScopes(true);
      const started = await startConnect(service, 'merchant-old-grant');
      expect((await started.browser.request((await approve(service, started.browser, seller, started.state)).href)).status).toBe(303);
      const connection = (await (await call(`/v1/connections/${connectionId}`)).json()) as { grantedScopes: unknown };
      expect(connection.grantedScopes).toStrictEqual(sim().settings().appScopes);
    });
  });

  it('item 5: a re-authorization whose answer has no granted_scopes keeps the last known list', async () => {
    const seller = sim().addSeller({ name: 'Known Scopes Seller' });
    const first = await startConnect(service, 'merchant-known');
    const done = await first.browser.request((await approve(service, first.browser, seller, first.state)).href);
    const connectionId = location(done).pathname.split('/').pop()!;
    sim().setSendGrantedScopes(false);
    const again = await startConnect(service, 'merchant-known');
    expect((await again.browser.request((await approve(service, again.browser, seller, again.state)).href)).status).toBe(303);
    const rows = await service.db.sql.query('SELECT scopes_known, granted_scopes, token_version FROM connections WHERE id = $1', [connectionId]);
    expect(rows).toStrictEqual([{ scopes_known: true, granted_scopes: sim().settings().appScopes, token_version: 2 }]);
    const connection = (await (await call(`/v1/connections/${connectionId}`)).json()) as { grantedScopes: unknown };
    expect(connection.grantedScopes).toStrictEqual(sim().settings().appScopes);
  });
});
