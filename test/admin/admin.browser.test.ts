import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { expectAccessibleAtBothWidths } from '../support/page-checks.js';
import { startTestService, type TestService } from '../support/service.js';
import { api, fastWebhookEnv, seedConnection as seedWebhookConnection, startReceiver, tiktokSends, type Receiver } from '../webhooks/support.js';
import { seedConnection } from './support.js';

const day = 86_400_000;

describe('admin console in Chromium', () => {
  let service: TestService;
  let browser: Browser;
  let context: BrowserContext;
  let receiver: Receiver;
  let failingUrl: string;
  beforeAll(async () => {
    receiver = await startReceiver();
    service = await startTestService({ ...fastWebhookEnv, ADMIN_EMAILS: 'ops@example.com' });
    await seedConnection(service, { sellerName: 'Sunrise Outfitters', merchantRef: 'acme-1042' });
    await seedConnection(service, { sellerName: 'Harbor Home', status: 'needs_reauth', merchantRef: 'acme-2210' });
    await seedConnection(service, { sellerName: 'Lumen Beauty', refreshTokenExpiresAt: new Date(Date.now() + 3 * day), lastRefreshError: 'TikTok is not answering', refreshFailureCount: 3 });
    // A webhook subscription whose receiver fails: a dead letter for the overview and the webhook pages.
    const call = api(service, (await service.core.operator.apiClients.create({ name: 'sync', scopes: ['webhooks:manage'] })).key);
    const { seller } = await seedWebhookConnection(service);
    failingUrl = `${receiver.url}/orders-sync`;
    receiver.always('/orders-sync', { status: 500 });
    await call('POST', '/v1/webhook-subscriptions', { url: failingUrl, events: ['tiktok.*'], shopIds: [seller.shops[0]!.id] });
    await tiktokSends(service, { type: 1, shopId: seller.shops[0]!.id });
    await vi.waitFor(async () => expect(await service.db.sql.query("SELECT id FROM webhook_deliveries WHERE status = 'dead'")).toHaveLength(1), { timeout: 20_000 });
    browser = await launchChromium();
    context = await browser.newContext({ bypassCSP: true });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: service.url });
    context.setDefaultTimeout(30_000);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
    await receiver?.close();
  });

  it('signs in through the development identity provider, and every console page passes at both widths', async () => {
    const page = await context.newPage();
    await page.goto(`${service.url}/admin`);
    await expect.poll(() => page.getByRole('heading', { name: 'Development sign-in' }).isVisible()).toBe(true);
    await expectAccessibleAtBothWidths(page, 'admin-sign-in');
    await page.getByLabel('E-mail address').fill('ops@example.com');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${service.url}/admin`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Connections');
    expect(await page.getByText('Signed in as').textContent()).toContain('ops@example.com');
    const queue = page.getByRole('region', { name: /Needs attention/ });
    expect(await queue.getByRole('link', { name: 'Harbor Home' }).count()).toBe(1);
    expect(await queue.getByRole('link', { name: 'Lumen Beauty' }).count()).toBe(1);
    await expectAccessibleAtBothWidths(page, 'admin-connections');

    await page.getByRole('link', { name: 'Overview' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Overview');
    expect(await page.getByRole('img', { name: 'Active authorizations ending per week, next 90 days' }).count()).toBe(1);
    expect(await page.getByRole('region', { name: 'Failing webhook subscriptions table' }).getByRole('link', { name: failingUrl }).count()).toBe(1);
    await expectAccessibleAtBothWidths(page, 'admin-overview');
    await page.getByRole('link', { name: /Needs re-authorization/ }).first().click();
    await page.waitForURL(`${service.url}/admin?status=needs_reauth`);
    await page.goto(`${service.url}/admin`);

    await page.getByRole('region', { name: 'All connections' }).getByRole('link', { name: 'Sunrise Outfitters' }).click();
    await page.waitForURL(/\/admin\/connections\/[0-9a-f-]{36}$/);
    await expectAccessibleAtBothWidths(page, 'admin-connection');
    const detailUrl = page.url();

    await page.getByRole('button', { name: 'Re-authorization link' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Re-authorization link');
    await expectAccessibleAtBothWidths(page, 'admin-reauthorization-link');
    await page.goto(detailUrl);

    await page.getByRole('link', { name: 'Suspend…' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Suspend this connection?');
    await expectAccessibleAtBothWidths(page, 'admin-suspend-confirm');
    await page.getByRole('button', { name: 'Yes, suspend' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Suspended');
    expect(await page.getByRole('button', { name: 'Refresh now' }).count()).toBe(0);
    await expectAccessibleAtBothWidths(page, 'admin-connection-suspended');

    await page.getByRole('link', { name: 'Revoke…' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Revoke this connection?');
    await expectAccessibleAtBothWidths(page, 'admin-revoke-confirm');
    await page.getByRole('link', { name: 'Cancel' }).click();

    await page.goto(`${service.url}/admin/connections/00000000-0000-4000-8000-000000000000`);
    expect(await page.getByRole('link', { name: 'Back to the connections' }).count()).toBe(1);
    await expectAccessibleAtBothWidths(page, 'admin-error-not-found');

    await page.goto(`${service.url}/admin`);
    await page.getByRole('link', { name: 'API clients' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('API clients');
    await expectAccessibleAtBothWidths(page, 'admin-api-clients');
    await page.getByLabel('Name (the internal app that will use the key)').fill('orders app');
    for (const box of await page.getByRole('checkbox').all()) await box.uncheck();
    await page.getByRole('button', { name: 'Create API client' }).click();
    expect(await page.locator('#scopes-error').textContent()).toBe('Choose at least one scope: a key with none could do nothing.');
    await expectAccessibleAtBothWidths(page, 'admin-api-clients-invalid');
    await page.getByLabel(/^connections:read/).check();
    await page.getByLabel(/^tokens:read/).check();
    await page.getByRole('button', { name: 'Create API client' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('API client orders app created');
    const key = await page.getByLabel('API key for orders app').inputValue();
    await page.getByRole('button', { name: 'Copy key' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Copied to the clipboard.');
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(key);
    await expectAccessibleAtBothWidths(page, 'admin-api-client-created');
    expect((await service.request('/v1/connections', { headers: { 'x-api-key': key } })).status).toBe(200);
    await page.getByRole('link', { name: '← All API clients' }).click();
    await page.getByRole('link', { name: 'Revoke orders app…' }).click();
    await expectAccessibleAtBothWidths(page, 'admin-api-client-revoke');
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    expect(await page.getByRole('status').textContent()).toContain('Revoked orders app');

    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Webhook subscriptions');
    await expectAccessibleAtBothWidths(page, 'admin-webhooks');
    await page.getByRole('link', { name: failingUrl }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(failingUrl);
    expect(await page.getByRole('heading', { name: 'Dead letters (1)' }).count()).toBe(1);
    await expectAccessibleAtBothWidths(page, 'admin-webhook');

    await page.goto(`${service.url}/admin`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${service.url}/admin/signed-out`);
    await expectAccessibleAtBothWidths(page, 'admin-signed-out');
    await page.close();
  }, 600_000);

  it('answers someone not on ADMIN_EMAILS with a 403 page that offers to sign in as someone else', async () => {
    const stranger = await browser.newContext({ bypassCSP: true });
    const page = await stranger.newPage();
    await page.goto(`${service.url}/admin`);
    await page.getByLabel('E-mail address').fill('intruder@example.com');
    const answer = page.waitForResponse((response) => response.url().includes('/admin/callback'));
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect((await answer).status()).toBe(403);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('We could not do that');
    expect(await page.getByRole('link', { name: 'Sign in as someone else' }).getAttribute('href')).toBe('/admin/sign-in?account=other');
    await expectAccessibleAtBothWidths(page, 'admin-error-forbidden');

    // The identity provider forgets the refused account and asks again, with an empty form.
    await page.getByRole('link', { name: 'Sign in as someone else' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Development sign-in' }).isVisible()).toBe(true);
    expect(await page.getByLabel('E-mail address').inputValue()).toBe('');
    await page.getByLabel('E-mail address').fill('ops@example.com');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${service.url}/admin/overview`);
    expect(await page.getByText('Signed in as').textContent()).toContain('ops@example.com');
    await stranger.close();
  }, 240_000);
});
