import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { defaultAppScopes } from '../../src/simulator/index.js';
import { CookieBrowser, location } from '../connections/browser.js';
import { FakeClock } from '../support/clock.js';
import { createEmptyPostgresDatabase, testBackend, type TestDatabase } from '../support/database.js';
import { formWithButton, sectionOf, submission, textOf } from '../support/html.js';
import { startTestService, type TestService } from '../support/service.js';
import { withKey } from './support.js';

const run = promisify(execFile);

const finance = 'seller.finance.info';
const statements = '/finance/202309/statements';
/** What TikTok (the simulator, like TikTok) says with 105005. */
const tiktokSays = 'Access denied. The app or the access token lacks the required access scope; you should apply auth pkg for this api';
const partnerCenterHint =
  'The app developer must enable the API package for this scope in TikTok Partner Center (Manage API); then the merchant must re-authorize the app so the new scope is granted.';

/**
 * The operator's first step, as the README documents it: `npm run cli -- api-clients create` on the
 * service's database while the service is stopped (PGlite allows one process). Answers that
 * database, ready for the service, and what the CLI printed.
 */
async function databaseWithApiClientFromCli(name: string): Promise<{ db: TestDatabase; created: Record<string, unknown> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tsc-journey-'));
  const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir } as Record<string, string>;
  delete env.DATABASE_URL;
  let dropPostgres: (() => Promise<void>) | undefined;
  if (testBackend === 'postgres') {
    const empty = await createEmptyPostgresDatabase();
    env.DATABASE_URL = empty.url;
    dropPostgres = empty.drop;
  }
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'api-clients', 'create', '--name', name, '--json'], { env, timeout: 90_000 });
  const db = await openDatabase(env.DATABASE_URL ? { kind: 'postgres', url: env.DATABASE_URL, poolSize: 5 } : { kind: 'pglite', dataDir: join(dataDir, 'pglite') });
  return {
    created: JSON.parse(stdout) as Record<string, unknown>,
    db: {
      ...db,
      close: async () => {
        await db.close();
        await dropPostgres?.();
        rmSync(dataDir, { recursive: true, force: true });
      },
    },
  };
}

/**
 * Issue #6, end to end, the way the people involved do it: API client → connect session → the
 * merchant connects on the simulator → token → a signed proxy call the simulator's signature check
 * accepts → a path TikTok answers with 105005 → the problem visible through /v1/connections/:id and
 * on the merchant page → re-authorize with the scope granted → the problem closed.
 *
 * The 105005 has to come from TikTok, not from the service's own check (which refuses without calling
 * TikTok when the grant lacks an endpoint's documented scope). So the merchant grants Finance
 * Information while the app's Finance package is enabled, and then TikTok stops allowing the package
 * for the app: the grant still lists the scope, TikTok refuses the call. The fix is the one the hint
 * gives: the developer enables the package in Partner Center, then the merchant re-authorizes.
 */
describe('issue #6: a 105005 from TikTok, shown to the app and the merchant, closed by re-authorizing', () => {
  const clock = new FakeClock('2026-11-23T10:00:00.000Z');
  let service: TestService;
  let created: Record<string, unknown>;
  let api: ReturnType<typeof withKey>;
  let merchant: CookieBrowser;
  let connectionId: string;
  let connectUrl: string;
  let statusPageUrl: string;
  let firstSeenAt: string;
  let lastSeenAt: string;

  const sim = () => service.simulator!.control;
  const seller = () => sim().builtInSellers.local;
  const shopId = () => seller().shops[0]!.id;
  const proxyStatements = () => api(`/v1/shops/${shopId()}/proxy${statements}?page_size=20`);

  beforeAll(async () => {
    let db: TestDatabase;
    ({ db, created } = await databaseWithApiClientFromCli('orders app'));
    // The developer's app has the Finance package enabled in Partner Center when the merchant connects.
    service = await startTestService({}, { db, clock, simulator: { appScopes: [...defaultAppScopes, finance] } });
    api = withKey(service, created.key as string);
  }, 120_000);
  afterAll(async () => {
    await service?.stop();
  });

  it('1. the operator creates an API client with the CLI: every scope, the key printed once', () => {
    expect(created).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      key: expect.stringMatching(/^tsc_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/),
      name: 'orders app',
      scopes: ['connect', 'connections:read', 'tokens:read', 'sign', 'proxy', 'webhooks:manage'],
      shopIds: [],
      revokedAt: null,
    });
  });

  it('2. the app asks for a connect session: POST /v1/connect-sessions', async () => {
    const response = await api('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'merchant-6' }) });
    expect(response.status).toBe(201);
    const session = (await response.json()) as { id: string; url: string; expiresAt: string; app: string | null };
    expect(session).toStrictEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      url: expect.stringMatching(new RegExp(`^${service.url}/connect/[A-Za-z0-9_-]{43}$`)),
      expiresAt: '2026-11-23T10:30:00.000Z',
      // One TikTok Shop app configured: the session is for it.
      app: 'default',
    });
    connectUrl = session.url;
  });

  it('3. the merchant opens the link and approves the app on the simulator, Finance Information included', async () => {
    merchant = new CookieBrowser(service);
    const page = await merchant.request(connectUrl);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(textOf(sectionOf(html, 'connect-heading'))).toMatch(/^Connect your TikTok Shop to TikTok Shop Connect Approve TikTok Shop Connect on TikTok Shop /);
    expect(textOf(sectionOf(html, 'access-heading'))).toContain('Your reference with TikTok Shop Connect: merchant-6.');
    // The company's app (APP_DISPLAY_NAME), never the internal API client's name.
    expect(html).not.toContain('orders app');
    const connect = formWithButton(html, 'Connect with TikTok Shop');
    expect(connect.method).toBe('post');

    const toTikTok = await merchant.postForm(connect.action, submission(connect, 'Connect with TikTok Shop'));
    expect(toTikTok.status).toBe(303);
    expect(location(toTikTok).pathname).toBe('/simulator/open/authorize');
    const authorize = await merchant.request(`${location(toTikTok).pathname}${location(toTikTok).search}`);
    expect(authorize.status).toBe(200);
    const authorizeHtml = await authorize.text();
    const approve = formWithButton(authorizeHtml, 'Approve');
    // Sellers approve the app's whole scope list or nothing (issue #11 item 10): listed, no checkbox to untick.
    expect(approve.controls.some((c) => c.type === 'checkbox')).toBe(false);
    expect(textOf(sectionOf(authorizeHtml, 'permissions'))).toContain(`Finance Information ${finance}`);
    for (const scope of defaultAppScopes) expect(authorizeHtml).toContain(`<code>${scope}</code>`);

    const back = await merchant.postForm(approve.action, submission(approve, 'Approve', { choose: { open_id: seller().openId } }));
    expect(back.status).toBe(302);
    expect(`${location(back).origin}${location(back).pathname}`).toBe(`${service.url}/oauth/tiktok/callback`);
    const done = await merchant.request(location(back).href);
    expect(done.status).toBe(303);
    expect(location(done).pathname).toMatch(/^\/merchant\/connections\/[0-9a-f-]{36}$/);
    connectionId = location(done).pathname.split('/').pop()!;
  });

  it('4. the app gets the shop\'s access token, the one the simulator issued', async () => {
    const response = await api(`/v1/shops/${shopId()}/token`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toStrictEqual({
      shopId: shopId(),
      shopCipher: seller().shops[0]!.cipher,
      accessToken: expect.stringMatching(/^ROW_/),
      expiresAt: '2026-11-30T10:00:00.000Z',
      grantedScopes: [...defaultAppScopes, finance],
    });
    const issued = service.simulator!.state.accessTokens.get(body.accessToken as string)!;
    expect(service.simulator!.state.grants.get(issued.grantId)!.openId).toBe(seller().openId);
  });

  it('5. a signed proxy call passes the simulator\'s signature check', async () => {
    sim().resetCounters();
    const response = await api(`/v1/shops/${shopId()}/proxy/order/202309/orders/search?page_size=10`, { method: 'POST', body: '{"order_status":"UNPAID"}' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { code: number; message: string; request_id: string; data: { orders: unknown[] } };
    expect(body).toMatchObject({ code: 0, message: 'Success' });
    expect(response.headers.get('x-tiktok-request-id')).toBe(body.request_id);
    expect(sim().counters()).toMatchObject({ badSignatures: 0, scopeDenied: 0, apiCalls: { total: 1, byPath: { '/order/202309/orders/search': 1 } } });
  });

  it('6. TikTok answers 105005 for the finance statements: 403 scope_missing with TikTok\'s code and message, and a hint to Partner Center and re-authorization', async () => {
    // TikTok no longer allows the Finance package for the app; the merchant's grant still lists it.
    sim().setAppScopes([...defaultAppScopes]);
    sim().resetCounters();
    firstSeenAt = clock.now().toISOString();
    const response = await proxyStatements();
    expect(response.status).toBe(403);
    expect(await response.json()).toStrictEqual({
      success: false,
      code: 'scope_missing',
      error:
        `TikTok denied GET ${statements} for lack of an API scope (105005 "${tiktokSays}"). It needs one of: Finance Information. ` +
        'The app developer must enable the API package (scope) in Partner Center > Manage API; then the merchant re-authorizes so the new scope is granted.',
      hint: partnerCenterHint,
      requestId: response.headers.get('x-request-id'),
      tiktok: { code: 105005, message: tiktokSays, requestId: expect.any(String) },
    });
    // TikTok was called, with a signature it accepted, and refused for the scope.
    expect(sim().counters()).toMatchObject({ badSignatures: 0, scopeDenied: 1, apiCalls: { total: 1, byPath: { [statements]: 1 } } });

    clock.advanceSeconds(300);
    lastSeenAt = clock.now().toISOString();
    const again = await proxyStatements();
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({ code: 'scope_missing', tiktok: { code: 105005, message: tiktokSays } });
    expect(sim().counters()).toMatchObject({ badSignatures: 0, scopeDenied: 2 });
  });

  it('7. GET /v1/connections/:id shows the open problem: path, likely scope, TikTok\'s code and message, count, first and last seen', async () => {
    const response = await api(`/v1/connections/${connectionId}`);
    expect(response.status).toBe(200);
    const connection = (await response.json()) as { status: string; problems: unknown[]; statusPageUrl: string };
    expect(connection.status).toBe('active');
    expect(connection.problems).toStrictEqual([
      {
        kind: 'scope_missing',
        apiPath: statements,
        scopeKeys: [finance],
        scopeNames: ['Finance Information'],
        message: `The app is not allowed to call ${statements} (it needs Finance Information).`,
        remedy: 'The app developer enables the API package for this scope in TikTok Partner Center (Manage API); then the merchant re-authorizes the app.',
        tiktok: { code: 105005, message: tiktokSays },
        occurrences: 2,
        firstSeenAt,
        lastSeenAt,
      },
    ]);
    expect(connection.statusPageUrl).toMatch(new RegExp(`^${service.url}/merchant/connections/${connectionId}\\?sig=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
    statusPageUrl = connection.statusPageUrl;
  });

  it('8. the merchant page (statusPageUrl) says what is wrong in plain words, what to do, and offers a Re-authorize button', async () => {
    // The app sends the link to the merchant, who opens it on another device: no cookie, only the link.
    merchant = new CookieBrowser(service);
    const response = await merchant.request(statusPageUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    // The app lacks the package: nothing for the merchant to do; TikTok's code only in the details.
    expect(textOf(sectionOf(html, 'status-heading'))).toMatch(
      /^TikTok Shop Connect is connected to your shops Your shops are connected\. One thing does not work yet: we are fixing it on our side, and there is nothing for you to do\. Status: Connected · TikTok Shop account: Demo Local Seller /,
    );
    expect(textOf(sectionOf(html, 'problems-heading'))).toBe(
      'What needs your attention We are fixing a problem on our side ' +
        'TikTok Shop Connect cannot use Finance Information for your shops yet. This is on our side; there is nothing to do yet. ' +
        `Details for support API ${statements} TikTok Shop code 105005: ${tiktokSays}`,
    );
    const reauthorize = formWithButton(sectionOf(html, 'reauth-heading'), 'Re-authorize on TikTok Shop');
    expect(reauthorize.method).toBe('post');
    expect(reauthorize.action).toBe(`/merchant/connections/${connectionId}/reauthorize`);
    expect(submission(reauthorize, 'Re-authorize on TikTok Shop')).toStrictEqual([['sig', new URL(statusPageUrl).searchParams.get('sig')]]);
  });

  it('9. the developer enables the package; the merchant clicks Re-authorize and approves with Finance Information granted', async () => {
    sim().setAppScopes([...defaultAppScopes, finance]);
    clock.advanceSeconds(600);
    const page = await (await merchant.request(statusPageUrl)).text();
    const reauthorize = formWithButton(page, 'Re-authorize on TikTok Shop');

    const toConnect = await merchant.postForm(reauthorize.action, submission(reauthorize, 'Re-authorize on TikTok Shop'));
    expect(toConnect.status).toBe(303);
    expect(location(toConnect).pathname).toMatch(/^\/connect\/[A-Za-z0-9_-]{43}$/);
    const connectPage = await (await merchant.request(location(toConnect).pathname)).text();
    expect(textOf(sectionOf(connectPage, 'connect-heading'))).toMatch(/^Re-authorize TikTok Shop Connect on TikTok Shop /);
    const connect = formWithButton(connectPage, 'Connect with TikTok Shop');
    const toTikTok = await merchant.postForm(connect.action, submission(connect, 'Connect with TikTok Shop'));
    expect(toTikTok.status).toBe(303);
    const authorize = await merchant.request(`${location(toTikTok).pathname}${location(toTikTok).search}`);
    const authorizeHtml = await authorize.text();
    const approve = formWithButton(authorizeHtml, 'Approve');
    expect(authorizeHtml).toContain(`<code>${finance}</code>`);
    const fields = submission(approve, 'Approve', { choose: { open_id: seller().openId } });

    const back = await merchant.postForm(approve.action, fields);
    expect(back.status).toBe(302);
    const done = await merchant.request(location(back).href);
    expect(done.status).toBe(303);
    expect(location(done).pathname).toBe(`/merchant/connections/${connectionId}`);
  });

  it('10. the problem is closed: none in /v1/connections/:id, none on the merchant page, and the call succeeds', async () => {
    const connection = (await (await api(`/v1/connections/${connectionId}`)).json()) as { status: string; problems: unknown[]; grantedScopes: string[] };
    expect(connection).toMatchObject({ status: 'active', problems: [], grantedScopes: [...defaultAppScopes, finance] });
    // The API lists open problems only; the closed one stays on record with why and when it closed.
    const records = await service.db.sql.query<Record<string, unknown>>(
      'SELECT api_path, occurrences, resolved_at, resolution FROM problems WHERE connection_id = $1', [connectionId],
    );
    expect(records).toStrictEqual([{ api_path: statements, occurrences: 2, resolved_at: clock.now(), resolution: 'scope_granted' }]);

    const page = await (await merchant.request(`/merchant/connections/${connectionId}`)).text();
    expect(page).not.toContain('problems-heading');
    expect(textOf(sectionOf(await (await merchant.request(statusPageUrl)).text(), 'status-heading'))).toMatch(/^TikTok Shop Connect is connected to your shops Everything works\. /);

    sim().resetCounters();
    const response = await proxyStatements();
    expect(response.status).toBe(200);
    const body = (await response.json()) as { code: number; data: { statements: unknown[] } };
    expect(body.code).toBe(0);
    expect(Array.isArray(body.data.statements)).toBe(true);
    expect(sim().counters()).toMatchObject({ badSignatures: 0, scopeDenied: 0 });
  });
});
