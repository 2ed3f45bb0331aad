import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator, type MessageKey } from '../../src/http/views/i18n/index.js';
import type { ErrorCode } from '../../src/shared/errors.js';
import type { SimulatedSeller } from '../../src/simulator/index.js';
import { connectThroughSimulator, CookieBrowser, location } from '../connections/browser.js';
import { FakeClock } from '../support/clock.js';
import { sectionOf, textOf } from '../support/html.js';
import { startTestService, type TestService } from '../support/service.js';

const allowedOrigin = 'https://app.example.com';
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('the merchant connect flow', () => {
  let service: TestService;
  const clock = new FakeClock('2026-11-23T10:00:00.000Z');

  beforeAll(async () => {
    // App Store installs off: a callback without state is refused, as for a custom app (see issue-11-connect).
    service = await startTestService({ RETURN_URL_ALLOWLIST: allowedOrigin, TIKTOK_ALLOW_APP_STORE_INSTALLS: 'false' }, { clock });
  });
  afterAll(async () => {
    await service?.stop();
  });

  const sim = () => service.simulator!.control;

  /** Opens a connect link and presses "Connect with TikTok Shop"; answers the state TikTok will echo. */
  async function startAuthorize(browser: CookieBrowser, connectUrl: string): Promise<string> {
    const page = await browser.request(new URL(connectUrl).pathname);
    expect(page.status).toBe(200);
    const started = await browser.postForm(`${new URL(connectUrl).pathname}/authorize`);
    expect(started.status).toBe(303);
    const target = location(started);
    expect(`${target.origin}${target.pathname}`).toBe(`${service.url}/simulator/open/authorize`);
    expect(target.searchParams.get('service_id')).toBe('sim_service');
    return target.searchParams.get('state')!;
  }

  /** Submits the simulator's authorize form; answers TikTok's redirect to the callback. */
  async function decide(browser: CookieBrowser, input: { state?: string; seller?: SimulatedSeller; scopes?: string[]; decision?: 'approve' | 'deny' }) {
    const fields: [string, string][] = [['service_id', 'sim_service'], ['decision', input.decision ?? 'approve']];
    if (input.state !== undefined) fields.push(['state', input.state]);
    if (input.seller) fields.push(['open_id', input.seller.openId]);
    for (const scope of input.scopes ?? sim().settings().appScopes) fields.push(['scope', scope]);
    const response = await browser.postForm('/simulator/open/authorize', fields);
    expect(response.status).toBe(302);
    const callback = location(response);
    expect(`${callback.origin}${callback.pathname}`).toBe(`${service.url}/oauth/tiktok/callback`);
    return callback;
  }

  /** The whole flow for one seller; answers the callback URL (for replays) and its response. */
  async function connect(browser: CookieBrowser, connectUrl: string, seller: SimulatedSeller, scopes?: string[]) {
    const state = await startAuthorize(browser, connectUrl);
    const callbackUrl = await decide(browser, { state, seller, ...(scopes ? { scopes } : {}) });
    const response = await browser.request(callbackUrl.href);
    return { callbackUrl, response };
  }

  async function stored() {
    const [row] = await service.db.sql.query<{ connections: number; shops: number; outbox: number }>(
      `SELECT (SELECT count(*)::int FROM connections) AS connections, (SELECT count(*)::int FROM shops) AS shops,
              (SELECT count(*)::int FROM outbox_events) AS outbox`,
    );
    return row!;
  }

  /** The id of the last audit row so far: later rows belong to what the test does next. */
  async function auditMark(): Promise<number> {
    await service.audit.flush();
    const [row] = await service.db.sql.query<{ id: number }>('SELECT coalesce(max(id), 0)::int AS id FROM audit_events');
    return row!.id;
  }

  async function auditRows(after: number) {
    await service.audit.flush();
    return service.db.sql.query<{ actor_type: string; action: string; outcome: string; connection_id: string | null; detail: Record<string, unknown> | null }>(
      'SELECT actor_type, action, outcome, connection_id, detail FROM audit_events WHERE id > $1 ORDER BY id',
      [after],
    );
  }

  async function expectErrorPage(response: Response, status: number, code: ErrorCode, message: string) {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-language')).toBe('en');
    const body = await response.text();
    const en = translator('en');
    // What happened, what to do (in the merchant's words), one next step; the service's message only for support.
    expect(textOf(/<main id="main">([\s\S]*)<\/main>/.exec(body)![1]!)).toBe(
      `${en.t(`error.${code}.title` as MessageKey)} ${en.t(`error.${code}.action` as MessageKey, { app: 'TikTok Shop Connect' })} ` +
        `Go to the start page Reference ${code} · ${response.headers.get('x-request-id')} Details for support ${message}`,
    );
    expect(body).toContain('<a class="button" href="/">Go to the start page</a>');
  }

  describe('connecting a cross-border seller', () => {
    let connectionId: string;
    let replay: URL;
    let browser: CookieBrowser;
    let since: number;

    beforeAll(async () => {
      since = await auditMark();
      browser = new CookieBrowser(service);
      const session = await service.connections.createConnectSession({ merchantRef: 'merchant-cb' });
      expect(session.url).toMatch(new RegExp(`^${service.url}/connect/[A-Za-z0-9_-]{43}$`));
      expect(session.expiresAt).toStrictEqual(new Date('2026-11-23T10:30:00.000Z'));
      const { callbackUrl, response } = await connect(browser, session.url, sim().builtInSellers.crossBorder);
      replay = callbackUrl;
      expect(response.status).toBe(303);
      const target = location(response).pathname;
      expect(target).toMatch(/^\/merchant\/connections\/[0-9a-f-]{36}$/);
      connectionId = target.split('/').pop()!;
    });

    it('stores one connection with the seller, both absolute expiries and the refresh due time', async () => {
      const [row] = await service.db.sql.query(
        `SELECT open_id, user_type, seller_name, seller_base_region, merchant_ref, status, granted_scopes, token_version,
                access_token_expires_at, refresh_token_expires_at, refresh_due_at, encryption_key_id
           FROM connections WHERE id = $1`,
        [connectionId],
      );
      const dueAt = (row as { refresh_due_at: Date }).refresh_due_at;
      expect(row).toStrictEqual({
        open_id: sim().builtInSellers.crossBorder.openId,
        user_type: 0,
        seller_name: 'Demo Cross-Border Seller',
        seller_base_region: 'CN',
        merchant_ref: 'merchant-cb',
        status: 'active',
        granted_scopes: [...sim().settings().appScopes],
        token_version: 1,
        access_token_expires_at: new Date('2026-11-30T10:00:00.000Z'),
        refresh_token_expires_at: new Date('2027-11-23T10:00:00.000Z'), // the simulator's refresh tokens live a year, like TikTok's (#11)
        refresh_due_at: dueAt,
        encryption_key_id: 'k1',
      });
      expect(dueAt.getTime()).toBeGreaterThan(new Date('2026-11-29T00:00:00.000Z').getTime());
      expect(dueAt.getTime()).toBeLessThanOrEqual(new Date('2026-11-30T09:00:00.000Z').getTime());
    });

    it('stores every shop of the authorization with its cipher', async () => {
      const shops = await service.db.sql.query('SELECT id, cipher, code, name, region, seller_type, removed_at FROM shops WHERE connection_id = $1 ORDER BY region', [connectionId]);
      const expected = sim().builtInSellers.crossBorder.shops
        .map((shop) => ({ id: shop.id, cipher: shop.cipher, code: shop.code, name: shop.name, region: shop.region, seller_type: 'CROSS_BORDER', removed_at: null }))
        .sort((a, b) => a.region.localeCompare(b.region));
      expect(shops).toStrictEqual(expected);
      expect(shops).toHaveLength(3);
    });

    it('writes connection.created to the outbox', async () => {
      const rows = await service.db.sql.query('SELECT type, payload FROM outbox_events WHERE connection_id = $1', [connectionId]);
      expect(rows).toStrictEqual([
        {
          type: 'connection.created',
          payload: {
            connectionId,
            openId: expect.any(String),
            status: 'active',
            sellerName: 'Demo Cross-Border Seller',
            merchantRef: 'merchant-cb',
            occurredAt: expect.any(String),
            shopIds: sim().builtInSellers.crossBorder.shops.map((shop) => shop.id),
            removedShopIds: [],
            grantedScopes: [...sim().settings().appScopes],
          },
        },
      ]);
    });

    it('audits the session opened, the authorize start and the connection created', async () => {
      const rows = await auditRows(since);
      expect(rows.map((row) => [row.actor_type, row.action, row.outcome])).toStrictEqual([
        ['merchant', 'connect_session.created', 'success'],
        ['merchant', 'connect_session.opened', 'success'],
        ['merchant', 'connect.authorize_started', 'success'],
        ['merchant', 'connection.created', 'success'],
      ]);
      expect(rows[3]!.connection_id).toBe(connectionId);
      expect(JSON.stringify(rows)).not.toMatch(/ROW_|state|code=/);
    });

    it('shows the status page with the seller, its shops and when access ends', async () => {
      const response = await browser.request(`/merchant/connections/${connectionId}`);
      expect(response.status).toBe(200);
      const body = await response.text();
      expect(textOf(sectionOf(body, 'status-heading'))).toBe(
        'TikTok Shop Connect is connected to your shops Everything works. There is nothing to do. ' +
          `Status: Connected · TikTok Shop account: Demo Cross-Border Seller Access lasts until 23 November 2027. Details for support Connection ${connectionId}`,
      );
      expect(body).toContain('<time datetime="2027-11-23T10:00:00.000Z">23 November 2027</time>');
      for (const shop of sim().builtInSellers.crossBorder.shops) expect(body).toContain(`<tr><td>${shop.name}</td><td>${shop.region}</td></tr>`);
      expect(body).not.toContain('problems-heading');
      expect(body).not.toMatch(/ROW_/);
    });

    it('refuses a replayed callback (the same state and code) and stores nothing more', async () => {
      const before = await stored();
      const since2 = await auditMark();
      const response = await browser.request(replay.href);
      await expectErrorPage(response, 400, 'oauth_state_reused', 'This sign-in was already completed; it cannot be used twice.');
      expect(await stored()).toStrictEqual(before);
      expect((await auditRows(since2)).map((row) => [row.action, row.outcome, row.detail])).toStrictEqual([
        ['connect.callback_refused', 'denied', { reason: 'oauth_state_reused' }],
      ]);
    });

    it('refuses the used connect link with 410 connect_session_used', async () => {
      // The link of this flow is gone with the browser; make and use another, then open it again.
      const session = await service.connections.createConnectSession({ merchantRef: 'merchant-cb' });
      const { response } = await connect(new CookieBrowser(service), session.url, sim().builtInSellers.crossBorder);
      expect(response.status).toBe(303);
      await expectErrorPage(await browser.request(new URL(session.url).pathname), 410, 'connect_session_used', 'This connect link was already used.');
      expect((await stored()).connections).toBe(1);
    });
  });

  describe('with a returnUrl on the allow-list', () => {
    it('redirects back to it with connectionId and outcome', async () => {
      const browser = new CookieBrowser(service);
      const seller = sim().addSeller({ name: 'Return Seller', shops: [{ region: 'US', name: 'Return Shop' }] });
      const session = await service.connections.createConnectSession({ merchantRef: 'merchant-rt', returnUrl: `${allowedOrigin}/done?x=1` });
      const { response } = await connect(browser, session.url, seller);
      expect(response.status).toBe(303);
      const [row] = await service.db.sql.query<{ id: string }>('SELECT id FROM connections WHERE open_id = $1', [seller.openId]);
      expect(response.headers.get('location')).toBe(`${allowedOrigin}/done?x=1&connectionId=${row!.id}&outcome=created`);
      expect(row!.id).toMatch(uuid);
    });
  });

  describe('a returnUrl not on the allow-list', () => {
    it.each([
      ['https://evil.example/steal', 'returnUrl origin https://evil.example is not on the allow-list (RETURN_URL_ALLOWLIST).'],
      ['https://app.example.com.evil.example/', 'returnUrl origin https://app.example.com.evil.example is not on the allow-list (RETURN_URL_ALLOWLIST).'],
      ['javascript:alert(1)', 'returnUrl must be an http or https URL.'],
      ['//evil.example/', 'returnUrl is not an absolute URL.'],
    ])('refuses %s (no open redirect)', async (returnUrl, message) => {
      const before = await service.db.sql.query('SELECT count(*)::int AS n FROM connect_sessions');
      await expect(service.connections.createConnectSession({ merchantRef: 'm', returnUrl })).rejects.toMatchObject({
        code: 'return_url_not_allowed',
        message,
      });
      expect(await service.db.sql.query('SELECT count(*)::int AS n FROM connect_sessions')).toStrictEqual(before);
    });
  });

  describe('callback refusals', () => {
    it('refuses a forged state with oauth_state_invalid, an audit row and nothing stored', async () => {
      const browser = new CookieBrowser(service);
      const session = await service.connections.createConnectSession({ merchantRef: 'forged' });
      await startAuthorize(browser, session.url);
      const callback = await decide(browser, { state: 'forged-state-value-that-was-never-issued', seller: sim().builtInSellers.local });
      const before = await stored();
      const since = await auditMark();
      await expectErrorPage(await browser.request(callback.href), 400, 'oauth_state_invalid', 'The sign-in came back with a state this service did not issue.');
      expect(await stored()).toStrictEqual(before);
      expect((await auditRows(since)).map((row) => [row.action, row.outcome, row.detail])).toStrictEqual([
        ['connect.callback_refused', 'denied', { reason: 'oauth_state_invalid' }],
      ]);
    });

    it('refuses a callback without state with oauth_state_invalid', async () => {
      const browser = new CookieBrowser(service);
      const callback = await decide(browser, { seller: sim().builtInSellers.local });
      const before = await stored();
      await expectErrorPage(await browser.request(callback.href), 400, 'oauth_state_invalid', 'The sign-in came back without a valid state.');
      expect(await stored()).toStrictEqual(before);
    });

    it('refuses a state older than OAUTH_STATE_TTL_SECONDS (an hour) with oauth_state_expired', async () => {
      const browser = new CookieBrowser(service);
      const session = await service.connections.createConnectSession({ merchantRef: 'slow' });
      const state = await startAuthorize(browser, session.url);
      clock.advanceSeconds(60 * 60 + 1);
      const callback = await decide(browser, { state, seller: sim().builtInSellers.local });
      const before = await stored();
      const since = await auditMark();
      await expectErrorPage(await browser.request(callback.href), 400, 'oauth_state_expired', 'The sign-in took longer than 1 hour, so it was not accepted. Start again from the link you were given.');
      expect(await stored()).toStrictEqual(before);
      expect((await auditRows(since)).map((row) => [row.action, row.detail])).toStrictEqual([
        ['connect.callback_refused', { reason: 'oauth_state_expired' }],
      ]);
    });

    it('refuses a callback from another browser (no cookie, or another cookie) without burning the state', async () => {
      const started = new CookieBrowser(service);
      const session = await service.connections.createConnectSession({ merchantRef: 'two-browsers' });
      const state = await startAuthorize(started, session.url);
      const callback = await decide(started, { state, seller: sim().builtInSellers.local });
      const before = await stored();
      const since = await auditMark();

      const noCookie = new CookieBrowser(service);
      await expectErrorPage(await noCookie.request(callback.href), 400, 'oauth_browser_mismatch', 'This sign-in was started in another browser.');
      const other = new CookieBrowser(service);
      await startAuthorize(other, (await service.connections.createConnectSession({ merchantRef: 'other' })).url);
      await expectErrorPage(await other.request(callback.href), 400, 'oauth_browser_mismatch', 'This sign-in was started in another browser.');
      expect(await stored()).toStrictEqual(before);
      expect((await auditRows(since)).filter((row) => row.action === 'connect.callback_refused').map((row) => row.detail)).toStrictEqual([
        { reason: 'oauth_browser_mismatch' },
        { reason: 'oauth_browser_mismatch' },
      ]);

      const response = await started.request(callback.href);
      expect(response.status).toBe(303);
    });

    it('shows authorization_denied when the seller denies, audits it and stores nothing', async () => {
      const browser = new CookieBrowser(service);
      const session = await service.connections.createConnectSession({ merchantRef: 'denier' });
      const state = await startAuthorize(browser, session.url);
      const callback = await decide(browser, { state, decision: 'deny' });
      expect(callback.searchParams.get('error')).toBe('access_denied');
      const before = await stored();
      const since = await auditMark();
      await expectErrorPage(await browser.request(callback.href), 400, 'authorization_denied', 'The access was not approved on TikTok Shop, so nothing was connected.');
      expect(await stored()).toStrictEqual(before);
      expect((await auditRows(since)).map((row) => [row.action, row.outcome, row.detail?.tiktokError])).toStrictEqual([
        ['connect.authorization_denied', 'denied', 'access_denied'],
      ]);
    });
  });

  describe('GET / in development', () => {
    it('explains the service, offers a demo connect button and links admin and health', async () => {
      const browser = new CookieBrowser(service);
      const body = await (await browser.request('/')).text();
      expect(body).toContain('<h1 id="home-heading">TikTok Shop Connect</h1>');
      expect(body).toContain('<form method="post" action="/demo/connect">\n    <button type="submit">Connect a demo shop</button>');
      expect(body).toContain('<li><a href="/admin/overview">Admin console</a>');
      expect(body).toContain('<li><a href="/healthz">/healthz</a>');
      const started = await browser.postForm('/demo/connect');
      expect(started.status).toBe(303);
      const page = await (await browser.request(location(started).pathname)).text();
      expect(textOf(page)).toContain('Your reference with TikTok Shop Connect: demo-merchant.');
    });
  });

  describe('connect links', () => {
    it('answers an unknown link with 404 connect_session_not_found', async () => {
      const browser = new CookieBrowser(service);
      await expectErrorPage(await browser.request('/connect/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 404, 'connect_session_not_found', 'This connect link is not valid.');
    });

    it('answers an expired link with 410 connect_session_expired', async () => {
      const session = await service.connections.createConnectSession({ merchantRef: 'late' });
      clock.advanceSeconds(30 * 60);
      await expectErrorPage(await new CookieBrowser(service).request(new URL(session.url).pathname), 410, 'connect_session_expired', 'This connect link has expired.');
    });

    it('shows the app, the merchant reference and the access asked for, with a POST button', async () => {
      const session = await service.connections.createConnectSession({ merchantRef: 'shown <merchant>' });
      const path = new URL(session.url).pathname;
      const response = await new CookieBrowser(service).request(path);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = await response.text();
      expect(body).toContain('<h1 id="connect-heading">Connect your TikTok Shop to TikTok Shop Connect</h1>');
      expect(body).toContain('TikTok Shop Connect: <strong>shown &lt;merchant&gt;</strong>.');
      expect(body).toContain('<li><strong>Order Information</strong>: Read your orders.</li>');
      expect(body).toContain(`<form method="post" action="${path}/authorize">`);
      expect(body).toContain('<button type="submit">Connect with TikTok Shop</button>');
    });
  });

  describe('re-authorizing a known seller', () => {
    it('updates the same connection, marks the removed shop, resolves granted scope problems', async () => {
      const seller = sim().addSeller({ name: 'Moving Seller', shops: [{ region: 'GB', name: 'Moving GB' }, { region: 'DE', name: 'Moving DE' }] });
      const browser = new CookieBrowser(service);
      const withoutOrders = sim().settings().appScopes.filter((scope) => scope !== 'seller.order.info');
      // A seller who unticks a scope: TikTok documents per-scope opt-out for creators only, so the lax simulator.
      sim().setStrict({ allOrNothingScopes: false });
      const first = await connect(browser, (await service.connections.createConnectSession({ merchantRef: 'mover' })).url, seller, withoutOrders);
      sim().setStrict({ allOrNothingScopes: true });
      const statusPath = location(first.response).pathname;
      const connectionId = statusPath.split('/').pop()!;
      await service.connections.problems.recordScopeMissing({
        connectionId, apiPath: '/order/202309/orders/search', scopeKeys: ['seller.order.info'], tiktokCode: 105005, tiktokMessage: 'Access denied',
      });
      const statusBody = await (await browser.request(statusPath)).text();
      // The merchant unticked Order Information: they can fix it, and the page says so first, with the button.
      const heading = textOf(sectionOf(statusBody, 'status-heading'));
      expect(heading).toMatch(/^Re-authorize and keep Order Information ticked Most things work, but TikTok Shop Connect needs something from you\. See below\. Re-authorize on TikTok Shop Status: Connected/);
      expect(textOf(sectionOf(statusBody, 'problems-heading'))).toBe(
        'What needs your attention Re-authorize and keep Order Information ticked ' +
          'TikTok Shop Connect needs Order Information, but it was not ticked when you approved on TikTok Shop. ' +
          'Details for support API /order/202309/orders/search TikTok Shop code 105005: Access denied',
      );
      expect(textOf(sectionOf(statusBody, 'permissions-heading'))).not.toContain('Order Information');

      const removed = seller.shops.pop()!;
      const reauth = await browser.postForm(`${statusPath}/reauthorize`);
      expect(reauth.status).toBe(303);
      const connectPath = location(reauth).pathname;
      const page = await (await browser.request(connectPath)).text();
      expect(page).toContain('<h1 id="connect-heading">Re-authorize TikTok Shop Connect on TikTok Shop</h1>');
      const second = await connect(browser, `${service.url}${connectPath}`, seller);
      expect(location(second.response).pathname).toBe(statusPath);

      const connections = await service.db.sql.query('SELECT id, token_version, status, granted_scopes FROM connections WHERE open_id = $1', [seller.openId]);
      expect(connections).toStrictEqual([{ id: connectionId, token_version: 2, status: 'active', granted_scopes: [...sim().settings().appScopes] }]);
      const shops = await service.db.sql.query<{ id: string; removed: boolean }>(
        'SELECT id, removed_at IS NOT NULL AS removed FROM shops WHERE connection_id = $1 ORDER BY removed, id',
        [connectionId],
      );
      expect(shops).toStrictEqual([{ id: seller.shops[0]!.id, removed: false }, { id: removed.id, removed: true }]);
      expect(await service.connections.problems.listOpen(connectionId)).toStrictEqual([]);
      const outbox = await service.db.sql.query<{ type: string; payload: { removedShopIds: string[] } }>(
        'SELECT type, payload FROM outbox_events WHERE connection_id = $1 ORDER BY id',
        [connectionId],
      );
      // The seeded problem was announced when it opened and is announced resolved by the re-authorization.
      expect(outbox.map((row) => [row.type, row.payload.removedShopIds])).toStrictEqual([
        ['connection.created', []],
        ['connection.scope_problem', undefined],
        ['connection.reauthorized', [removed.id]],
        ['connection.problem_resolved', undefined],
      ]);
      const after = await (await browser.request(statusPath)).text();
      expect(after).not.toContain('problems-heading');
      expect(after).toContain(`<h3>No longer connected</h3>\n  <ul><li>Moving DE (DE)</li></ul>`);
    });
  });

  describe('one browser connecting two sellers (regression: the cookie never reached the callback)', () => {
    it('keeps both connections reachable from that browser', async () => {
      const browser = new CookieBrowser(service);
      const first = await connectThroughSimulator(service, { openId: sim().addSeller({ name: 'First Seller' }).openId }, browser);
      const second = await connectThroughSimulator(service, { openId: sim().addSeller({ name: 'Second Seller' }).openId }, browser);
      const pages = await Promise.all([first, second].map((id) => browser.request(`/merchant/connections/${id}`)));
      expect(pages.map((page) => page.status)).toStrictEqual([200, 200]);
      expect(await pages[0]!.text()).toContain('First Seller');
      expect(await pages[1]!.text()).toContain('Second Seller');
    });
  });

  describe('re-authorizing a suspended connection (regression: it lifted the suspension)', () => {
    it('stores the new tokens but keeps the connection suspended with its reason', async () => {
      const seller = sim().addSeller({ name: 'Suspended Seller' });
      const connectionId = await connectThroughSimulator(service, { openId: seller.openId });
      await service.db.sql.query(`UPDATE connections SET status = 'suspended', status_reason = 'Fraud review' WHERE id = $1`, [connectionId]);
      const [before] = await service.db.sql.query<{ token_version: number }>('SELECT token_version FROM connections WHERE id = $1', [connectionId]);
      expect(await connectThroughSimulator(service, { openId: seller.openId })).toBe(connectionId);
      const [after] = await service.db.sql.query<{ status: string; status_reason: string; token_version: number }>(
        'SELECT status, status_reason, token_version FROM connections WHERE id = $1',
        [connectionId],
      );
      expect(after).toStrictEqual({ status: 'suspended', status_reason: 'Fraud review', token_version: before!.token_version + 1 });
    });
  });

  describe('input with NUL characters (regression: it blocked the audit trail)', () => {
    it('refuses a callback whose error text holds U+0000, and the audit trail keeps being written', async () => {
      const response = await new CookieBrowser(service).request('/oauth/tiktok/callback?error=%00&state=x');
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('text must not contain NUL (U+0000) characters');
      service.audit.record({ actorType: 'system', action: 'test.after_nul', outcome: 'success' });
      await service.audit.flush();
      const rows = await service.db.sql.query("SELECT 1 FROM audit_events WHERE action = 'test.after_nul'");
      expect(rows).toHaveLength(1);
    });
  });

  describe('GET /merchant/connections/:id access', () => {
    let connectionId: string;
    beforeAll(async () => {
      const [row] = await service.db.sql.query<{ id: string }>('SELECT id FROM connections ORDER BY created_at LIMIT 1');
      connectionId = row!.id;
    });

    it('answers 403 merchant_link_invalid without a cookie or a link', async () => {
      await expectErrorPage(await new CookieBrowser(service).request(`/merchant/connections/${connectionId}`), 403, 'merchant_link_invalid', 'This status link is not valid or has expired.');
    });

    it('opens with a signed status link, and refuses it once expired or for another connection', async () => {
      const link = await service.connections.merchantStatusLink(connectionId, 3600);
      expect(link).toMatch(new RegExp(`^${service.url}/merchant/connections/${connectionId}\\?sig=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
      const path = link.slice(service.url.length);
      expect((await new CookieBrowser(service).request(path)).status).toBe(200);
      const other = path.replace(connectionId, '00000000-0000-4000-8000-000000000000');
      await expectErrorPage(await new CookieBrowser(service).request(other), 403, 'merchant_link_invalid', 'This status link is not valid or has expired.');
      clock.advanceSeconds(3601);
      await expectErrorPage(await new CookieBrowser(service).request(path), 403, 'merchant_link_invalid', 'This status link is not valid or has expired.');
    });
  });
});
