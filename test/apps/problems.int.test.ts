import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../support/clock.js';
import { startTestService, type TestService } from '../support/service.js';
import { scriptedTikTok, tiktokSays } from './scripted-tiktok.js';
import { connectSeller, createClient, withKey } from './support.js';

const scopeMissingHint =
  'The app developer must enable the API package for this scope in TikTok Partner Center (Manage API); then the merchant must re-authorize the app so the new scope is granted.';

/** Problems open when TikTok says 105005, count repeats on one problem, and always have a way to close. */
describe('scope problems (TikTok 105005) that must close', () => {
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let connectionId: string;
  let shopId: string;
  const clock = new FakeClock();
  const tiktok = scriptedTikTok();

  const sim = () => service.simulator!.control;
  const connect = async () => {
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'problems-merchant' }) });
    return connectSeller(service, ((await created.json()) as { url: string }).url, sim().builtInSellers.local);
  };
  const openProblems = async () => ((await (await call(`/v1/connections/${connectionId}`)).json()) as { problems: Record<string, unknown>[] }).problems;
  const resolutions = () =>
    service.db.sql.query<{ api_path: string; resolution: string | null; occurrences: number }>(
      'SELECT api_path, resolution, occurrences FROM problems WHERE connection_id = $1 ORDER BY first_seen_at',
      [connectionId],
    );

  beforeAll(async () => {
    service = await startTestService({ REFRESH_SWEEP_INTERVAL_SECONDS: '3600' }, { clock, fetch: tiktok.fetch });
    call = withKey(service, (await createClient(service, { name: 'catalog app' })).key);
    connectionId = await connect();
    shopId = sim().builtInSellers.local.shops[0]!.id;
  });
  afterAll(async () => {
    await service?.stop();
  });

  describe('a permission problem met while refreshing the token', () => {
    it('is shown on the connection, with no scope named', async () => {
      const [row] = await service.db.sql.query<{ refresh_due_at: Date }>('SELECT refresh_due_at FROM connections WHERE id = $1', [connectionId]);
      clock.set(row!.refresh_due_at);
      const denied = tiktok.answer(/^\/api\/v2\/token\/refresh$/, tiktokSays.scopeDenied);
      // The token is due but valid: it is handed out, and the refresh behind it is denied.
      expect((await call(`/v1/shops/${shopId}/token`)).status).toBe(200);
      await vi.waitFor(async () => expect(await openProblems()).toHaveLength(1), { timeout: 10_000, interval: 50 });
      expect(denied.calls()).toBe(1);
      expect(await openProblems()).toStrictEqual([
        {
          kind: 'scope_missing',
          apiPath: '/api/v2/token/refresh',
          scopeKeys: [],
          scopeNames: [],
          message: 'The app is not allowed to call /api/v2/token/refresh.',
          remedy: 'The app developer enables the API package for this scope in TikTok Partner Center (Manage API); then the merchant re-authorizes the app.',
          tiktok: { code: 105005, message: expect.stringContaining('Access denied') },
          occurrences: 1,
          firstSeenAt: clock.now().toISOString(),
          lastSeenAt: clock.now().toISOString(),
        },
      ]);
    });

    it('closes when a later refresh succeeds', async () => {
      clock.advanceSeconds(3601);
      const refreshesBefore = sim().counters().refreshes.total;
      expect((await call(`/v1/shops/${shopId}/token`)).status).toBe(200);
      await vi.waitFor(async () => expect(await openProblems()).toStrictEqual([]), { timeout: 10_000, interval: 50 });
      expect(sim().counters().refreshes.total).toBe(refreshesBefore + 1);
      expect(await resolutions()).toStrictEqual([{ api_path: '/api/v2/token/refresh', resolution: 'refresh_succeeded', occurrences: 1 }]);
    });
  });

  describe('105005 on an endpoint the scope table does not know', () => {
    const inventory = (productId: string) => `/v1/shops/${shopId}/proxy/product/202309/products/${productId}/inventory`;

    it('answers 403 scope_missing for each product', async () => {
      // Room for an early send that gets dropped: a GET may be sent with the last-read credentials first.
      tiktok.answer(/^\/product\/202309\/products\/\d+\/inventory$/, ...Array.from({ length: 6 }, () => tiktokSays.scopeDenied));
      for (const productId of ['1729382476852921560', '1729382476852921561', '1729382476852921560']) {
        const response = await call(inventory(productId));
        expect(response.status).toBe(403);
        expect(await response.json()).toMatchObject({ code: 'scope_missing', hint: scopeMissingHint, tiktok: { code: 105005 } });
      }
    });

    it('records one problem for the endpoint, counting every refusal', async () => {
      expect(await openProblems()).toMatchObject([{ kind: 'scope_missing', apiPath: '/product/202309/products/{id}/inventory', scopeKeys: [], occurrences: 3 }]);
    });

    it('closes when the merchant re-authorizes: a fresh grant supersedes a problem that names no scope', async () => {
      expect(await connect()).toBe(connectionId);
      expect(await openProblems()).toStrictEqual([]);
      expect((await resolutions()).at(-1)).toStrictEqual({ api_path: '/product/202309/products/{id}/inventory', resolution: 'reauthorized', occurrences: 3 });
    });
  });

  describe('105005 on an endpoint whose scope the grant already holds (the app lacks the package)', () => {
    const search = () => call(`/v1/shops/${shopId}/proxy/order/202309/orders/search?page_size=10`, { method: 'POST', body: '{}' });

    it('stays open across a token refresh: the refreshed grant holds that scope, as it did when TikTok refused', async () => {
      tiktok.answer(/^\/order\/202309\/orders\/search$/, tiktokSays.scopeDenied);
      expect((await search()).status).toBe(403);
      expect(await openProblems()).toMatchObject([{ apiPath: '/order/202309/orders/search', scopeKeys: ['seller.order.info'], occurrences: 1 }]);
      await service.refresher.refreshNow(connectionId);
      expect(await openProblems()).toMatchObject([{ apiPath: '/order/202309/orders/search', occurrences: 1 }]);
    });

    it('closes when a later call to the endpoint succeeds', async () => {
      expect((await search()).status).toBe(200);
      expect(await openProblems()).toStrictEqual([]);
      expect((await resolutions()).at(-1)).toStrictEqual({ api_path: '/order/202309/orders/search', resolution: 'a later call succeeded', occurrences: 1 });
    });
  });

  describe('what subscribers hear (GET /v1/events, and pushes)', () => {
    it('connection.scope_problem when a problem opened and connection.problem_resolved when it closed, not one event per refusal', async () => {
      const feed = await call('/v1/events?limit=500');
      expect(feed.status).toBe(200);
      const { events } = (await feed.json()) as { events: { type: string; connectionId: string; payload: Record<string, unknown> }[] };
      const problemEvents = events
        .filter((event) => event.connectionId === connectionId && ['connection.scope_problem', 'connection.problem_resolved'].includes(event.type))
        .map((event) => [event.type, event.payload.apiPath, event.payload.resolution ?? null]);
      expect(problemEvents).toStrictEqual([
        ['connection.scope_problem', '/api/v2/token/refresh', null],
        ['connection.problem_resolved', '/api/v2/token/refresh', 'refresh_succeeded'],
        ['connection.scope_problem', '/product/202309/products/{id}/inventory', null],
        ['connection.problem_resolved', '/product/202309/products/{id}/inventory', 'reauthorized'],
        ['connection.scope_problem', '/order/202309/orders/search', null],
        ['connection.problem_resolved', '/order/202309/orders/search', 'a later call succeeded'],
      ]);
      expect(events.find((event) => event.type === 'connection.scope_problem' && event.payload.apiPath === '/order/202309/orders/search')!.payload).toMatchObject({
        connectionId, merchantRef: 'problems-merchant', status: 'active', kind: 'scope_missing', scopeKeys: ['seller.order.info'], tiktokCode: 105005,
      });
    });
  });
});
