import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sectionOf, textOf } from '../support/html.js';
import { startTestService, type TestService } from '../support/service.js';
import { scriptedTikTok, tiktokSays } from './scripted-tiktok.js';
import { connectSeller, createClient, withKey } from './support.js';

const needsReauthHint = 'Send the merchant a new connect link (POST /v1/connect-sessions) so they re-authorize.';
const deauthorized = 'access token is invalid; detail: your token has been deauthorized';
const removedReason = `The seller removed the app in TikTok Shop (TikTok 105001 "${deauthorized}"); the merchant must re-authorize.`;
const searchOrders = '/order/202309/orders/search';

/** The grant dies while apps use it: the proxy learns it from TikTok, and the connection says so everywhere. */
describe('a grant that TikTok declares dead on a proxied call', () => {
  let service: TestService;
  let call: ReturnType<typeof withKey>;
  let clientId: string;
  let connectionId: string;
  let shopId: string;
  let proxyRequestId: string;
  const tiktok = scriptedTikTok();

  const sim = () => service.simulator!.control;
  const seller = () => sim().builtInSellers.local;
  const connect = async () => {
    const created = await call('/v1/connect-sessions', { method: 'POST', body: JSON.stringify({ merchantRef: 'dead-grant-merchant' }) });
    return connectSeller(service, ((await created.json()) as { url: string }).url, seller());
  };
  const proxySearch = () => call(`/v1/shops/${shopId}/proxy${searchOrders}`, { method: 'POST', body: '{}' });
  const connection = async () => (await (await call(`/v1/connections/${connectionId}`)).json()) as Record<string, unknown>;

  beforeAll(async () => {
    service = await startTestService({ REFRESH_SWEEP_INTERVAL_SECONDS: '3600' }, { fetch: tiktok.fetch });
    const client = await createClient(service, { name: 'orders app' });
    clientId = client.id;
    call = withKey(service, client.key);
    connectionId = await connect();
    shopId = seller().shops[0]!.id;
  });
  afterAll(async () => {
    await service?.stop();
  });

  describe('when the seller removed the app (TikTok 105001 "deauthorized")', () => {
    it('answers the proxy call 409 connection_needs_reauth with the reason and the hint', async () => {
      expect((await proxySearch()).status).toBe(200);
      expect(sim().revokeSeller(seller().openId)).toBe(1);
      const response = await proxySearch();
      expect(response.status).toBe(409);
      const body = (await response.json()) as Record<string, unknown>;
      expect(body).toStrictEqual({
        success: false,
        error: `The merchant must re-authorize this connection before it can be used. Reason: ${removedReason}`,
        code: 'connection_needs_reauth',
        hint: needsReauthHint,
        requestId: expect.any(String),
      });
      proxyRequestId = body.requestId as string;
    });

    it('shows the connection as needs_reauth in GET /v1/connections/:id', async () => {
      expect(await connection()).toMatchObject({ id: connectionId, status: 'needs_reauth', statusReason: removedReason });
    });

    it('hands out no token and signs nothing any more: 409 connection_needs_reauth', async () => {
      const token = await call(`/v1/shops/${shopId}/token`);
      expect(token.status).toBe(409);
      expect(await token.json()).toMatchObject({ code: 'connection_needs_reauth', hint: needsReauthHint });
      const signed = await call(`/v1/shops/${shopId}/sign`, { method: 'POST', body: JSON.stringify({ method: 'POST', path: searchOrders }) });
      expect(signed.status).toBe(409);
      expect(await signed.json()).toMatchObject({ code: 'connection_needs_reauth', hint: needsReauthHint });
      const again = await proxySearch();
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ code: 'connection_needs_reauth', hint: needsReauthHint });
    });

    it('announces connection.needs_reauth in GET /v1/events', async () => {
      const page = (await (await call('/v1/events')).json()) as { events: { type: string; connectionId: string; payload: Record<string, unknown> }[] };
      const announced = page.events.filter((event) => event.type === 'connection.needs_reauth');
      expect(announced).toHaveLength(1);
      expect(announced[0]).toMatchObject({
        connectionId,
        payload: { connectionId, openId: seller().openId, merchantRef: 'dead-grant-merchant', status: 'needs_reauth', reason: removedReason },
      });
    });

    it('audits the refused call and the status change', async () => {
      await service.audit.flush();
      const proxied = await service.db.sql.query<Record<string, unknown>>(
        `SELECT actor_id, outcome, shop_id, connection_id, detail->>'code' AS code FROM audit_events WHERE action = 'proxy' AND request_id = $1`,
        [proxyRequestId],
      );
      expect(proxied).toStrictEqual([{ actor_id: clientId, outcome: 'denied', shop_id: shopId, connection_id: connectionId, code: 'connection_needs_reauth' }]);
      const changed = await service.db.sql.query<Record<string, unknown>>(
        `SELECT actor_type, outcome, request_id, detail FROM audit_events WHERE action = 'connection.needs_reauth' AND connection_id = $1`,
        [connectionId],
      );
      expect(changed).toStrictEqual([
        { actor_type: 'system', outcome: 'success', request_id: proxyRequestId, detail: { source: 'api_call', tiktokCode: 105001, reason: removedReason } },
      ]);
    });

    it('shows the merchant the reason and the Re-authorize button on the status page', async () => {
      const page = await fetch((await connection()).statusPageUrl as string, { headers: { accept: 'text/html' } });
      expect(page.status).toBe(200);
      const html = await page.text();
      // The action first, the reason in the merchant's words, the service's reason only in the details.
      const first = textOf(sectionOf(html, 'status-heading'));
      expect(first).toMatch(
        /^Re-authorize to reconnect your shops TikTok Shop no longer lets TikTok Shop Connect work with your shops, for example because the access was removed in Seller Center\. Re-authorizing takes about a minute\. Re-authorize on TikTok Shop Status: Needs re-authorization /,
      );
      expect(first).toMatch(/Details for support Connection [\w-]+ Reason: The seller removed the app in TikTok Shop/);
      // Facts that agree: no "access lasts until" beside "needs re-authorization".
      expect(first).not.toMatch(/Access (lasts|ends)/);
    });

    it('works again once the merchant re-authorizes', async () => {
      expect(await connect()).toBe(connectionId);
      expect(await connection()).toMatchObject({ status: 'active', statusReason: null });
      expect((await proxySearch()).status).toBe(200);
      expect((await call(`/v1/shops/${shopId}/token`)).status).toBe(200);
    });
  });

  describe('when TikTok refuses the token again right after the refresh and retry (105001, not "deauthorized")', () => {
    it('marks the connection needs_reauth and answers 409 connection_needs_reauth', async () => {
      const refusals = tiktok.answer(/^\/order\/202309\/orders\/search$/, tiktokSays.invalidToken, tiktokSays.invalidToken);
      const refreshesBefore = sim().counters().refreshes.total;
      const response = await proxySearch();
      expect(refusals.calls()).toBe(2);
      expect(sim().counters().refreshes.total).toBe(refreshesBefore + 1);
      const reason = `TikTok refuses the connection's access token even right after a refresh (TikTok 105001 "access token is invalid"); the merchant must re-authorize.`;
      expect(response.status).toBe(409);
      expect(await response.json()).toMatchObject({
        code: 'connection_needs_reauth',
        error: `The merchant must re-authorize this connection before it can be used. Reason: ${reason}`,
        hint: needsReauthHint,
      });
      expect(await connection()).toMatchObject({ status: 'needs_reauth', statusReason: reason });
      expect(await connect()).toBe(connectionId);
    });
  });

  describe('when TikTok says "expired" again right after the refresh and retry (105002)', () => {
    it('answers 502 tiktok_token_expired and leaves the connection active', async () => {
      tiktok.answer(/^\/order\/202309\/orders\/search$/, tiktokSays.expiredToken, tiktokSays.expiredToken);
      const response = await proxySearch();
      expect(response.status).toBe(502);
      expect(await response.json()).toMatchObject({
        code: 'tiktok_token_expired',
        // Not TikTok's catalog remedy for 105002 ("refresh, then retry once"): the service did that already.
        hint: 'The service already refreshed the token and retried once, and TikTok still calls it expired. Retry in a minute; if it keeps happening, check the service clock and have the merchant re-authorize.',
        tiktok: { code: 105002 },
      });
      expect(await connection()).toMatchObject({ status: 'active', statusReason: null });
      expect((await proxySearch()).status).toBe(200);
    });
  });
});
