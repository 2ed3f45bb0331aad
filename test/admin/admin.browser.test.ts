import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { startTestService, type TestService } from '../support/service.js';
import { seedConnection } from './support.js';

const day = 86_400_000;

describe('admin console in Chromium', () => {
  let service: TestService;
  let browser: Browser;
  beforeAll(async () => {
    service = await startTestService({ ADMIN_EMAILS: 'ops@example.com' });
    await seedConnection(service, { sellerName: 'Sunrise Outfitters', merchantRef: 'acme-1042' });
    await seedConnection(service, { sellerName: 'Harbor Home', status: 'needs_reauth', merchantRef: 'acme-2210' });
    await seedConnection(service, { sellerName: 'Lumen Beauty', refreshTokenExpiresAt: new Date(Date.now() + 3 * day), lastRefreshError: 'TikTok is not answering', refreshFailureCount: 3 });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('signs in through the development identity provider and shows the connections', async () => {
    const page = await browser.newPage();
    await page.goto(`${service.url}/admin`);
    await expect.poll(() => page.getByRole('heading', { name: 'Development sign-in' }).isVisible()).toBe(true);
    await page.getByLabel('E-mail address').fill('ops@example.com');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${service.url}/admin`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Connections');
    expect(await page.getByText('Signed in as').textContent()).toContain('ops@example.com');
    const queue = page.getByRole('region', { name: /Needs attention/ });
    expect(await queue.getByRole('link', { name: 'Harbor Home' }).count()).toBe(1);
    expect(await queue.getByRole('link', { name: 'Lumen Beauty' }).count()).toBe(1);
    await page.screenshot({ path: '/tmp/admin.png', fullPage: true });

    await page.getByRole('region', { name: 'All connections' }).getByRole('link', { name: 'Sunrise Outfitters' }).click();
    await page.getByRole('button', { name: 'Suspend' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Suspended');
    await page.screenshot({ path: '/tmp/admin-connection.png', fullPage: true });
    await page.close();
  });
});
