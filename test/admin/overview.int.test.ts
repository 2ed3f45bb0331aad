import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sectionOf, textOf } from '../support/html.js';
import { startTestService, type TestService } from '../support/service.js';
import { api, fastWebhookEnv, seedConnection as seedWebhookConnection, startReceiver, tiktokSends } from '../webhooks/support.js';
import { browse, type CookieJar, seedConnection, signIn } from './support.js';

const day = 86_400_000;

/** Issue #16: the overview operators open first. */
describe('GET /admin/overview', () => {
  let service: TestService;
  let jar: CookieJar;
  let html: string;

  beforeAll(async () => {
    service = await startTestService({ ADMIN_EMAILS: 'ops@example.com' });
    const soon = await seedConnection(service, { sellerName: 'Soon Ending', refreshTokenExpiresAt: new Date(Date.now() + 10 * day) });
    await seedConnection(service, { sellerName: 'Far Away', refreshTokenExpiresAt: new Date(Date.now() + 300 * day) });
    await seedConnection(service, { sellerName: 'Lapsed Seller', status: 'needs_reauth' });
    await seedConnection(service, { sellerName: 'Paused Seller', status: 'suspended' });
    await service.connections.problems.recordScopeMissing({
      connectionId: soon.id, apiPath: '/finance/202309/statements', scopeKeys: ['seller.finance.info'], tiktokCode: 105005, tiktokMessage: 'Access denied',
    });
    const refresh = (daysAgo: number, outcome: string, detail: Record<string, unknown>) =>
      service.db.sql.query(
        "INSERT INTO audit_events (occurred_at, actor_type, action, outcome, connection_id, detail) VALUES ($1, 'system', 'token.refresh', $2, $3, $4)",
        [new Date(Date.now() - daysAgo * day), outcome, soon.id, JSON.stringify(detail)],
      );
    for (let i = 0; i < 3; i += 1) await refresh(0, 'success', { trigger: 'sweep' });
    await refresh(1, 'failure', { failureClass: 'transient', error: 'TikTok is not answering' });
    await refresh(1, 'failure', { failureClass: 'grant_dead', status: 'needs_reauth', reason: 'refresh token dead' });
    await refresh(2, 'failure', { failureClass: 'permission', error: '105005' });
    await refresh(20, 'success', { trigger: 'sweep' });
    ({ jar } = await signIn(service, 'ops@example.com'));
    const { response } = await browse(jar, `${service.url}/admin/overview`);
    expect(response.status).toBe(200);
    html = await response.text();
  }, 180_000);
  afterAll(async () => {
    await service?.stop();
  });

  it('counts connections by status, each linking to the filtered list', () => {
    expect(textOf(sectionOf(html, 'status-title'))).toBe(
      'Connections (4) 2Active 0Refresh token lost 1Needs re-authorization 0Authorization expired 1Suspended 0Revoked',
    );
    expect(html).toContain('<a href="/admin?status=needs_reauth"><strong>1</strong>Needs re-authorization</a>');
  });

  it('shows the first of the review queue with why', () => {
    const queue = textOf(sectionOf(html, 'queue-title'));
    expect(queue).toContain('Lapsed Seller Needs re-authorization needs re-authorization');
    expect(queue).toContain('Soon Ending Active 1 open problem; authorization expires soon');
    expect(queue).not.toContain('Far Away');
  });

  it('charts authorizations ending by week for 90 days, as an accessible SVG', () => {
    const chart = sectionOf(html, 'ending-title');
    expect(chart).toContain('<svg class="chart" viewBox="0 0 400 210" role="img" aria-labelledby="ending-chart-title ending-chart-desc"');
    expect(chart).toContain('<title id="ending-chart-title">Active authorizations ending per week, next 90 days</title>');
    expect(/<desc id="ending-chart-desc">1 in total\. Week of [^:]+: 0; Week of [^:]+: 1; Week of/.test(chart)).toBe(true);
    expect(chart.match(/<rect /g)).toHaveLength(1);
    expect(textOf(chart)).toContain('1 active authorization ends within 90 days');
  });

  it('charts refresh outcomes per day for 14 days, stacked by outcome', () => {
    const chart = sectionOf(html, 'refresh-title');
    expect(chart).toContain('<desc id="refreshes-chart-desc">3 refreshed, 1 transient failure, 1 grant dead, 1 permission.</desc>');
    expect(chart.match(/<rect /g)).toHaveLength(4);
    expect(textOf(chart)).toContain('refreshed transient failure grant dead permission');
  });

  it('counts open problems by kind', () => {
    expect(textOf(sectionOf(html, 'problems-title'))).toBe('Open problems 1 Missing permission (API scope)');
  });

  it('says when no webhook subscription is failing', () => {
    expect(textOf(sectionOf(html, 'webhooks-title'))).toBe(
      'Webhook subscriptions with failing deliveries No webhook subscription is failing. Every webhook subscription',
    );
  });
});

describe('GET /admin/overview with webhook subscriptions', () => {
  it('lists the subscriptions whose deliveries fail, with their dead letters, linking to each', async () => {
    const receiver = await startReceiver();
    const service = await startTestService({ ...fastWebhookEnv, ADMIN_EMAILS: 'ops@example.com' });
    try {
      const call = api(service, (await service.core.operator.apiClients.create({ name: 'sync', scopes: ['webhooks:manage'] })).key);
      const { seller } = await seedWebhookConnection(service);
      const shopIds = [seller.shops[0]!.id];
      const failing = await call<{ id: string }>('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/down`, events: ['tiktok.*'], shopIds });
      await call('POST', '/v1/webhook-subscriptions', { url: `${receiver.url}/up`, events: ['tiktok.*'], shopIds });
      receiver.always('/down', { status: 500 });
      await tiktokSends(service, { type: 1, shopId: shopIds[0]! });
      await vi.waitFor(async () => expect(await service.db.sql.query("SELECT id FROM webhook_deliveries WHERE status = 'dead'")).toHaveLength(1), { timeout: 10_000 });
      await vi.waitFor(() => expect(receiver.at('/up')).toHaveLength(1), { timeout: 10_000 });

      const { jar } = await signIn(service, 'ops@example.com');
      const { response } = await browse(jar, `${service.url}/admin/overview`);
      expect(response.status).toBe(200);
      const section = sectionOf(await response.text(), 'webhooks-title');
      expect(section).toContain(`<a href="/admin/webhooks/${failing.body.id}">${receiver.url}/down</a>`);
      expect(section).not.toContain('/up');
      // Status, failing since (a time), backlog 0, one dead letter.
      expect(textOf(section)).toMatch(
        new RegExp(`^Webhook subscriptions with failing deliveries Subscription Status Failing since Backlog Dead letters ${receiver.url}/down Active \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC \\([^)]+\\) 0 1 Every webhook subscription$`),
      );
    } finally {
      await service.stop();
      await receiver.close();
    }
  }, 120_000);
});
