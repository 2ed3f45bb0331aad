import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectionCommands } from '../../src/cli/connections.js';
import type { SimulatedSeller, SimulatedShop } from '../../src/simulator/index.js';
import { connectSeller, createClient, withKey } from '../apps/support.js';
import { CookieBrowser } from '../connections/browser.js';
import { FakeClock } from '../support/clock.js';
import { startTestService, type TestService } from '../support/service.js';

interface EventsPage {
  events: { id: string; type: string; connectionId: string; payload: Record<string, unknown> }[];
  nextCursor: string;
}

/**
 * Issue #11 item 8: shops added to or removed from an authorization after it was made are picked up
 * (after a refresh, after TikTok's 101000 for a shop, and by an operator), driven through the API
 * against the strict simulator, whose sellers change their authorized shops.
 */
describe('issue #11 item 8: shops that change after authorization', () => {
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let seller: SimulatedSeller;
  let connectionId: string;
  let kept: SimulatedShop;
  let dropped: SimulatedShop;
  let added: SimulatedShop;
  let cursor = '0';
  const clock = new FakeClock('2026-11-23T10:00:00.000Z');
  const sim = () => service.simulator!.control;

  const shopIdsInApi = async () => {
    const response = await call(`/v1/connections/${connectionId}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { shops: { id: string }[] }).shops.map((shop) => shop.id).sort();
  };
  /** The connection events since the last look. */
  const newEvents = async () => {
    const response = await call(`/v1/events?after=${cursor}`);
    const page = (await response.json()) as EventsPage;
    cursor = page.nextCursor;
    return page.events.filter((event) => event.connectionId === connectionId).map((event) => ({ type: event.type, payload: event.payload }));
  };
  const searchOrders = (shopId: string) => call(`/v1/shops/${shopId}/proxy/order/202309/orders/search?page_size=10`, { method: 'POST', body: '{}' });

  beforeAll(async () => {
    service = await startTestService({}, { clock });
    call = withKey(service, (await createClient(service, { rateLimitPerMinute: 1000 })).key);
    seller = sim().addSeller({ name: 'Changing Seller', sellerType: 'CROSS_BORDER', shops: [{ region: 'GB', name: 'Kept GB' }, { region: 'DE', name: 'Dropped DE' }] });
    [kept, dropped] = seller.shops as [SimulatedShop, SimulatedShop];
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'merchant-shops' }) });
    connectionId = await connectSeller(service, ((await created.json()) as { url: string }).url, seller);
    await newEvents();
  });
  afterAll(async () => {
    await service?.stop();
  });

  describe('a shop the seller removed from the authorization', () => {
    it('answers the call TikTok refused with 101000 with 404 shop_not_found and a hint, after fetching the shops again', async () => {
      expect(await shopIdsInApi()).toStrictEqual([kept.id, dropped.id].sort());
      sim().removeShop(seller.openId, dropped.id);
      sim().resetCounters();
      const response = await searchOrders(dropped.id);
      expect(response.status).toBe(404);
      const body = (await response.json()) as { code: string; error: string; hint: string };
      expect(body.code).toBe('shop_not_found');
      expect(body.error).toMatch(new RegExp(`^Shop ${dropped.id} is no longer authorized for this app: TikTok stopped listing it among the seller's shops on \\d{4}-`));
      expect(body.hint).toBe("The seller removed this shop from the app's authorization in TikTok Shop. To use it again, the merchant must authorize the app for it (send a connect link: POST /v1/connect-sessions).");
      expect(sim().counters().apiCalls.byPath).toStrictEqual({ '/order/202309/orders/search': 1, '/authorization/202309/shops': 1 });
    });

    it('gets no token, signature or call any more', async () => {
      for (const response of [
        await call(`/v1/shops/${dropped.id}/token`),
        await call(`/v1/shops/${dropped.id}/sign`, { method: 'POST', body: JSON.stringify({ method: 'GET', path: '/order/202309/orders', query: { ids: '1' } }) }),
        await searchOrders(dropped.id),
      ]) {
        expect(response.status).toBe(404);
        expect(await response.json()).toMatchObject({ code: 'shop_not_found', hint: expect.stringContaining('removed this shop') });
      }
    });

    it('leaves the connection’s shops in the API, and writes connection.shops_changed', async () => {
      expect(await shopIdsInApi()).toStrictEqual([kept.id]);
      expect(await newEvents()).toStrictEqual([
        {
          type: 'connection.shops_changed',
          payload: {
            connectionId, openId: seller.openId, merchantRef: 'merchant-shops', status: 'active', occurredAt: expect.any(String),
            shopIds: [kept.id], addedShopIds: [], removedShopIds: [dropped.id], trigger: 'api_call',
          },
        },
      ]);
      expect((await searchOrders(kept.id)).status).toBe(200);
    });
  });

  describe('a shop the seller added to the authorization', () => {
    it('is picked up by the next refresh: it appears in the API, gets tokens and calls, and as an event', async () => {
      added = sim().addShop(seller.openId, { region: 'FR', name: 'Added FR' });
      expect((await call(`/v1/shops/${added.id}/token`)).status).toBe(404);
      sim().expireAccessTokens(seller.openId);
      sim().resetCounters();
      // TikTok calls the token expired (105002): the proxy refreshes, and the shops are fetched after it.
      expect((await searchOrders(kept.id)).status).toBe(200);
      await vi.waitFor(async () => expect(await shopIdsInApi()).toStrictEqual([kept.id, added.id].sort()), { timeout: 5_000, interval: 50 });
      expect(sim().counters()).toMatchObject({ refreshes: { total: 1 }, apiCalls: { byPath: { '/authorization/202309/shops': 1 } } });
      expect(await newEvents()).toMatchObject([
        { type: 'connection.shops_changed', payload: { shopIds: [kept.id, added.id].sort(), addedShopIds: [added.id], removedShopIds: [], trigger: 'refresh' } },
      ]);
      const token = await call(`/v1/shops/${added.id}/token`);
      expect(token.status).toBe(200);
      expect(await token.json()).toMatchObject({ shopId: added.id, shopCipher: added.cipher });
      expect((await searchOrders(added.id)).status).toBe(200);
    });

    it('shows on the merchant page, with the removed shop under "No longer connected"', async () => {
      const link = await service.connections.merchantStatusLink(connectionId, 600);
      const page = await (await new CookieBrowser(service).request(new URL(link).pathname + new URL(link).search)).text();
      expect(page).toContain('<tr><td>Added FR</td><td>FR</td></tr>');
      expect(page).toContain('<tr><td>Kept GB</td><td>GB</td></tr>');
      expect(page).toContain('<h3>No longer connected</h3>');
      expect(page).toContain('<li>Dropped DE (DE)</li>');
    });

    it('costs one Get Authorized Shops per refresh and writes nothing when the shops did not change', async () => {
      clock.advanceSeconds(60); // past the 10 s in which a second forced refresh serves the first one's token
      sim().expireAccessTokens(seller.openId);
      sim().resetCounters();
      expect((await searchOrders(kept.id)).status).toBe(200);
      await vi.waitFor(() => expect(sim().counters().apiCalls.byPath['/authorization/202309/shops']).toBe(1), { timeout: 5_000, interval: 50 });
      await service.refresher.stop();
      expect(await newEvents()).toStrictEqual([]);
    });
  });

  describe('npm run cli -- connections sync-shops --id <id>', () => {
    const syncShops = async (id: string) => {
      const printed: unknown[] = [];
      const command = connectionCommands.find((candidate) => candidate.name === 'connections sync-shops')!;
      const run = command.prepare({ id, json: true });
      const code = await run({ out: { json: true, print: (_human, machine) => void printed.push(machine) }, db: service.db, config: service.config, core: service.core });
      return { code, printed };
    };

    it('fetches the shops again and reports what changed: a shop the seller gave back', async () => {
      sim().addShop(seller.openId, { region: 'IT', name: 'Added IT' });
      sim().removeShop(seller.openId, added.id);
      const italy = seller.shops.find((shop) => shop.region === 'IT')!;
      const { code, printed } = await syncShops(connectionId);
      expect(code).toBe(0);
      expect(printed).toStrictEqual([{ connectionId, shopIds: [kept.id, italy.id].sort(), addedShopIds: [italy.id], removedShopIds: [added.id] }]);
      expect(await shopIdsInApi()).toStrictEqual([kept.id, italy.id].sort());
      expect(await newEvents()).toMatchObject([{ type: 'connection.shops_changed', payload: { addedShopIds: [italy.id], removedShopIds: [added.id], trigger: 'operator' } }]);
      expect((await call(`/v1/shops/${added.id}/token`)).status).toBe(404);
    });

    it('reports an unchanged list without writing an event', async () => {
      const { printed } = await syncShops(connectionId);
      expect(printed).toMatchObject([{ addedShopIds: [], removedShopIds: [] }]);
      expect(await newEvents()).toStrictEqual([]);
    });

    it('answers connection_not_found for an unknown id', async () => {
      await expect(syncShops('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({ code: 'connection_not_found' });
    });
  });
});
