import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../apps/support.js';
import { browse, csrfOf, postForm, seedConnection, signIn, type CookieJar } from '../admin/support.js';
import { startTestService, type TestService } from '../support/service.js';

/** What an app sees of connections it cannot use, and of connections it may not see. */
describe('connections on /v1', () => {
  let service: TestService;
  let jar: CookieJar;
  let key: string;

  beforeAll(async () => {
    service = await startTestService({ ADMIN_EMAILS: 'ops@example.com' });
    ({ jar } = await signIn(service, 'ops@example.com'));
    ({ key } = await createClient(service, { rateLimitPerMinute: 1000 }));
  });
  afterAll(async () => {
    await service?.stop();
  });

  async function send(path: string, init: RequestInit = {}, apiKey = key) {
    const response = await service.request(path, {
      ...init,
      headers: { 'x-api-key': apiKey, 'x-request-id': 'req-0000003', 'content-type': 'application/json' },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** Suspend or revoke on the admin console, as an operator would (both take the confirm step). */
  async function adminAction(connectionId: string, action: 'suspend' | 'revoke') {
    const { response } = await browse(jar, `${service.url}/admin/connections/${connectionId}/${action}`);
    const fields = { _csrf: csrfOf(await response.text()), confirm: 'yes' };
    expect((await postForm(jar, `${service.url}/admin/connections/${connectionId}/${action}`, fields)).status).toBe(303);
  }

  describe('a connection that cannot be used', () => {
    const unusable: Record<string, { shopId: string; message: string }> = {};

    beforeAll(async () => {
      // TikTok tells the service the seller removed the app (webhook type 6).
      const deauthorized = await seedConnection(service);
      const delivery = await service.simulator!.control.sendWebhook({ url: `${service.url}/webhooks/tiktok`, type: 6, shopId: deauthorized.shopIds[0]! });
      expect(delivery.status).toBe(200);
      unusable.connection_needs_reauth = {
        shopId: deauthorized.shopIds[0]!,
        message: 'The merchant must re-authorize this connection before it can be used. Reason: The seller removed the app in TikTok Shop',
      };

      // The seller authorization ran out; the sweeper notices.
      const endedAt = new Date(Date.now() - 60_000);
      const ended = await seedConnection(service, { refreshTokenExpiresAt: endedAt });
      await service.refresher.sweepOnce();
      unusable.connection_expired = {
        shopId: ended.shopIds[0]!,
        message: `The merchant's authorization has expired; they must re-authorize. Reason: The authorization ended on ${endedAt.toISOString()}; the merchant must re-authorize.`,
      };

      const suspended = await seedConnection(service);
      await adminAction(suspended.id, 'suspend');
      unusable.connection_suspended = {
        shopId: suspended.shopIds[0]!,
        message: 'An administrator suspended this connection. Reason: Suspended by an administrator (ops@example.com).',
      };

      const revoked = await seedConnection(service);
      await adminAction(revoked.id, 'revoke');
      unusable.connection_revoked = { shopId: revoked.shopIds[0]!, message: 'This connection was revoked. Reason: Revoked by an administrator (ops@example.com).' };
    });

    const hints = {
      connection_needs_reauth: 'Send the merchant a new connect link (POST /v1/connect-sessions) so they re-authorize.',
      connection_expired: 'The authorization ran out; send the merchant a new connect link (POST /v1/connect-sessions).',
      connection_suspended: 'An administrator suspended this connection; ask them to resume it in /admin.',
      connection_revoked: 'This connection was revoked; the merchant must connect again (POST /v1/connect-sessions).',
    };
    const routes: [string, (shopId: string) => [string, RequestInit]][] = [
      ['GET …/token', (shopId) => [`/v1/shops/${shopId}/token`, {}]],
      ['POST …/sign', (shopId) => [`/v1/shops/${shopId}/sign`, { method: 'POST', body: JSON.stringify({ method: 'GET', path: '/order/202309/orders', query: { ids: '1' } }) }]],
      ['GET …/proxy', (shopId) => [`/v1/shops/${shopId}/proxy/order/202309/orders?ids=1`, {}]],
      ['POST …/proxy', (shopId) => [`/v1/shops/${shopId}/proxy/order/202309/orders/search`, { method: 'POST', body: '{}' }]],
    ];

    for (const [code, hint] of Object.entries(hints)) {
      for (const [route, request] of routes) {
        it(`responds 409 ${code} on ${route}, with the reason and what to do`, async () => {
          const { shopId, message } = unusable[code]!;
          expect(await send(...request(shopId))).toStrictEqual({
            status: 409,
            body: { success: false, code, error: message, hint, requestId: 'req-0000003' },
          });
        });
      }
    }
  });

  describe('GET /v1/connections/:id', () => {
    it('responds 404 connection_not_found for an id no connection has', async () => {
      const id = randomUUID();
      expect(await send(`/v1/connections/${id}`)).toStrictEqual({
        status: 404,
        body: {
          success: false,
          code: 'connection_not_found',
          error: `No connection has id ${id}.`,
          hint: 'Check the connection id (GET /v1/connections lists them).',
          requestId: 'req-0000003',
        },
      });
    });
  });

  describe('with a key limited to some shops', () => {
    let mine: Awaited<ReturnType<typeof seedConnection>>;
    let theirs: Awaited<ReturnType<typeof seedConnection>>;
    let limited: string;

    beforeAll(async () => {
      mine = await seedConnection(service, { merchantRef: 'm-limited' });
      theirs = await seedConnection(service, { merchantRef: 'm-limited' });
      ({ key: limited } = await createClient(service, { shopIds: mine.shopIds }));
    });

    it('lists only the connections of its shops', async () => {
      const all = await send('/v1/connections?merchantRef=m-limited');
      expect((all.body.connections as { id: string }[]).map((connection) => connection.id).sort()).toStrictEqual([mine.id, theirs.id].sort());
      const { status, body } = await send('/v1/connections?merchantRef=m-limited', {}, limited);
      expect(status).toBe(200);
      expect((body.connections as { id: string }[]).map((connection) => connection.id)).toStrictEqual([mine.id]);
      expect(body.nextCursor).toBeNull();
      expect((await send('/v1/connections', {}, limited)).body.connections).toHaveLength(1);
    });

    it("responds 404 connection_not_found for another shop's connection, as if it did not exist", async () => {
      expect((await send(`/v1/connections/${mine.id}`, {}, limited)).status).toBe(200);
      expect(await send(`/v1/connections/${theirs.id}`, {}, limited)).toStrictEqual({
        status: 404,
        body: {
          success: false,
          code: 'connection_not_found',
          error: `No connection has id ${theirs.id}.`,
          hint: 'Check the connection id (GET /v1/connections lists them).',
          requestId: 'req-0000003',
        },
      });
    });

    it("responds 403 shop_forbidden on another shop's token", async () => {
      const shopId = theirs.shopIds[0]!;
      expect(await send(`/v1/shops/${shopId}/token`, {}, limited)).toMatchObject({
        status: 403,
        body: { code: 'shop_forbidden', error: `This API key is not allowed to use shop ${shopId}.`, hint: 'This key is limited to other shops; ask an operator to allow this shop.' },
      });
    });
  });
});
