import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formsOf, formWithButton, submission, textOf } from '../support/html.js';
import { startTestService, type TestService } from '../support/service.js';
import { browse, CookieJar, csrfOf, postForm, seedConnection, signIn } from './support.js';

const day = 86_400_000;

describe('admin connection pages and actions', () => {
  let service: TestService;
  let jar: CookieJar;
  let apiKey: string;
  const page = async (path: string) => {
    const { response } = await browse(jar, `${service.url}${path}`);
    expect(response.status, path).toBe(200);
    return response.text();
  };
  const act = async (id: string, action: string, extra: Record<string, string> = {}) => {
    const csrf = csrfOf(await page(`/admin/connections/${id}`));
    return postForm(jar, `${service.url}/admin/connections/${id}/${action}`, { _csrf: csrf, ...extra });
  };
  const token = (shopId: string) => service.request(`/v1/shops/${shopId}/token`, { headers: { 'x-api-key': apiKey } });
  const statusOf = async (id: string) => (await service.db.prisma.connection.findUniqueOrThrow({ where: { id } })).status;
  const auditOf = async (id: string) => {
    await service.audit.flush();
    return service.db.prisma.auditEvent.findMany({ where: { connectionId: id, actorType: 'admin' }, orderBy: { id: 'asc' } });
  };
  const outboxOf = (id: string) => service.db.prisma.outboxEvent.findMany({ where: { connectionId: id }, orderBy: { id: 'asc' } });

  beforeAll(async () => {
    service = await startTestService({ ADMIN_EMAILS: 'ops@example.com' });
    ({ jar } = await signIn(service, 'ops@example.com'));
    apiKey = (await service.core.operator.apiClients.create({ name: 'admin tests' })).key;
  });
  afterAll(async () => {
    await service?.stop();
  });

  describe('GET /admin', () => {
    it('lists connections with filters and queues those needing attention', async () => {
      const healthy = await seedConnection(service, { sellerName: 'Healthy Goods', merchantRef: 'm-healthy' });
      const reauth = await seedConnection(service, { sellerName: 'Reauth Store', status: 'needs_reauth' });
      const expiring = await seedConnection(service, { sellerName: 'Soon Ending', refreshTokenExpiresAt: new Date(Date.now() + 5 * day) });
      const failing = await seedConnection(service, { sellerName: 'Flaky Shop', refreshFailureCount: 4, lastRefreshError: 'TikTok is not answering' });
      const all = await page('/admin');
      const [queue, list] = all.split('id="all-title"');
      expect(queue).toContain('Reauth Store');
      expect(queue).toContain('needs re-authorization');
      expect(queue).toContain('Soon Ending');
      expect(queue).toContain('authorization expires soon');
      expect(queue).toContain('Flaky Shop');
      expect(queue).toContain('4 refresh failures in a row');
      expect(queue).not.toContain('Healthy Goods');
      expect(list).toContain('Healthy Goods');
      expect(list).toContain('expires within 7 days');
      expect(list).toContain('TikTok is not answering');
      expect(list).toContain('Needs re-authorization');

      const byStatus = (await page('/admin?status=needs_reauth')).split('id="all-title"')[1]!;
      expect(byStatus).toContain('Reauth Store');
      expect(byStatus).not.toContain('Healthy Goods');
      const byRef = (await page('/admin?q=M-HEALTHY')).split('id="all-title"')[1]!;
      expect(byRef).toContain('Healthy Goods');
      expect(byRef).not.toContain('Flaky Shop');
      const byShop = (await page(`/admin?q=${failing.shopIds[0]}`)).split('id="all-title"')[1]!;
      expect(byShop).toContain('Flaky Shop');
      expect(byShop).not.toContain('Healthy Goods');
      void [healthy, reauth, expiring];
    });

    it('says how many connections the filter finds and sorts by a column, both ways (issue #16)', async () => {
      for (const name of ['Sort Bravo', 'Sort Alpha', 'Sort Charlie']) await seedConnection(service, { sellerName: name, merchantRef: 'm-sort' });
      const sellersIn = (html: string) => [...html.split('id="all-title"')[1]!.matchAll(/<a href="\/admin\/connections\/[^"]+">(Sort \w+)<\/a>/g)].map((m) => m[1]);
      const ascending = await page('/admin?q=m-sort&sort=seller&dir=asc');
      expect(sellersIn(ascending)).toStrictEqual(['Sort Alpha', 'Sort Bravo', 'Sort Charlie']);
      expect(textOf(ascending)).toContain('1–3 of 3 matching connections.');
      expect(ascending).toContain('<th scope="col" aria-sort="ascending"><a href="/admin?q=m-sort&amp;sort=seller&amp;dir=desc&amp;page=1">Seller ▲</a></th>');
      expect(sellersIn(await page('/admin?q=m-sort&sort=seller&dir=desc'))).toStrictEqual(['Sort Charlie', 'Sort Bravo', 'Sort Alpha']);
      const total = await service.db.prisma.connection.count();
      expect(textOf(await page('/admin'))).toContain(`of ${total} connections.`);
    });

    it('escapes what sellers control', async () => {
      await seedConnection(service, { sellerName: '<script>alert(1)</script>' });
      const html = await page('/admin');
      expect(html).not.toContain('<script>alert(1)</script>');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    });
  });

  describe('GET /admin/connections/:id', () => {
    it('shows details, shops, open and resolved problems in plain words, and never a token', async () => {
      const seeded = await seedConnection(service, { sellerName: 'Detail Shop', shops: [{ id: 'shop_detail_1', name: 'Detail One' }] });
      await service.db.prisma.problem.create({
        data: { connectionId: seeded.id, kind: 'scope_missing', apiPath: '/finance/202309/statements', scopeKeys: ['seller.finance.info'], tiktokCode: 105005, openKey: `${seeded.id}:scope_missing:/finance/202309/statements` },
      });
      await service.db.prisma.problem.create({
        data: { connectionId: seeded.id, kind: 'scope_missing', apiPath: '/order/202309/orders', scopeKeys: ['seller.order.info'], tiktokCode: 105005, resolvedAt: new Date(), resolution: 'scope_granted' },
      });
      const html = await page(`/admin/connections/${seeded.id}`);
      expect(html).toContain('<h1>Detail Shop</h1>');
      expect(html).toContain('shop_detail_1');
      expect(html).toContain('Open problems (1)');
      expect(html).toContain('Resolved problems (1)');
      expect(html).toContain('/finance/202309/statements');
      expect(html).toContain('Partner Center');
      expect(html).not.toContain(`at_${seeded.id}`);
      expect(html).not.toContain(`rt_${seeded.id}`);
      expect(html).not.toContain('v1.k1.');
    });

    it('answers 404 for an unknown connection', async () => {
      const { response } = await browse(jar, `${service.url}/admin/connections/nope`);
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('No connection has id nope.');
    });
  });

  describe('CSRF protection', () => {
    it('refuses an action without the CSRF token with 403 and changes nothing', async () => {
      const seeded = await seedConnection(service);
      const response = await postForm(jar, `${service.url}/admin/connections/${seeded.id}/suspend`, {});
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('security token is missing or wrong');
      expect(await statusOf(seeded.id)).toBe('active');
    });

    it('refuses a wrong CSRF token with 403 and changes nothing', async () => {
      const seeded = await seedConnection(service);
      const response = await postForm(jar, `${service.url}/admin/connections/${seeded.id}/revoke`, { _csrf: 'x'.repeat(43), confirm: 'yes' });
      expect(response.status).toBe(403);
      expect(await statusOf(seeded.id)).toBe('active');
      expect(await outboxOf(seeded.id)).toStrictEqual([]);
    });

    it("refuses another session's CSRF token", async () => {
      const seeded = await seedConnection(service);
      const other = await signIn(service, 'ops@example.com');
      const otherToken = csrfOf(await other.response.text());
      const response = await postForm(jar, `${service.url}/admin/connections/${seeded.id}/suspend`, { _csrf: otherToken });
      expect(response.status).toBe(403);
      expect(await statusOf(seeded.id)).toBe('active');
    });
  });

  describe('POST /admin/connections/:id/suspend and /resume', () => {
    it('suspends (no more tokens, 409 connection_suspended), then resumes; each audited and announced', async () => {
      const seeded = await seedConnection(service);
      expect((await token(seeded.shopIds[0]!)).status).toBe(200);

      expect(await act(seeded.id, 'suspend')).toMatchObject({ status: 400 });
      expect(await statusOf(seeded.id)).toBe('active');
      const confirm = formWithButton(await page(`/admin/connections/${seeded.id}/suspend`), 'Yes, suspend');
      expect(confirm.action).toBe(`/admin/connections/${seeded.id}/suspend`);
      const suspended = await act(seeded.id, 'suspend', { confirm: 'yes' });
      expect(suspended.status).toBe(303);
      expect(suspended.headers.get('location')).toBe(`/admin/connections/${seeded.id}?notice=suspended`);
      expect(await statusOf(seeded.id)).toBe('suspended');
      const refused = await token(seeded.shopIds[0]!);
      expect(refused.status).toBe(409);
      expect(await refused.json()).toMatchObject({ code: 'connection_suspended' });
      expect(await page(`/admin/connections/${seeded.id}?notice=suspended`)).toContain('Suspended: internal apps get no tokens');

      const resumed = await act(seeded.id, 'resume');
      expect(resumed.headers.get('location')).toBe(`/admin/connections/${seeded.id}?notice=resumed`);
      expect(await statusOf(seeded.id)).toBe('active');
      expect((await token(seeded.shopIds[0]!)).status).toBe(200);

      const audit = await auditOf(seeded.id);
      expect(audit.map((e) => [e.action, e.outcome, e.actorId])).toStrictEqual([
        ['connection.suspended', 'success', 'ops@example.com'],
        ['connection.resumed', 'success', 'ops@example.com'],
      ]);
      expect((await outboxOf(seeded.id)).map((e) => e.type)).toStrictEqual(['connection.suspended', 'connection.resumed']);
    });

    it('changes nothing when resuming a connection that is not suspended', async () => {
      const seeded = await seedConnection(service);
      const csrf = csrfOf(await page(`/admin/connections/${seeded.id}`));
      const response = await postForm(jar, `${service.url}/admin/connections/${seeded.id}/resume`, { _csrf: csrf });
      expect(response.headers.get('location')).toBe(`/admin/connections/${seeded.id}?notice=unchanged`);
      expect(await statusOf(seeded.id)).toBe('active');
      expect(await outboxOf(seeded.id)).toStrictEqual([]);
      expect((await auditOf(seeded.id)).map((e) => e.outcome)).toStrictEqual(['failure']);
    });
  });

  describe('POST /admin/connections/:id/revoke', () => {
    it('asks for confirmation first, then revokes and stops refreshing', async () => {
      const seeded = await seedConnection(service);
      const confirm = await page(`/admin/connections/${seeded.id}/revoke`);
      expect(confirm).toContain('Revoke this connection?');
      expect(confirm).toContain('name="confirm" value="yes"');

      const unconfirmed = await act(seeded.id, 'revoke');
      expect(unconfirmed.status).toBe(400);
      expect(await statusOf(seeded.id)).toBe('active');

      const revoked = await postForm(jar, `${service.url}/admin/connections/${seeded.id}/revoke`, { _csrf: csrfOf(confirm), confirm: 'yes' });
      expect(revoked.status).toBe(303);
      const row = await service.db.prisma.connection.findUniqueOrThrow({ where: { id: seeded.id } });
      expect(row).toMatchObject({ status: 'revoked', refreshDueAt: null, statusReason: 'Revoked by an administrator (ops@example.com).' });
      const refused = await token(seeded.shopIds[0]!);
      expect(refused.status).toBe(409);
      expect(await refused.json()).toMatchObject({ code: 'connection_revoked' });
      expect((await auditOf(seeded.id)).map((e) => e.action)).toStrictEqual(['connection.revoked']);
      const [event] = await outboxOf(seeded.id);
      expect(event).toMatchObject({ type: 'connection.revoked', payload: { connectionId: seeded.id, by: { type: 'admin', email: 'ops@example.com' } } });
    });
  });

  describe('POST /admin/connections/:id/refresh', () => {
    it('refreshes against the simulator and shows the outcome', async () => {
      const seeded = await seedConnection(service, { fromSimulator: true });
      const before = await service.db.prisma.connection.findUniqueOrThrow({ where: { id: seeded.id } });
      const response = await act(seeded.id, 'refresh');
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`/admin/connections/${seeded.id}?notice=refreshed`);
      const after = await service.db.prisma.connection.findUniqueOrThrow({ where: { id: seeded.id } });
      expect(after.tokenVersion).toBeGreaterThan(before.tokenVersion);
      expect(after.accessTokenSealed).not.toBe(before.accessTokenSealed);
      expect(await page(`/admin/connections/${seeded.id}?notice=refreshed`)).toContain('Refreshed: TikTok issued a new access token.');
      const audit = await auditOf(seeded.id);
      expect(audit.map((e) => [e.action, e.outcome])).toStrictEqual([['connection.refresh_requested', 'success']]);
      expect((await outboxOf(seeded.id)).map((e) => e.type)).toContain('connection.refresh_requested');
    });

    it('shows a failed refresh (the seller removed the app) with what to do', async () => {
      const seeded = await seedConnection(service, { fromSimulator: true });
      service.simulator!.control.revokeSeller(seeded.openId);
      const response = await act(seeded.id, 'refresh');
      const location = response.headers.get('location')!;
      expect(location).toMatch(new RegExp(`^/admin/connections/${seeded.id}\\?notice=refresh_failed&code=`));
      const html = await page(location);
      expect(html).toContain('The refresh failed');
      const audit = await auditOf(seeded.id);
      expect(audit.at(-1)).toMatchObject({ action: 'connection.refresh_requested', outcome: 'failure', actorId: 'ops@example.com' });
    });
  });

  describe('POST /admin/connections/:id/reauthorization-link', () => {
    /** The admin clicks "Re-authorization link" on the connection page; answers the page shown. */
    const createLink = async (id: string) => {
      const form = formWithButton(await page(`/admin/connections/${id}`), 'Re-authorization link');
      expect(form.method).toBe('post');
      expect(form.action).toBe(`/admin/connections/${id}/reauthorization-link`);
      return postForm(jar, `${service.url}${form.action}`, Object.fromEntries(submission(form, 'Re-authorization link')));
    };
    const linkOf = (html: string) => /<input type="text" id="reauthorization-link" name="link" value="([^"]+)" readonly/.exec(html)?.[1]?.replaceAll('&amp;', '&');

    it('shows a merchant link that leads through TikTok Shop to re-authorizing this same connection, and audits it', async () => {
      const seeded = await seedConnection(service, { sellerName: 'Lapsed Goods', merchantRef: 'm-lapsed', status: 'needs_reauth', fromSimulator: true });
      const response = await createLink(seeded.id);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      const shown = await response.text();
      const link = linkOf(shown);
      expect(link).toMatch(new RegExp(`^${service.url}/merchant/connections/${seeded.id}\\?sig=[\\w-]+\\.[\\w-]+\\.[\\w-]+$`));
      expect(textOf(shown)).toContain('Send this link to Lapsed Goods (m-lapsed). It opens their connection\'s status page');

      // The merchant opens the link in their own browser, with no cookie of this service.
      const merchant = new CookieJar();
      const status = await browse(merchant, link!);
      expect(status.response.status).toBe(200);
      const statusPage = await status.response.text();
      expect(textOf(statusPage)).toContain('Status: Needs re-authorization');
      const reauthorize = formWithButton(statusPage, 'Re-authorize on TikTok Shop');
      expect(reauthorize.action).toBe(`/merchant/connections/${seeded.id}/reauthorize`);
      const connect = await browse(merchant, `${service.url}${reauthorize.action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(submission(reauthorize, 'Re-authorize on TikTok Shop')).toString(),
      });
      expect(connect.response.status).toBe(200);
      const connectPage = await connect.response.text();
      expect(textOf(connectPage)).toContain('Re-authorize TikTok Shop Connect on TikTok Shop');
      expect(textOf(connectPage)).toContain('Your reference with TikTok Shop Connect: m-lapsed.');
      const [session] = await service.db.sql.query<{ connection_id: string }>(
        'SELECT connection_id FROM connect_sessions WHERE connection_id = $1', [seeded.id],
      );
      expect(session).toStrictEqual({ connection_id: seeded.id });

      const button = formWithButton(connectPage, 'Connect with TikTok Shop');
      const authorize = await browse(merchant, new URL(button.action, connect.url).href, { method: 'POST' });
      expect(authorize.response.status).toBe(200);
      expect(new URL(authorize.url).pathname).toBe('/simulator/open/authorize');
      const authorizePage = await authorize.response.text();
      expect(textOf(authorizePage)).toContain('Authorize app');

      const approve = formWithButton(authorizePage, 'Approve');
      const back = await browse(merchant, new URL(approve.action, authorize.url).href, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(submission(approve, 'Approve', { choose: { open_id: seeded.openId } })).toString(),
      });
      expect(back.url).toBe(`${service.url}/merchant/connections/${seeded.id}?outcome=reauthorized`);
      expect(textOf(await back.response.text())).toContain('Your TikTok Shop is connected again TikTok Shop Connect can now work with the shops below.');
      expect(await statusOf(seeded.id)).toBe('active');
      expect((await outboxOf(seeded.id)).map((e) => e.type)).toStrictEqual(['connection.reauthorized']);

      const audit = await auditOf(seeded.id);
      expect(audit.map((e) => [e.action, e.outcome, e.actorId, e.requestId !== null])).toStrictEqual([
        ['connection.reauthorization_link_created', 'success', 'ops@example.com', true],
      ]);
      const { expiresAt } = audit[0]!.detail as { expiresAt: string };
      expect(Object.keys(audit[0]!.detail as object)).toStrictEqual(['expiresAt']);
      expect(new Date(expiresAt).getTime() - audit[0]!.occurredAt.getTime()).toBeCloseTo(7 * day, -4);
      expect(textOf(shown)).toContain(`It works for 7 days, until ${expiresAt.slice(0, 16).replace('T', ' ')} UTC. Anyone who has it`);
      const rows = await service.db.prisma.auditEvent.findMany({ where: { connectionId: seeded.id } });
      const everything = JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
      expect(everything).not.toContain(new URL(link!).searchParams.get('sig')!);
    });

    it('is offered only where it can help: not on a revoked or suspended connection (issue #16)', async () => {
      const revoked = await seedConnection(service, { status: 'revoked' });
      const revokedPage = await page(`/admin/connections/${revoked.id}`);
      expect(revokedPage).not.toContain('Re-authorization link');
      expect(textOf(revokedPage)).toContain('This connection is revoked; the merchant must connect again with a new connect link.');
      const suspended = await seedConnection(service, { status: 'suspended' });
      const suspendedPage = await page(`/admin/connections/${suspended.id}`);
      expect(formsOf(suspendedPage).flatMap((form) => form.controls.filter((c) => c.tag === 'button').map((c) => c.text))).toStrictEqual(['Sign out', 'Resume']);
      expect(suspendedPage).not.toContain('Refresh now');
      const lapsed = await seedConnection(service, { status: 'needs_reauth' });
      const lapsedPage = await page(`/admin/connections/${lapsed.id}`);
      expect(lapsedPage).not.toContain('Refresh now');
      expect(formWithButton(lapsedPage, 'Re-authorization link').action).toBe(`/admin/connections/${lapsed.id}/reauthorization-link`);
    });

    it('refuses a missing CSRF token with 403 and gives out no link', async () => {
      const seeded = await seedConnection(service);
      const response = await postForm(jar, `${service.url}/admin/connections/${seeded.id}/reauthorization-link`, {});
      expect(response.status).toBe(403);
      const body = await response.text();
      expect(body).toContain('security token is missing or wrong');
      expect(body).not.toContain('sig=');
      expect(await auditOf(seeded.id)).toStrictEqual([]);
    });

    it('answers 404 for an unknown connection', async () => {
      const csrf = csrfOf(await page('/admin'));
      const response = await postForm(jar, `${service.url}/admin/connections/nope/reauthorization-link`, { _csrf: csrf });
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('No connection has id nope.');
    });

    it('requires a signed-in admin', async () => {
      const response = await postForm(new CookieJar(), `${service.url}/admin/connections/nope/reauthorization-link`, { _csrf: 'x' });
      expect(response.status).toBe(401);
    });
  });

  describe('history', () => {
    it('lists audit events newest first, paginated', async () => {
      const seeded = await seedConnection(service);
      for (let i = 0; i < 25; i += 1) {
        service.audit.record({ actorType: 'system', action: `test.event_${String(i).padStart(2, '0')}`, outcome: 'success', connectionId: seeded.id });
      }
      await service.audit.flush();
      const first = await page(`/admin/connections/${seeded.id}`);
      expect(first).toContain('test.event_24');
      expect(first).not.toContain('test.event_04');
      expect(first.indexOf('test.event_24')).toBeLessThan(first.indexOf('test.event_23'));
      expect(first).toContain('Older events');
      const second = await page(`/admin/connections/${seeded.id}?page=2`);
      expect(second).toContain('test.event_04');
      expect(second).not.toContain('test.event_24');
    });
  });
});
